"""Reading, validating and cleaning competition-format CSVs (`fname, dialogue, summary, topic`).

Decisions a user should know (also in the README):
- Errors (the run stops, nothing is written): a missing required file or column, a file with a header but no rows,
  an unknown `*.csv` in the raw folder, a file that is not UTF-8, an empty or whitespace-only dialogue, a duplicate
  `fname`, an empty summary in train/dev or in the test answers.
- Clean-up (silently fixed, counted in `stats.json`): a literal `\\n` or `<br>` in place of a newline, runs of
  spaces, spaces before a line break, speaker-tag spelling (`#Person1# :`, `# Person1 #:`, `#person1#:` become
  `#Person1#: `), blank lines, a dialogue with every turn on one line (split so each turn starts a line; only a tag
  followed by a colon starts a turn, so `#Person2#에게` inside a turn stays).
- Kept but counted in `stats.json`: stray compatibility jamo (`ㅋ`, `ㅜ`) typed into words; a typo cannot be
  corrected without knowing the word.
- With a `sample_submission.csv`, the test split takes its row order (the order every submission must follow, checked
  before one is written: `kosum.core.io.check_submission`); a fname in one of the two files but not in the other is
  an error.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kosum.core.errors import DataError
from kosum.core.io import SAMPLE_SUBMISSION


@dataclass(frozen=True)
class SplitSpec:
    """What a raw file must contain."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    nonempty: tuple[str, ...] = ()
    must_exist: bool = True


SPLITS: dict[str, SplitSpec] = {
    "train": SplitSpec(("fname", "dialogue", "summary"), ("topic",), ("dialogue", "summary")),
    "dev": SplitSpec(("fname", "dialogue", "summary"), ("topic",), ("dialogue", "summary")),
    "test": SplitSpec(("fname", "dialogue"), ("topic",), ("dialogue",)),
    "test_answers": SplitSpec(
        ("fname", "summary_1"), ("summary_2", "summary_3"), ("summary_1",), must_exist=False
    ),
    "sample_submission": SplitSpec(("fname",), ("summary",), must_exist=False),
    # which dev/test dialogues come from a scenario (`unseen`) or hold words (`new_words`) never seen in training, or
    # neither (`seen`); the embedded corpus writes it, the competition has none
    "novelty": SplitSpec(("fname", "novelty"), (), ("novelty",), must_exist=False),
}
# a user's own dialogues (`kosum summarize`): fname (default: the row number) and topic optional
DIALOGUES = SplitSpec(("dialogue",), ("fname", "topic"), ("dialogue",))
TEXT_COLUMNS = ("dialogue", "summary", "summary_1", "summary_2", "summary_3")

_LITERAL_NEWLINE = re.compile(r"\\n|<br\s*/?>", re.IGNORECASE)
_SPEAKER = re.compile(r"#\s*[Pp]erson\s*(\d+)\s*#[ \t]*:[ \t]*")
_SPACES = re.compile(r"[ \t\u00a0\u3000]{2,}")
_SPACE_BEFORE_NEWLINE = re.compile(r"[ \t\u00a0\u3000]+\n")
# a turn's tag after other text on its line: a one-line dialogue (a tag with no colon is a mention, not a turn)
_TURN_MID_LINE = re.compile(r"(?<=\S)[ \t\u00a0\u3000]*" + _SPEAKER.pattern)
_JAMO = re.compile(r"[\u3131-\u318e]")  # Hangul compatibility jamo: never part of a composed syllable


def clean_text(text: str) -> str:
    """Undo the formatting noise of the real data while keeping every word and tag."""
    text = _newlines(text)
    # every turn's tag starts a line: re-splits one-line dialogues; the blank lines this leaves are dropped below
    text = _SPEAKER.sub(lambda m: f"\n#Person{m.group(1)}#: ", text)
    text = _SPACES.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def noise_counts(text: str) -> dict[str, int]:
    """How many of each noise kind `clean_text` fixes (or, for stray jamo, keeps) in `text` (reported in
    stats.json)."""
    lines = _newlines(text)
    return {
        "literal_newline": len(re.findall(r"\\n", text)),
        "br_tag": len(re.findall(r"<br\s*/?>", text, re.IGNORECASE)),
        "speaker_tag_spacing": sum(m.group(0) != f"#Person{m.group(1)}#: " for m in _SPEAKER.finditer(text)),
        "repeated_spaces": len(_SPACES.findall(text)),
        "space_before_newline": len(_SPACE_BEFORE_NEWLINE.findall(lines)),
        "one_line_turns": len(_TURN_MID_LINE.findall(lines)),
        "stray_jamo": len(_JAMO.findall(text)),
    }


def _newlines(text: str) -> str:
    """Every spelling of a line break (CRLF, CR, a literal `\\n`, `<br>`) as one `\\n`."""
    return _LITERAL_NEWLINE.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Split:
    """One validated, cleaned split and the clean-ups that were applied to it."""

    frame: pd.DataFrame
    fixes: dict[str, int]


