"""In a real browser (headless Debian Chromium through Selenium): metrics/report.html and the page `dvc plots show`
writes with kosum's vendored template draw, fetch nothing and log no error; the report's sorting and filtering change
the rows shown. Skipped, with the reason, where Chromium or its driver is not installed (the README's test command
installs both)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from stages import evaluate
from tests.conftest import ROOT
from tests.evaluation_project import NOVELTY, _project

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
TOPICS = ["회의 일정", "점심 약속", "주말 등산", "도서관 반납"]
WAIT_S = 30
NETWORK = ("http:", "https:", "ws:", "wss:", "ftp:")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no Chromium: install Debian's chromium and chromium-driver (the README's test command does)")


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # No sandbox (CI runs as root); no background connections: the closed network refuses them and they would
    # pollute the request log the tests read.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT_S)
    yield driver
    driver.quit()


def _requests(driver):
    """(document, URL) of every request since the last call (Chrome's network events)."""
    events = (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
    return [(e["params"].get("documentURL", ""), e["params"]["request"]["url"]) for e in events
            if e["method"] == "Network.requestWillBeSent"]


def _open(driver, page):
    """Load `page`; check that nothing asked the network for anything (Chrome's own start page loads chrome://
    resources, which never leave the browser) and that the page loaded only itself and inline data; no error."""
    _requests(driver)
    driver.get_log("browser")
    driver.get(page.as_uri())
    requests = _requests(driver)
    assert not [url for _, url in requests if url.startswith(NETWORK)], requests
    own = [url for document, url in requests if document == page.as_uri()]
    assert page.as_uri() in own and all(url.startswith(("file://", "data:", "blob:")) for url in own), own
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def _visible(driver):
    """fname and split of the report rows shown, in page order."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#rows article')).filter(a => !a.hidden)"
        ".map(a => [a.querySelectorAll('.tag')[1].textContent, a.dataset.split, a.dataset.novelty])")


def _choose(driver, select_id, label):
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select_id)).select_by_visible_text(label)


def test_report_draws_sorts_and_filters(tmp_path, browser):
    argv = _project(tmp_path, novelty=NOVELTY)
    dev = tmp_path / "processed" / "dev.csv"
    pd.read_csv(dev).assign(topic=TOPICS).to_csv(dev, index=False)
    evaluate.main(argv)
    _open(browser, tmp_path / "metrics" / "report.html")
    assert len(browser.find_elements("css selector", "svg.hist")) == 4  # two rows (m, lead) x two splits
    assert browser.find_element("css selector", "mark").is_displayed()
    fnames = [f"{split}_{i}" for split in ("dev", "test") for i in range(4)]
    assert [row[0] for row in _visible(browser)] == fnames
    assert browser.find_element("id", "count").text == "8 of 8 shown"

    samples = {split: pd.read_csv(tmp_path / "metrics" / "samples" / f"m_{split}.csv") for split in ("dev", "test")}
    finals = {f: r[["rouge1", "rouge2", "rougeL"]].mean() for t in samples.values() for _, r in t.iterrows()
              for f in [r["fname"]]}
    _choose(browser, "sort", "m")
    shown = [row[0] for row in _visible(browser)]
    assert shown != fnames and shown == sorted(fnames, key=lambda f: (finals[f], fnames.index(f)))
    _choose(browser, "order", "highest first")
    assert [row[0] for row in _visible(browser)] == sorted(fnames, key=lambda f: (-finals[f], fnames.index(f)))

    _choose(browser, "split", "test")
    assert {row[1] for row in _visible(browser)} == {"test"} and len(_visible(browser)) == 4
    _choose(browser, "novelty", "unseen")
    assert [row[0] for row in _visible(browser)] == [f for f in fnames if f.startswith("test")
                                                     and NOVELTY[f] == "unseen"]
    assert browser.find_element("id", "count").text == "1 of 8 shown"
    _choose(browser, "split", "all")
    _choose(browser, "novelty", "all")
    browser.find_element("id", "topic").send_keys("등산")
    assert [row[0] for row in _visible(browser)] == ["dev_2"]


def _dvc(cwd, *args):
    """`dvc` of this environment, output to a file (never a pipe a lingering process could hold)."""
    log = cwd / "dvc.log"
    with log.open("a") as out:
        status = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                timeout=120, check=False, env={**os.environ, "DVC_NO_ANALYTICS": "1"}).returncode
    assert status == 0, log.read_text()


def _plots_project(root):
    """A git + DVC project with a DVCLive-style curve and a score table as plots, and kosum's plots template set
    through DVC's own config (`plots.html_template`), as in kosum's `.dvc/config`."""
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    _dvc(root, "init", "-q")
    _dvc(root, "config", "plots.html_template", str(ROOT / "vendor" / "vega" / "dvc-plots.html"))
    (root / "dvc.yaml").write_text("plots:\n  - loss.tsv:\n      x: step\n"
                                   "  - scores.csv:\n      x: dev_final\n      y: model\n"
                                   "      template: bar_horizontal\n")
    pd.DataFrame({"step": [25, 50, 75], "loss": [3.0, 2.1, 1.6]}).to_csv(root / "loss.tsv", sep="\t", index=False)
    pd.DataFrame({"model": ["kobart", "lead"], "dev_final": [48.2, 22.7]}).to_csv(root / "scores.csv", index=False)
    return root


def _charts(driver, expected):
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return document.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length"
    WebDriverWait(driver, WAIT_S).until(lambda d: d.execute_script(script) >= expected)
    return driver.execute_script(script)


@pytest.mark.skipif(shutil.which("git") is None, reason="no git")
def test_dvc_plots_show_and_diff_draw_offline(tmp_path, browser):
    project = _plots_project(tmp_path / "project")
    _dvc(project, "plots", "show", "-o", "shown")
    page = (project / "shown" / "index.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in page and "vega@5.33.1" in page
    _open(browser, project / "shown" / "index.html")
    assert _charts(browser, 2) == 2

    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "plots"], cwd=project,
                   check=True)
    pd.DataFrame({"step": [25, 50, 75], "loss": [2.8, 1.9, 1.2]}).to_csv(project / "loss.tsv", sep="\t", index=False)
    _dvc(project, "plots", "diff", "HEAD", "-o", "diffed")
    page = (project / "diffed" / "index.html").read_text(encoding="utf-8")
    assert '"rev": "HEAD"' in page and '"rev": "workspace"' in page  # both revisions in the drawn data
    _open(browser, project / "diffed" / "index.html")
    assert _charts(browser, 2) == 2
