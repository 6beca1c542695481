"""The README stays a user's page (at most about 250 lines), runs the test command CI runs, and links every topic
document in docs/ (and only existing ones). Pointers elsewhere stay true: a `README "X"` reference names a README
heading (or a bold paragraph lead such as **Real data and checkpoints.**), and a `src/...` path exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# README "X", README: "X", README's "X" (section), README under "X"; not data/README.md or another project's README.
README_REF = re.compile(r"""(?<![\w/.])README(?:\.md)?(?:'s|:|\s+under)?\s+["“]([^"”\n]+)["”]""")
# A path under src/, ending on a name or a slash (so a sentence's full stop is not part of it).
SRC_PATH = re.compile(r"(?<![\w/.-])src/[\w./-]*[\w/]")


def _readme_sections() -> set[str]:
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    titles = re.findall(r"^#+\s+(.+?)\s*$", prose, re.M) + re.findall(r"^\*\*(.+?)\*\*", prose, re.M)
    return {" ".join(t.rstrip(".:").split()) for t in titles}


def _pointing_files() -> list[Path]:
    """The files whose prose points at the README or the code. docs/LOG.md is dated history: it names files and
    sections as they were then."""
    paths = [*ROOT.glob("docs/*.md"), *ROOT.glob("configs/**/*.yaml"), ROOT / "params.yaml", ROOT / "data/README.md",
             *ROOT.glob("bench/*.py"), *ROOT.glob("src/**/*.py")]
    return sorted(p for p in paths if p != ROOT / "docs/LOG.md")


def _text(path: Path) -> str:
    """The file, and for YAML and Python also its comments joined, so a reference wrapped onto the next comment
    line is read whole."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return text
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    return text + "\n" + "\n".join(comments)


def test_reference_patterns_catch_the_forms_in_use():
    text = ('see README "Several machines"; (README: "Same results?") the main README under\n"Data checks",'
            " the README's \"Ensembles\" section; (src/kosum/config.py documents) src/kosum/core/config/.")
    assert README_REF.findall(text) == ["Several machines", "Same results?", "Data checks", "Ensembles"]
    assert SRC_PATH.findall(text) == ["src/kosum/config.py", "src/kosum/core/config/"]
    assert not README_REF.findall('tests/assets/README.md "x", data/README "y", KoAlpaca README: `### 질문`')
    assert not SRC_PATH.findall("github.com/a/src/b, kosum.src/x")


def test_readme_references_name_a_readme_section():
    sections = _readme_sections()
    stale = set()
    for path in _pointing_files():
        for ref in README_REF.findall(_text(path)):
            if " ".join(ref.split()) not in sections:
                stale.add(f'{path.relative_to(ROOT)}: README "{ref}" is no heading of README.md')
    assert not stale, "\n".join(sorted(stale))


def test_src_paths_exist():
    missing = set()
    for path in _pointing_files():
        for name in SRC_PATH.findall(_text(path)):
            if not (ROOT / name).exists():
                missing.add(f"{path.relative_to(ROOT)}: {name} does not exist")
    assert not missing, "\n".join(sorted(missing))


def test_readme_is_short_and_its_test_command_is_what_ci_runs():
    assert len(README.splitlines()) <= 250
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert blocks[1] in (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert blocks[0].endswith("&& dvc repro")


def test_readme_links_every_doc_and_every_link_exists():
    linked = set(re.findall(r"`(docs/[\w.-]+\.md)`", README))
    present = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert linked == present, (linked - present, present - linked)
    for doc in (ROOT / "docs").glob("*.md"):
        for name in re.findall(r"`?(docs/[\w.-]+\.md)`?", doc.read_text(encoding="utf-8")):
            assert (ROOT / name).exists(), f"{doc.name} links {name}"
