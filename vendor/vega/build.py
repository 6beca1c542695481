"""Vendor Vega, Vega-Lite and Vega-Embed into `dvc-plots.html`, the page template `dvc plots show` fills
(`.dvc/config`: `plots.html_template`), so the plots draw with no network: `python vendor/vega/build.py`.

Design choices:
- DVC's default page loads the same three libraries from a CDN (dvc-render: vega 5, vega-lite 5, vega-embed 6);
  the pins in package.json keep those majors, and `npm ci` installs exactly package-lock.json (integrity-checked).
- The minified builds are inlined: DVC writes its page into any folder (`dvc_plots/`, `-o`), where a relative
  `<script src>` would not resolve. The template has no `{scripts}` placeholder, so DVC's CDN tags are dropped.
- `LICENSES.txt` keeps the licence of every package installed, the libraries the builds bundle among them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILDS = {"vega": "build/vega.min.js", "vega-lite": "build/vega-lite.min.js", "vega-embed": "build/vega-embed.min.js"}
# The vega monorepo's packages ship no LICENSE file; its text (github.com/vega/vega, LICENSE) is kept here.
VEGA_MONOREPO = "https://github.com/vega/vega"
PAGE = """<!DOCTYPE html>
<html>
<head>
    <meta charset="utf-8">
    {{refresh_tag}}
    <title>DVC Plot</title>
    <!-- kosum: {versions}, inlined by vendor/vega/build.py (licences: vendor/vega/LICENSES.txt) -->
{scripts}
    <style>
        table {{
            border-spacing: 15px;
        }}
    </style>
</head>
<body>
    {{plot_divs}}
</body>
</html>
"""


def install(folder: Path) -> Path:
    """`npm ci` of the pinned packages into `folder`; returns its node_modules."""
    for name in ("package.json", "package-lock.json"):
        shutil.copy(HERE / name, folder / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=folder, check=True)
    return folder / "node_modules"


def page(modules: Path) -> str:
    """The template: DVC's page layout with the three builds inline."""
    versions, scripts = [], []
    for name, build in BUILDS.items():
        version = json.loads((modules / name / "package.json").read_text())["version"]
        code = (modules / name / build).read_text(encoding="utf-8")
        if "</script" in code.lower():
            raise ValueError(f"{name}: its build contains '</script', which would end the inline script early.")
        versions.append(f"{name}@{version}")
        scripts.append(f"    <script>/* {name}@{version}, BSD-3-Clause */\n{code}\n    </script>")
    return PAGE.format(versions=", ".join(versions), scripts="\n".join(scripts))


def licences(modules: Path, vega_licence: str) -> str:
    """Every installed package's name, version, licence and licence text."""
    parts = []
    for manifest in sorted(modules.glob("**/package.json")):
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if manifest.parent.parent.name != "node_modules" or "version" not in meta:
            continue  # a build folder's or a test fixture's package.json, not a package
        texts = sorted(p for p in manifest.parent.iterdir() if p.name.lower().startswith(("license", "licence")))
        text = "\n".join(p.read_text(encoding="utf-8") for p in texts)
        if not text and meta["name"].startswith("vega"):
            text = f"(the vega monorepo's licence, {VEGA_MONOREPO}/blob/main/LICENSE)\n{vega_licence}"
        header = f"{meta['name']}@{meta['version']}: {meta.get('license', 'see its repository')}"
        parts.append(f"{'=' * 78}\n{header}\n{'=' * 78}\n{text or '(no licence text in the package)'}\n")
    return "\n".join(parts)


def main() -> None:
    vega_licence = (HERE / "VEGA_LICENSE").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        modules = install(Path(tmp))
        (HERE / "dvc-plots.html").write_text(page(modules), encoding="utf-8")
        (HERE / "LICENSES.txt").write_text(licences(modules, vega_licence), encoding="utf-8")


if __name__ == "__main__":
    main()
