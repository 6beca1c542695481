"""kosum: a reproducible Korean dialogue-summarization workbench (DVC pipeline over KoBART and QLoRA LLMs)."""
