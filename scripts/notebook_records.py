"""What an executed notebook carries: its execution record, its code fingerprint, its results.

Shared by the executor (which writes the record), the site build (which shows it) and the
tests (which fail on stale notebooks). A notebook is *stale* when its code cells no longer
hash to the fingerprint recorded at its last execution.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "data" / "results.json"
META_KEY = "dlh"  # our namespace inside notebook metadata

# The result record's format is defined once, by the helper the notebooks call.
if str(NOTEBOOKS) not in sys.path:
    sys.path.insert(0, str(NOTEBOOKS))
from kit.report import RESULT_MIME, VERDICTS  # noqa: E402,F401


class NotebookError(ValueError):
    """A notebook file that cannot be read as a notebook."""


def read(path: Path) -> dict:
    """Load a notebook as plain JSON, with an error that names the file and the place."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise NotebookError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from err
    except (OSError, UnicodeDecodeError) as err:
        raise NotebookError(f"{path}: cannot read: {err}") from err
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: not a notebook (no 'cells' list at the top level)")
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or "cell_type" not in cell or "source" not in cell:
            raise NotebookError(f"{path}: cell {i} is malformed (needs 'cell_type' and 'source')")
    return nb


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def fingerprint(nb: dict) -> str:
    """Hash of the code cells only: editing prose does not make a notebook stale."""
    h = hashlib.sha256()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            code = "\n".join(line.rstrip() for line in source(cell).strip().splitlines())
            h.update(code.encode("utf-8") + b"\x00")
    return h.hexdigest()[:16]


def execution(nb: dict) -> dict | None:
    """The record the executor left: scale, device, torch, seconds, date, fingerprint."""
    return nb.get("metadata", {}).get(META_KEY, {}).get("execution")


SCALES = ("smoke", "cpu", "gpu")  # in order of size


def is_stale(nb: dict, scale: str | None = None) -> bool:
    """True when the code changed since the last run, or (given a scale) when the committed
    outputs come from a smaller scale than the one asked for: a notebook run only at cpu
    scale is stale for a gpu run."""
    record = execution(nb)
    if record is None or record.get("fingerprint") != fingerprint(nb):
        return True
    if scale is None:
        return False
    ran = record.get("scale")
    return ran not in SCALES or SCALES.index(ran) < SCALES.index(scale)


def expected_seconds(nb: dict, scale: str) -> tuple[float | None, str]:
    """How long a run at `scale` should take, and where the figure comes from: the last run
    at that scale, else (for gpu) the estimate the notebook declares in metadata["dlh"]."""
    record = execution(nb) or {}
    if record.get("scale") == scale and record.get("seconds") is not None:
        return float(record["seconds"]), f"measured on {record.get('device')}, {record.get('date')}"
    if scale == "gpu":
        estimate = nb.get("metadata", {}).get(META_KEY, {}).get("gpu_estimate_s")
        if isinstance(estimate, (int, float)):
            return float(estimate), "declared estimate, not yet measured on a GPU"
    return None, "no run at this scale yet"


def error_outputs(nb: dict) -> list[str]:
    """Describe every error output left in the notebook (cell index and error name)."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
    return found


def results_of(nb: dict) -> list[dict]:
    """Result records the notebook displayed through kit.report.record()."""
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if RESULT_MIME in data:
                found.append(dict(data[RESULT_MIME]))
    return found


def gather(paths: list[Path]) -> list[dict]:
    """One row per result: the notebook's own numbers plus how and where it was run."""
    rows = []
    for path in paths:
        nb = read(path)
        record = execution(nb) or {}
        for result in results_of(nb):
            rows.append({**result, "notebook": result.get("notebook") or path.stem,
                         "scale": record.get("scale"), "device": record.get("device"),
                         "seconds": record.get("seconds"), "date": record.get("date")})
    return rows


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        # mkstemp creates the file private (0600); keep the mode the file had, or the umask's
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def dumps(nb: dict) -> str:
    """Serialise as Jupyter does (indent 1, sources as lists of lines) to keep diffs small."""
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write_results(paths: list[Path], target: Path = RESULTS) -> list[dict]:
    rows = gather(paths)
    write_atomically(target, json.dumps({"results": rows}, indent=2, ensure_ascii=False) + "\n")
    return rows


def load_results(target: Path = RESULTS) -> list[dict]:
    if not target.exists():
        return []
    return json.loads(target.read_text(encoding="utf-8"))["results"]


def all_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))