def read_split(path: Path, split: str, spec: SplitSpec | None = None) -> Split:
    """Read and validate one raw split (`spec`: what it must hold; default: the split's own); every value is a string,
    text columns are cleaned, and a file without `fname` gets the row numbers (1, 2, ...)."""
    spec = spec or SPLITS[split]
    frame = _read_csv(path)
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}.")
    if frame.empty:
        raise DataError(f"{path}: has a header but no rows; every {split} file needs at least one row.")
    keep = [c for c in (*spec.required, *spec.optional) if c in frame.columns]
    frame = frame[keep].copy()
    if "fname" not in frame.columns:
        frame.insert(0, "fname", [str(row) for row in range(1, len(frame) + 1)])
    _check_unique_fnames(frame, path)
    fixes = dict.fromkeys(noise_counts(""), 0)
    for column in (c for c in keep if c in TEXT_COLUMNS):
        for text in frame[column]:
            for kind, count in noise_counts(text).items():
                fixes[kind] += count
        frame[column] = frame[column].map(clean_text)
    for column in spec.nonempty:
        _check_nonempty(frame, column, path)
    return Split(frame.reset_index(drop=True), fixes)


def read_raw_dir(raw_dir: Path) -> dict[str, Split]:
    """Read every split of a raw folder, validating all of them before anything is written."""
    if not raw_dir.is_dir():
        raise DataError(f"{raw_dir}: raw data folder does not exist; set preprocess.raw_dir in params.yaml.")
    known = {f"{name}.csv" for name in SPLITS}
    unknown = sorted(p.name for p in raw_dir.glob("*.csv") if p.name not in known)
    if unknown:
        raise DataError(f"{raw_dir}: unknown file(s) {unknown}; expected only {sorted(known)}.")
    splits = {}
    for split, spec in SPLITS.items():
        path = raw_dir / f"{split}.csv"
        if path.exists():
            splits[split] = read_split(path, split)
        elif spec.must_exist:
            raise DataError(f"{path}: required file is missing (expected {sorted(known)}).")
    if "sample_submission" in splits:
        splits["test"] = in_sample_order(splits["test"], list(splits["sample_submission"].frame["fname"]), raw_dir)
    return splits


def in_sample_order(test: Split, sample: list[str], raw_dir: Path) -> Split:
    """The test split in the row order of the sample submission's fnames `sample`; both files must list the same
    dialogues, or no submission could ever match (the error names the first fname one of them lacks)."""
    fnames = list(test.frame["fname"])
    for path, ids, other, other_name in ((raw_dir / SAMPLE_SUBMISSION, sample, fnames, "test.csv"),
                                         (raw_dir / "test.csv", fnames, sample, SAMPLE_SUBMISSION)):
        known = set(other)
        row = next((i for i, fname in enumerate(ids) if fname not in known), None)
        if row is not None:
            raise DataError(f"{path}, row {row + 1}: fname {ids[row]!r} is not in {other_name}; the test file and the "
                            "sample submission must list the same dialogues.")
    position = {fname: i for i, fname in enumerate(fnames)}
    return Split(test.frame.iloc[[position[f] for f in sample]].reset_index(drop=True), test.fixes)


def sample_fnames(data_dir: Path) -> list[str] | None:
    """The test fnames in the order a submission must list them (the processed `sample_submission.csv`, which
    preprocess carries over from the raw folder), or None where the raw folder had none."""
    path = data_dir / SAMPLE_SUBMISSION
    return list(read_processed(path)["fname"]) if path.exists() else None


def read_processed(path: Path) -> pd.DataFrame:
    """A split written by `preprocess` (already validated): every value a string, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def topic_list(frame: pd.DataFrame) -> list[str | None]:
    """Each row's topic, or None for every row where the split has no `topic` column (the test split may not)."""
    return list(frame["topic"]) if "topic" in frame.columns else [None] * len(frame)


def splits_without_topic(data_dir: Path) -> list[str]:
    """The processed splits of `data_dir` that have no `topic` column (the competition's test.csv)."""
    return [split for split in ("train", "dev", "test") if (data_dir / f"{split}.csv").exists()
            and "topic" not in pd.read_csv(data_dir / f"{split}.csv", dtype=str, nrows=0).columns]


def references(frame: pd.DataFrame) -> list[list[str]]:
    """All non-empty references per row: `summary` for dev, `summary_1..3` for test answers."""
    columns = [c for c in ("summary", "summary_1", "summary_2", "summary_3") if c in frame.columns]
    return [[v for v in row if v] for row in frame[columns].itertuples(index=False)]


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(f"{path}: not UTF-8 (byte {err.start}, line {line}); re-save the file as UTF-8.") from err
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{path}: not a valid CSV ({err}).") from err


def _check_unique_fnames(frame: pd.DataFrame, path: Path) -> None:
    duplicated = frame["fname"].duplicated()
    if duplicated.any():
        row = int(duplicated.idxmax())
        raise DataError(
            f"{path}, row {row + 1}, column 'fname': duplicate fname {frame['fname'][row]!r}; fnames must be unique."
        )


def _check_nonempty(frame: pd.DataFrame, column: str, path: Path) -> None:
    empty = frame[column].str.len() == 0
    if empty.any():
        row = int(empty.idxmax())
        raise DataError(
            f"{path}, row {row + 1} (fname {frame['fname'][row]!r}), column '{column}': empty or whitespace-only."
        )
