"""DVC stage `train_qwen_qlora`: (Q)LoRA fine-tuning of the qwen model named in params section `train_qwen_qlora`."""

from __future__ import annotations

from kosum.cli import run_stage
from kosum.qlora_stage import qlora_stage


def main(argv: list[str] | None = None) -> None:
    qlora_stage("train_qwen_qlora", argv)


if __name__ == "__main__":
    run_stage(main)
