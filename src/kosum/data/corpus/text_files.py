"""Strict reading of the corpus's YAML text files (`text/`): one-line errors that name the file and the key path.

Why strict: a typo in a key, a pool name or a placeholder must fail when the file is read, naming the file and the
key path (`file: scenarios[3].turns[2]: what is wrong.`), instead of as a KeyError halfway through generation or as a
silently different corpus. The readers of each file's shape are in `content` and `lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml

from kosum.core.errors import DataError

T = TypeVar("T")
TEXT_DIR = Path(__file__).with_name("text")
NAME = re.compile(r"[a-z][a-z0-9_]*")  # a pool's, slot's or word class's name


@dataclass(frozen=True)
class At:
    """A place in a text file, for one-line errors: `file: scenarios[3].turns[2]: what is wrong.`"""

    file: Path
    path: str = ""

    def __getitem__(self, key: str | int) -> At:
        step = f"[{key}]" if isinstance(key, int) else f".{key}" if self.path else str(key)
        return At(self.file, self.path + step)

    def fail(self, problem: str) -> NoReturn:
        raise DataError(f"{self.file}: {self.path or 'top level'}: {problem}.")


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's where installed) that rejects a key given twice in one mapping, which PyYAML
    would otherwise resolve silently by keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def document(path: Path) -> tuple[Any, At]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader), At(path)  # noqa: S506
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror}).") from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        hint = ("; a text that starts with { [ ' or holds ': ' or ' #' needs double quotes"
                if isinstance(err, yaml.scanner.ScannerError | yaml.parser.ParserError) else "")
        raise DataError(f"{path}: {where}{getattr(err, 'problem', None) or err}{hint}.") from err


def each(raw: Any, at: At, parse: Callable[..., T], *args: Any) -> tuple[T, ...]:
    """`parse(item, at[i], *args)` for every item of the non-empty list `raw`."""
    return tuple(parse(item, at[i], *args) for i, item in enumerate(as_list(raw, at)))


def shown(raw: Any) -> str:
    return text if len(text := repr(raw)) <= 40 else text[:37] + "..."


def fields(raw: Any, at: At, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """`raw` as a mapping that holds every required key and no other than the optional ones."""
    allowed = ", ".join(sorted(required + optional))
    if not isinstance(raw, dict):
        at.fail(f"expected a mapping with the keys {allowed}, got {shown(raw)}")
    for key in raw:
        if key not in required + optional:
            at.fail(f"unknown key {key!r}; allowed: {allowed}")
    for key in required:
        if key not in raw:
            at.fail(f"missing key {key!r}")
    return raw


def as_list(raw: Any, at: At) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        at.fail(f"expected a non-empty list, got {shown(raw)}")
    return raw


def text(raw: Any, at: At) -> str:
    if not isinstance(raw, str) or not raw.strip():
        at.fail(f"expected a text, got {shown(raw)}")
    return raw


def texts(raw: Any, at: At, count: int | None = None) -> tuple[str, ...]:
    if count is not None and len(as_list(raw, at)) != count:
        at.fail(f"expected {count} texts, got {len(raw)}")
    return each(raw, at, text)


def flag(raw: Any, at: At) -> bool:
    if not isinstance(raw, bool):
        at.fail(f"expected true or false, got {shown(raw)}")
    return raw


def one_of(raw: Any, at: At, allowed: Collection[Any], what: str) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or raw not in allowed:
        at.fail(f"{shown(raw)} is no {what}; choose one of {', '.join(map(str, allowed))}")
    return raw
