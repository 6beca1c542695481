"""Seen / unseen: each row's score on the dev and test dialogues whose scenario training never showed, apart from the
others.

Why: a model can score well by recalling the scenarios it was trained on; the unseen subset shows how much of its
score carries over to a new one. The optional `novelty.csv` (`fname, novelty`: `seen` | `unseen`, one row per dev and
test dialogue) says which is which. The competition's data has none, and then the evaluation output is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kosum.core.errors import DataError
from kosum.data.reading import read_processed, read_split
from kosum.evaluation.samples import mean_scores

NOVELTY = "novelty"
KINDS = ("seen", "unseen")
SHOWN_IDS = 5  # missing fnames listed in an error message


def read_novelty(data_dir: Path) -> dict[str, str] | None:
    """fname -> `seen` | `unseen` from `data_dir/novelty.csv`, checked against the dev and test fnames; None
    without the file."""
    path = data_dir / f"{NOVELTY}.csv"
    if not path.exists():
        return None
    frame = read_split(path, NOVELTY).frame  # required columns, no empty value, unique fnames
    fnames = [f for split in ("dev", "test") for f in read_processed(data_dir / f"{split}.csv")["fname"]]
    _check_rows(frame, ~frame[NOVELTY].isin(KINDS), NOVELTY, path, "is not 'seen' or 'unseen'; use one of the two")
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


def _cell(table: pd.DataFrame | None, kind: str) -> str:
    subset = None if table is None else table[table[NOVELTY] == kind]
    return "-" if subset is None or subset.empty else f"{mean_scores(subset).final:.2f}"


def novelty_table(tables: dict[str, dict[str, pd.DataFrame]], order: list[str]) -> str | None:
    """Markdown: each row of `order`'s `final` on the seen and unseen dialogues of each split (`tables`: model ->
    split -> per-sample table), with the subset sizes in the header; None when the tables carry no novelty."""
    splits = sorted({split for by_split in tables.values() for split in by_split})
    first = {split: next(t[split] for t in tables.values() if split in t) for split in splits}
    if any(NOVELTY not in table for table in first.values()):
        return None
    sizes = {split: table[NOVELTY].value_counts() for split, table in first.items()}
    columns = [f"{split} {kind} (n={sizes[split].get(kind, 0)})" for split in splits for kind in KINDS]
    lines = [
        ("Seen / unseen: `final` on the dialogues whose scenario training has (seen) or has not (unseen) shown "
         "(`novelty.csv`)."),
        "",
        "| model | " + " | ".join(columns) + " |",
        "|---" * (1 + len(columns)) + "|",
    ]
    for model in order:
        cells = [_cell(tables[model].get(split), kind) for split in splits for kind in KINDS]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
