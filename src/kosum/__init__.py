"""kosum: a reproducible Korean dialogue-summarization workbench (DVC pipeline over KoBART and QLoRA LLMs).

One subpackage per pipeline step: core (config, io, tags, errors, the stage runner), data, models (with
training), scoring, ensemble, evaluation, and the opt-in tools.
"""
