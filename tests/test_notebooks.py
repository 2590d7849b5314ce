"""Committed notebooks are executed, clean and current; the executor never half-writes a file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import notebook_records as records

ROOT = Path(__file__).resolve().parent.parent
EXECUTE = [sys.executable, str(ROOT / "scripts" / "execute_notebooks.py")]
NOTEBOOKS = records.all_notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_executed_clean_and_current(path):
    nb = records.read(path)
    run = records.execution(nb)
    assert run is not None, f"{path.name} was never run by scripts/execute_notebooks.py"
    assert run["scale"] in ("cpu", "gpu"), f"{path.name} was committed from a {run['scale']} run"
    assert not records.error_outputs(nb), f"{path.name} has error outputs: {records.error_outputs(nb)}"
    assert not records.is_stale(nb), (f"{path.name} is stale: its code changed since it was executed; "
                                      f"run `make notebooks NAMES={path.stem}`")
    assert records.results_of(nb), f"{path.name} reports no result through kit.report.record()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_like_the_article_the_brief_asks_for(path):
    """Title, a claim box linking the paper's note, a link back to the topic page, a check
    against PyTorch's built-in, and a plot whose every image carries alt text."""
    from scripts import catalogue
    topic = catalogue.load().topic(path.stem)
    cells = records.read(path)["cells"]
    markdown = [records.source(c) for c in cells if c["cell_type"] == "markdown"]
    code = "\n".join(records.source(c) for c in cells if c["cell_type"] == "code")
    assert markdown and markdown[0].strip() == f"# {topic.title}", f"{path.name}: first cell must be '# {topic.title}'"
    opening = "\n".join(markdown[:3])
    assert "The claim" in opening, f"{path.name}: no claim box at the top"
    assert any(f'href="../#{paper.id}"' in opening for paper in topic.papers), \
        f"{path.name}: the claim box links none of {[p.id for p in topic.papers]}' notes"
    assert "](../)" in opening, f"{path.name}: no link back to the topic page"
    assert "kit.report.record(" in code and "kit.run.pick(" in code
    assert "assert_close" in code, f"{path.name}: the mechanism is never checked against a built-in"
    plots = [c for c in cells if c["cell_type"] == "code"
             and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    assert plots, f"{path.name}: no plot"
    for cell in plots:
        assert cell["metadata"].get("alt", "").strip(), \
            f"{path.name}: a plot has no alt text: {records.source(cell)[:60]!r}"


def test_results_file_matches_the_notebooks():
    assert records.load_results() == records.gather(NOTEBOOKS), \
        "data/results.json is out of date: run scripts/execute_notebooks.py"


def test_every_notebook_smoke_executes_on_cpu(tmp_path):
    result = subprocess.run([*EXECUTE, "--all", "--scale", "smoke", "--jobs", "2", "--out", str(tmp_path)],
                            capture_output=True, text=True, env=_cpu_env())
    assert result.returncode == 0, result.stdout + result.stderr
    for path in NOTEBOOKS:
        done = records.read(tmp_path / path.name)
        assert records.execution(done)["scale"] == "smoke"
        assert not records.error_outputs(done)
        assert records.results_of(done), f"{path.name} reported no result at smoke scale"


def _cpu_env() -> dict:
    import os
    return {**os.environ, "CUDA_VISIBLE_DEVICES": ""}


def _notebook(cells: list[str]) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": src,
                       "outputs": [], "execution_count": None} for i, src in enumerate(cells)]}


def test_a_failing_cell_leaves_the_file_byte_identical_and_names_cell_and_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(_notebook(["x = 1", "print('fine')", "raise ValueError('learning rate too high')"])))
    before = path.read_bytes()
    result = subprocess.run([*EXECUTE, str(path), "--scale", "smoke"], capture_output=True, text=True)
    assert result.returncode != 0
    assert path.read_bytes() == before
    assert "broken.ipynb" in result.stderr and "cell 2" in result.stderr
    assert "ValueError: learning rate too high" in result.stderr
    assert not list(tmp_path.glob(".broken.ipynb.*")), "a temporary file was left behind"


def test_a_successful_run_records_scale_device_time_and_fingerprint(tmp_path):
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(_notebook(["import os", "print(os.environ['DLH_SCALE'])"])))
    result = subprocess.run([*EXECUTE, str(path), "--scale", "smoke"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    nb = records.read(path)
    run = records.execution(nb)
    assert run["scale"] == "smoke" and run["device"] and run["torch"] and run["date"]
    assert run["seconds"] >= 0 and run["fingerprint"] == records.fingerprint(nb)
    assert "".join(nb["cells"][1]["outputs"][0]["text"]) == "smoke\n"
    # editing the code makes it stale; editing prose does not
    nb["cells"].append({"cell_type": "markdown", "id": "m", "metadata": {}, "source": "prose"})
    assert not records.is_stale(nb)
    nb["cells"][0]["source"] = "import sys"
    assert records.is_stale(nb)


@pytest.mark.parametrize("content, expected", [
    ("{ not json", "not valid JSON (line 1"),
    ('{"metadata": {}}', "not a notebook (no 'cells' list"),
    ('{"cells": [{"source": "x"}]}', "cell 0 is malformed"),
])
def test_a_malformed_notebook_gives_a_clear_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    result = subprocess.run([*EXECUTE, str(path)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "bad.ipynb" in result.stderr and expected in result.stderr
    assert path.read_text() == content


def test_atomic_writes_keep_the_file_mode(tmp_path):
    path = tmp_path / "results.json"
    records.write_atomically(path, "{}")
    assert path.stat().st_mode & 0o777 == 0o666 & ~records._umask()  # not mkstemp's 0600
    path.chmod(0o640)
    records.write_atomically(path, "{ }")
    assert path.read_text() == "{ }" and path.stat().st_mode & 0o777 == 0o640
