"""Typed, strict views of params.yaml and configs/*.yaml: one module per file, one loader (loader.py)."""
