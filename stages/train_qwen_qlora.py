"""DVC stage `train_qwen_qlora`: (Q)LoRA fine-tuning of params.yaml `models.qwen_qlora` with configs/qlora.yaml."""

from __future__ import annotations

from kosum.cli import run_stage
from kosum.qlora_stage import qlora_stage


def main(argv: list[str] | None = None) -> None:
    qlora_stage("qwen_qlora", argv)


if __name__ == "__main__":
    run_stage(main)
