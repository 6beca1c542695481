"""Seen / unseen / new words: each row's scores on the dev and test dialogues whose scenario training never showed, or
whose names and objects never occur in train, apart from the others.

Why: a model can score well by recalling the scenarios it was trained on; the unseen subset shows how much of its
score carries over to a new one, and the new-words subset how it copes with words it never learned (it tends to put
memorised ones in their place: entity recall shows it). The optional `novelty.csv` (`fname, novelty`: `seen` |
`unseen` | `new_words`, one row per dev and test dialogue) says which is which. The competition's data has none, and
then the evaluation output is unchanged; a kind no dialogue has gets no column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pandas as pd

from kosum.core.errors import DataError
from kosum.data.reading import read_processed, read_split
from kosum.evaluation.samples import Tables, mean_scores

NOVELTY = "novelty"
KINDS = ("seen", "unseen", "new_words")
SHOWN_IDS = 5  # missing fnames listed in an error message
NEW_WORDS_NOTE = " new_words: the dialogues whose names and objects train never uses."


def read_novelty(data_dir: Path) -> dict[str, str] | None:
    """fname -> a kind of `KINDS` from `data_dir/novelty.csv`, checked against the dev and test fnames; None
    without the file."""
    path = data_dir / f"{NOVELTY}.csv"
    if not path.exists():
        return None
    frame = read_split(path, NOVELTY).frame  # required columns, no empty value, unique fnames
    fnames = [f for split in ("dev", "test") for f in read_processed(data_dir / f"{split}.csv")["fname"]]
    _check_rows(frame, ~frame[NOVELTY].isin(KINDS), NOVELTY, path, f"is not one of {', '.join(KINDS)}; use one of them")
    _check_rows(frame, ~frame["fname"].isin(fnames), "fname", path, "is not a dev or test fname; drop that row")
    listed = set(frame["fname"])
    missing = [f for f in fnames if f not in listed]
    if missing:
        raise DataError(f"{path}, column 'fname': no row for {len(missing)} dev/test fname(s) "
                        f"{missing[:SHOWN_IDS]}; give each dev and test dialogue one row.")
    return dict(zip(frame["fname"], frame[NOVELTY]))


def _check_rows(frame: pd.DataFrame, bad: pd.Series, column: str, path: Path, problem: str) -> None:
    """A one-line error naming the first row where `bad` holds."""
    if bad.any():
        row = int(bad.idxmax())
        raise DataError(f"{path}, row {row + 1} (fname {frame['fname'][row]!r}), column '{column}': "
                        f"{frame[column][row]!r} {problem}.")


def with_novelty(table: pd.DataFrame, novelty: dict[str, str]) -> pd.DataFrame:
    """A per-sample table with each dialogue's `novelty` as its last column."""
    return table.assign(**{NOVELTY: table["fname"].map(novelty)})


def present_kinds(tables: Iterable[pd.DataFrame]) -> tuple[str, ...]:
    """The kinds of `KINDS` that some row of `tables` has, in that order; none without novelty."""
    found = {kind for table in tables if NOVELTY in table for kind in table[NOVELTY]}
    return tuple(kind for kind in KINDS if kind in found)


def kind_grid(tables: Tables, order: Sequence[str], cell: Callable[[pd.DataFrame], str], *,
              overall: str | None = None) -> list[str]:
    """Markdown header, rule and one line per row of `order` (`tables`: model -> split -> per-sample table): `cell`
    of each split's rows (headed `overall`, where given) and of its rows of each present kind (with their count);
    `-` where a model has no such rows."""
    splits = sorted({split for by_split in tables.values() for split in by_split})
    first = {split: next(t[split] for t in tables.values() if split in t) for split in splits}
    kinds = present_kinds(first.values())
    columns: list[tuple[str, str, str | None]] = []  # header, split, kind (None: every row)
    for split in splits:
        if overall is not None:
            columns.append((f"{split} {overall}", split, None))
        counts = first[split][NOVELTY].value_counts() if kinds else {}
        columns += [(f"{split} {kind} (n={counts.get(kind, 0)})", split, kind) for kind in kinds]
    lines = ["| model | " + " | ".join(header for header, _, _ in columns) + " |", "|---" * (1 + len(columns)) + "|"]
    for model in order:
        cells = []
        for _, split, kind in columns:
            table = tables[model].get(split)
            subset = table if table is None or kind is None else table[table[NOVELTY] == kind]
            cells.append("-" if subset is None or subset.empty else cell(subset))
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines


def novelty_table(tables: Tables, order: list[str]) -> str | None:
    """Markdown: each row of `order`'s `final` on the dialogues of each present kind of each split (`tables`: model ->
    split -> per-sample table), with the subset sizes in the header; None when the tables carry no novelty."""
    kinds = present_kinds(t for by_split in tables.values() for t in by_split.values())
    if not kinds:
        return None
    lines = [
        ("Seen / unseen: `final` on the dialogues whose scenario training has (seen) or has not (unseen) shown "
         "(`novelty.csv`)." + (NEW_WORDS_NOTE if "new_words" in kinds else "")),
        "",
        *kind_grid(tables, order, lambda subset: f"{mean_scores(subset).final:.2f}"),
    ]
    return "\n".join(lines) + "\n"
