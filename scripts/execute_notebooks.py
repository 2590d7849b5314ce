#!/usr/bin/env python3
"""Execute the site's notebooks and record how they ran (the "GPU runner").

    python scripts/execute_notebooks.py                 # stale notebooks (see below), cpu scale
    python scripts/execute_notebooks.py dnn cnn         # the ones named (topic ids or paths)
    python scripts/execute_notebooks.py --changed --scale gpu --part deep-neural-networks
    python scripts/execute_notebooks.py --all --scale smoke --out /tmp/smoke   # leave sources alone

A notebook is stale for a run at some scale when its code changed since its last execution,
or when its committed outputs come from a smaller scale than the one asked for: `--changed
--scale gpu` re-runs every notebook never run at gpu scale. Before it starts, the command
prints the time each notebook is expected to take (its last run at that scale, or for gpu the
estimate the notebook declares in metadata["dlh"]["gpu_estimate_s"]).

Each notebook runs in its own kernel with DLH_SCALE set (notebooks read it through
kit.run.scale()); CUDA is used when the kernel sees it. On success the notebook is rewritten
atomically with its outputs and an execution record in metadata["dlh"]["execution"]: scale,
device, torch version, seconds, date and the fingerprint of its code cells; then
data/results.json is regathered. On failure the file is left byte-identical and the command
exits non-zero naming the notebook, the cell and the error.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts import notebook_records as records  # noqa: E402

SCALES = records.SCALES
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # tracebacks come coloured from the kernel


def device_name() -> tuple[str, str]:
    """(device, torch version) of this machine, as the notebooks' kernels will see it."""
    try:
        import torch
    except ImportError:
        return platform.processor() or "CPU", "not installed"
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0), torch.__version__
    cpu = platform.processor() or "CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"CPU ({cpu}, {os.cpu_count()} cores)", torch.__version__


def resolve(names: list[str]) -> list[Path]:
    paths = []
    for name in names:
        path = Path(name)
        if not path.suffix:
            path = records.NOTEBOOKS / f"{name}.ipynb"
        if not path.exists():
            raise SystemExit(f"execute_notebooks: no notebook '{name}' (looked for {path})")
        paths.append(path.resolve())
    return paths


def execute_one(path: Path, scale: str, timeout: int, out_dir: Path | None) -> tuple[Path, str | None, float]:
    """Run one notebook; return (path, error message or None, seconds). Never raises."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    start = time.perf_counter()
    try:
        raw = records.read(path)  # clear errors for malformed files before nbformat sees them
        nb = nbformat.reads(records.dumps(raw), as_version=4)
    except (records.NotebookError, nbformat.ValidationError, ValueError) as err:
        return path, f"{err}", 0.0

    os.environ["DLH_SCALE"] = scale
    # OpenMP threads that spin while waiting make PyTorch many times slower on small models
    # when another process shares the cores (--jobs 2 on two cores); sleeping costs nothing here.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(records.NOTEBOOKS)}})
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        cell = _failing_cell(nb)
        lines = ANSI.sub("", str(err)).strip().splitlines()
        summary = next((ln.strip() for ln in reversed(lines) if ln.strip()), "cell failed")
        return path, f"{path.name}: cell {cell} failed: {summary}", time.perf_counter() - start
    except Exception as err:  # kernel died, could not start, ...
        return path, f"{path.name}: execution failed: {type(err).__name__}: {err}", time.perf_counter() - start
    seconds = time.perf_counter() - start

    device, torch_version = device_name()
    executed = nbformat.writes(nb)
    result = json.loads(executed)
    result.setdefault("metadata", {}).setdefault(records.META_KEY, {})["execution"] = {
        "scale": scale, "device": device, "torch": torch_version, "seconds": round(seconds, 1),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "fingerprint": records.fingerprint(result),
    }
    target = (out_dir / path.name) if out_dir else path
    records.write_atomically(target, records.dumps(result))
    return path, None, seconds


def _failing_cell(nb) -> str:
    """Index of the cell whose output holds the error (nbclient stores it before raising)."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return str(i)
    return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="topic ids or notebook paths")
    parser.add_argument("--all", action="store_true", help="every notebook in notebooks/")
    parser.add_argument("--part", help="only the notebooks of this part (a part id of data/catalogue.yaml)")
    parser.add_argument("--changed", action="store_true",
                        help="only notebooks stale for this scale (the default with no names)")
    parser.add_argument("--scale", choices=SCALES, default="cpu")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds allowed per cell (no cell is meant to take longer, at any scale)")
    parser.add_argument("--out", type=Path, help="write executed copies here instead of in place")
    args = parser.parse_args(argv)

    paths = resolve(args.names) if args.names else records.all_notebooks()
    if args.part:
        paths = [p for p in paths if p.stem in _part_topics(args.part)]
    if args.changed or not (args.names or args.all):
        paths = [p for p in paths if _stale_or_unreadable(p, args.scale)]
    if not paths:
        print(f"execute_notebooks: nothing to run (every notebook is current at scale '{args.scale}')")
        return 0
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    print(f"execute_notebooks: {len(paths)} notebook(s) at scale '{args.scale}', {args.jobs} at a time")
    print(expected_times(paths, args.scale, args.jobs))
    failures = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(execute_one, p, args.scale, args.timeout, args.out) for p in paths]
        for job in jobs:
            path, error, seconds = job.result()
            if error:
                failures.append(error)
                print(f"  FAILED {_rel(path)}: {error}", file=sys.stderr)
            else:
                print(f"  ok     {_rel(path)} ({seconds:.1f} s)")

    if not args.out and any(p.parent == records.NOTEBOOKS for p in paths):
        # the scoreboard follows the committed notebooks only
        rows = records.write_results(records.all_notebooks())
        print(f"execute_notebooks: {len(rows)} result(s) gathered into {_rel(records.RESULTS)}")
    if failures:
        print(f"execute_notebooks: {len(failures)} notebook(s) failed; their files were left unchanged",
              file=sys.stderr)
        return 1
    return 0


def _stale_or_unreadable(path: Path, scale: str) -> bool:
    try:
        return records.is_stale(records.read(path), scale)
    except records.NotebookError:
        return True  # let execution report the error


def _part_topics(part_id: str) -> set[str]:
    from scripts import catalogue
    cat = catalogue.load()
    for part in cat.parts:
        if part.id == part_id:
            return {t.id for t in part.topics}
    raise SystemExit(f"execute_notebooks: no part '{part_id}' in data/catalogue.yaml "
                     f"(parts: {', '.join(p.id for p in cat.parts)})")


def expected_times(paths: list[Path], scale: str, jobs: int) -> str:
    """A table of the expected run time per notebook and in all, printed before starting."""
    lines, total, unknown = [], 0.0, 0
    for path in paths:
        try:
            seconds, basis = records.expected_seconds(records.read(path), scale)
        except records.NotebookError:
            seconds, basis = None, "unreadable"
        if seconds is None:
            unknown += 1
        else:
            total += seconds
        shown = "?" if seconds is None else f"{seconds:.0f} s"
        lines.append(f"  expect {shown:>7}  {path.stem}  ({basis})")
    wall = total / max(1, min(jobs, len(paths)))
    lines.append(f"  expect about {wall / 60:.1f} min in all with {jobs} at a time"
                 + (f", plus {unknown} notebook(s) never run at this scale" if unknown else ""))
    return "\n".join(lines)


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(records.ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
