"""DVC stage `train_llama_qlora`: (Q)LoRA fine-tuning of params.yaml `models.llama_qlora` with configs/qlora.yaml."""

from __future__ import annotations

from kosum.cli import run_stage
from kosum.qlora_stage import qlora_stage


def main(argv: list[str] | None = None) -> None:
    qlora_stage("llama_qlora", argv)


if __name__ == "__main__":
    run_stage(main)
