"""Typed, strict views of `params.yaml` and `configs/*.yaml`: one frozen dataclass per file and per section.

Why two kinds of file: `dvc exp show` has a column for every key of `params.yaml` and for every dependency path, so
`params.yaml` holds only what experiments vary (the shared `train` schedule, the `prompt`, `lora`, which checkpoint
each model starts from); the recipes that rarely change live in `configs/` (one file each, one column each).
Why strict: a typo in either (or in `dvc exp run -S`) must fail loudly instead of silently training with a default,
and a key that moved names its new place. Why coercing: PyYAML reads `2e-5` (no dot) as a string, and
`dvc exp run -S lr=1` writes an int, so a float field accepts both and the error names the key when neither fits.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from kosum.core.errors import ConfigError

T = TypeVar("T")


def load_params(path: str | Path) -> dict[str, Any]:
    """Read a params file into a dict; an unreadable or non-mapping file is a ConfigError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read params file ({err}).") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level.")
    return data


def load_file(cls: type[T], path: str | Path) -> T:
    """Load a whole params or config file into `cls` (its top-level keys are `cls`'s fields)."""
    return from_dict(cls, load_params(path), str(path))


def from_dict(cls: type[T], raw: Any, where: str) -> T:
    """Build dataclass `cls` from a mapping, rejecting unknown keys and coercing YAML scalars to field types."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping{getattr(cls, 'SHAPE', '')}, got {type(raw).__name__}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    extra: str | None = getattr(cls, "EXTRA", None)  # a field that keeps the keys no other field names, uncoerced
    if extra is not None and extra in raw:
        raise ConfigError(f"{where}: '{extra}' is not a key; write its keys beside the others.")
    unknown = sorted(set(raw) - set(fields))
    moved: dict[str, str] = getattr(cls, "MOVED", {})
    for key in unknown:
        if key in moved:
            raise ConfigError(f"{where}: '{key}' has moved: {moved[key]}.")
    if unknown and extra is None:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(fields)}.")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {extra: {key: raw[key] for key in unknown}} if extra is not None else {}
    for name, field in fields.items():
        if name in raw:
            values[name] = _coerce(hints[name], raw[name], f"{where}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{where}: required key '{name}' is missing.")
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: {err}") from err


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _coerce(option, value, where)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(errors[0])
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise ConfigError(f"{where}: {value!r} is not allowed; choose one of {list(allowed)}.")
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}.")
        key_type, item_type = typing.get_args(tp)
        return {_coerce(key_type, k, where): _coerce(item_type, v, f"{where}.{k}") for k, v in value.items()}
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}.")
        item = typing.get_args(tp)[0]
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif tp is str:
        if isinstance(value, str):
            return value
    else:
        raise TypeError(f"unsupported config field type {tp!r} at {where}")
    raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}.")


def check(condition: bool, message: str) -> None:
    """Raise a ConfigError with `message` unless `condition` holds (used by `__post_init__` checks)."""
    if not condition:
        raise ConfigError(message)
