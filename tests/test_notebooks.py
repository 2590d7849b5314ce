"""Committed notebooks are executed, clean and current; the executor never half-writes a file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import notebook_records as records
from scripts import notebook_rules as rules

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
    results = records.results_of(nb)
    assert results, f"{path.name} reports no result through kit.report.record()"
    assert results[0].get("kind") == "headline", \
        f"{path.name}: the first record must test the paper's own claim (kind 'headline'), not {results[0].get('kind')!r}"
    for r in results:
        assert r.get("seeds", 0) >= 3, (f"{path.name}: '{r['claim'][:60]}...' was judged on "
                                        f"{r.get('seeds')} seed(s); a verdict at {run['scale']} scale needs at least 3")
        assert r.get("data") and r.get("rule") and r.get("verdict") in records.VERDICTS, \
            f"{path.name}: a record lacks its data source, rule or verdict: {r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_verdict_rules(path):
    """A prose rule above each Rule, every Rule before the first training; no verdict typed in
    code; no measured value or verdict word typed into prose or alt text."""
    problems = rules.check(records.read(path), path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_declares_a_gpu_run_that_fits_the_gpu_time_there_is(path):
    """One H100 is lent for 15 minutes in all, 10 per command: a notebook's gpu scale must run in
    at most 3 minutes, so one call can run a whole part."""
    seconds, basis = records.expected_seconds(records.read(path), "gpu")
    assert seconds is not None, f"{path.name}: declare metadata.dlh.gpu_estimate_s (expected gpu-scale seconds)"
    assert seconds <= GPU_SECONDS_PER_NOTEBOOK, f"{path.name}: gpu scale expected to take {seconds:.0f} s ({basis})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_runs_long(path):
    """A cell that trains many nets at once comes near the per-cell timeout at a larger scale:
    split it. The committed run's timings (nbclient's per-cell timestamps) show each cell."""
    timings = cell_seconds(records.read(path))
    assert timings, f"{path.name} carries no cell timings: run it with scripts/execute_notebooks.py"
    for i, seconds in timings.items():
        assert seconds <= CELL_SECONDS, f"{path.name}: cell {i} ran {seconds:.0f} s; split it into shorter cells"


def cell_seconds(nb: dict) -> dict[int, float]:
    from datetime import datetime
    found = {}
    for i, cell in enumerate(nb["cells"]):
        stamps = cell.get("metadata", {}).get("execution", {})
        start, end = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
        if start and end:
            found[i] = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                        - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    return found


CELL_SECONDS = 300  # half the executor's per-cell timeout
GPU_SECONDS_PER_NOTEBOOK = 180
GPU_SECONDS_PER_CALL = 540  # one device command may run 600 s; leave room for start-up


def test_each_part_runs_at_gpu_scale_in_one_device_call():
    """scripts/gpu_notebooks.sh runs a part's notebooks several at a time on one GPU."""
    import re
    from scripts import catalogue
    script = (ROOT / "scripts" / "gpu_notebooks.sh").read_text()
    jobs = int(re.search(r"^JOBS=\$\{JOBS:-(\d+)\}", script, re.M).group(1))
    for part in catalogue.load().parts:
        paths = [p for p in NOTEBOOKS if p.stem in {t.id for t in part.topics}]
        total = sum(records.expected_seconds(records.read(p), "gpu")[0] or 0 for p in paths)
        assert total / jobs <= GPU_SECONDS_PER_CALL, \
            f"{part.id}: {total:.0f} s at gpu scale, {jobs} at a time: more than one call allows"


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
    for cell in cells:  # prose rendered from values reads as prose: its code is not shown
        if cell["cell_type"] == "code" and "kit.report.say(" in records.source(cell):
            assert "remove-input" in cell["metadata"].get("tags", []), \
                f"{path.name}: a cell that writes prose with kit.report.say is not tagged remove-input"
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


def test_a_notebook_run_at_a_smaller_scale_is_stale_for_a_larger_one(tmp_path):
    """`--changed --scale gpu` re-runs every notebook never run at gpu scale: a notebook's
    committed outputs from a cpu run do not satisfy a gpu request."""
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(_notebook(["import os", "print(os.environ['DLH_SCALE'])"])))
    assert subprocess.run([*EXECUTE, str(path), "--scale", "smoke"], capture_output=True).returncode == 0
    nb = records.read(path)
    assert not records.is_stale(nb, "smoke") and records.is_stale(nb, "cpu") and records.is_stale(nb, "gpu")

    same = subprocess.run([*EXECUTE, str(path), "--changed", "--scale", "smoke"], capture_output=True, text=True)
    assert same.returncode == 0 and "nothing to run" in same.stdout
    larger = subprocess.run([*EXECUTE, str(path), "--changed", "--scale", "cpu"], capture_output=True, text=True)
    assert larger.returncode == 0 and "ok     " in larger.stdout, larger.stdout + larger.stderr
    assert "expect" in larger.stdout  # the expected time is printed before the run starts
    rerun = records.read(path)
    assert records.execution(rerun)["scale"] == "cpu" and not records.is_stale(rerun, "cpu")
    assert records.is_stale(rerun, "gpu") and not records.is_stale(rerun, "smoke")


def test_expected_gpu_time_is_the_last_gpu_run_else_the_declared_estimate():
    nb = {"cells": [], "metadata": {"dlh": {"gpu_estimate_s": 120,
                                            "execution": {"scale": "cpu", "seconds": 200.0, "fingerprint": "x"}}}}
    assert records.expected_seconds(nb, "gpu") == (120.0, "declared estimate, not yet measured on a GPU")
    assert records.expected_seconds(nb, "cpu")[0] == 200.0
    nb["metadata"]["dlh"]["execution"].update(scale="gpu", seconds=95.5, device="H100", date="2026-12-05")
    assert records.expected_seconds(nb, "gpu") == (95.5, "measured on H100, 2026-12-05")


def test_the_gpu_script_runs_every_notebook_of_a_part_not_yet_run_at_that_scale(tmp_path):
    """scripts/gpu_notebooks.sh, tried at a small scale in a copy of the project: the part's
    notebook that was run only at a smaller scale is executed, the one already current is not."""
    import shutil
    for name in ("scripts", "data"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "notebooks").mkdir()
    shutil.copytree(ROOT / "notebooks" / "kit", tmp_path / "notebooks" / "kit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for topic in ("dnn", "cnn", "lstm"):  # dnn, cnn: deep-neural-networks; lstm: another part
        (tmp_path / "notebooks" / f"{topic}.ipynb").write_text(
            json.dumps(_notebook(["import os", "print(os.environ['DLH_SCALE'])"])))
    copy_execute = [sys.executable, str(tmp_path / "scripts" / "execute_notebooks.py")]
    subprocess.run([*copy_execute, "--all", "--scale", "smoke"], capture_output=True, check=True)
    subprocess.run([*copy_execute, "cnn", "--scale", "cpu"], capture_output=True, check=True)

    env = {**_cpu_env(), "PYTHON": sys.executable, "SCALE": "cpu"}
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "gpu_notebooks.sh"), "deep-neural-networks"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "expect" in result.stdout and "ok     notebooks/dnn.ipynb" in result.stdout
    scales = {t: records.execution(records.read(tmp_path / "notebooks" / f"{t}.ipynb"))["scale"]
              for t in ("dnn", "cnn", "lstm")}
    assert scales == {"dnn": "cpu", "cnn": "cpu", "lstm": "smoke"}
