"""The README stays a user's page (at most about 250 lines), runs the test command CI runs, and links every topic
document in docs/ (and only existing ones)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


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
