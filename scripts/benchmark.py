#!/usr/bin/env python3
"""Benchmark the site's build against a stock mkdocs-jupyter set-up on the same content.

    python scripts/benchmark.py [--rebuilds 3]

Both set-ups are built in temporary copies (the working tree is never touched):
  ours   this project as it is (lean notebook template, shared stylesheet, offline assets);
  stock  the same Markdown pages (generated pages written out), the same notebooks placed
         in docs/, mkdocs-material and mkdocs-jupyter with their default settings.
Prints: cold build time, rebuild time after touching one Markdown page under `mkdocs serve`,
page weight by kind, search index size, total site size, and the ratios stock / ours.

--fill-notebooks copies the existing notebooks onto topics that have none yet (in both set-ups
alike), to time a site with one notebook per topic before all of them are written.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import catalogue, notebook_records, page_weight, site_pages  # noqa: E402

TOUCHED = "deep-neural-networks/dnn/index.md"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def notebook_sources(fill: bool) -> dict[str, Path]:
    """topic id -> the notebook file to show for it (real ones, then copies if fill)."""
    real = {p.stem: p for p in notebook_records.all_notebooks()}
    if not fill:
        return real
    cycle = list(real.values())
    return {t.id: real.get(t.id, cycle[i % len(cycle)]) for i, t in enumerate(catalogue.load().topics)}


def copy_ours(dest: Path, fill: bool) -> Path:
    for name in ("docs", "notebooks", "overrides", "scripts", "data", "mkdocs.yml"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    for topic, src in notebook_sources(fill).items():
        shutil.copy2(src, dest / "notebooks" / f"{topic}.ipynb")
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def copy_stock(dest: Path, fill: bool) -> Path:
    """Same content, default configuration: notebooks in docs/, generated pages as files."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    for extra in ("assets/javascripts/site.js", "assets/stylesheets/site.css", "assets/stylesheets/notebook.css"):
        (dest / "docs" / extra).unlink()
    cat = catalogue.load()
    sources = notebook_sources(fill)
    notebooks = set(sources)
    written = site_pages.written_topic_pages(ROOT / "docs", cat)
    for part in cat.parts:
        (dest / "docs" / part.id).mkdir(exist_ok=True)
        (dest / "docs" / part.id / "index.md").write_text(site_pages.part_index(part, cat, written, notebooks))
    (dest / "docs" / "results.md").write_text(
        site_pages.results_page(notebook_records.load_results(), cat, notebooks))
    index = dest / "docs" / "index.md"
    index.write_text(index.read_text().replace("<!-- generated:constraints -->", site_pages.constraints_table(cat)))
    for topic in cat.topics:
        if topic.id in notebooks:
            (dest / "docs" / topic.src_dir).mkdir(parents=True, exist_ok=True)
            shutil.copy2(sources[topic.id], dest / "docs" / site_pages.notebook_page(topic))
    ours = (ROOT / "mkdocs.yml").read_text()
    extensions = ours[ours.index("markdown_extensions:"):]
    (dest / "mkdocs.yml").write_text(
        "site_name: How Deep Learning Got Here\n"
        "theme:\n  name: material\n  features: [navigation.instant, navigation.tabs, search.suggest, "
        "search.highlight, content.code.copy]\n"
        "plugins:\n  - search\n  - mkdocs-jupyter\n" + extensions)
    return dest


def cold_build(project: Path) -> float:
    shutil.rmtree(project / ".cache", ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project,
                            capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"benchmark: build failed in {project}:\n{result.stderr[-3000:]}")
    return seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8", "replace")


def rebuild_times(project: Path, count: int) -> list[float]:
    """Seconds from saving one Markdown page to `mkdocs serve` serving the new text."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr",
                               f"127.0.0.1:{port}"], cwd=project, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/{TOUCHED.removesuffix('index.md')}"
    try:
        deadline = time.time() + 600
        while True:
            try:
                fetch(url)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit(f"benchmark: mkdocs serve did not come up in {project}")
                time.sleep(0.5)
        times = []
        page = project / "docs" / TOUCHED
        for i in range(count):
            time.sleep(2)  # let the watcher settle after the previous build
            marker = f"benchmark-marker-{i}-{time.time_ns()}"
            start = time.perf_counter()
            page.write_text(page.read_text() + f"\n\n{marker}\n")
            while marker not in fetch(url):
                if time.perf_counter() - start > 300:
                    raise SystemExit("benchmark: rebuild took over 5 minutes")
                time.sleep(0.05)
            times.append(time.perf_counter() - start)
        return times
    finally:
        server.terminate()
        server.wait()


def measure(project: Path, rebuilds: int) -> dict:
    cold = cold_build(project)
    site = project / "site"
    md_total, _ = page_weight.weigh(site / TOUCHED.replace(".md", ".html"))
    notebook_pages = sorted(site.glob("*/*/notebook/index.html"))
    nb = [page_weight.weigh(p) for p in notebook_pages]
    return {
        "cold build (s)": cold,
        "rebuild after editing one page (s, median)": statistics.median(rebuild_times(project, rebuilds)),
        "Markdown page (KB)": md_total / 1000,
        "notebook page, total (KB, mean)": statistics.mean(t for t, _ in nb) / 1000 if nb else float("nan"),
        "notebook page, minus outputs (KB, mean)": statistics.mean(w for _, w in nb) / 1000 if nb else float("nan"),
        "search index (KB)": (site / "search" / "search_index.json").stat().st_size / 1000,
        "total site (MB)": page_weight.tree_size(site) / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--fill-notebooks", action="store_true",
                        help="give every topic a notebook (copies of the existing ones)")
    args = parser.parse_args()
    notebooks = len(notebook_sources(args.fill_notebooks))
    pages = len(list((ROOT / "docs").rglob("*.md")))
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name, copy in (("ours", copy_ours), ("stock", copy_stock)):
            project = Path(tmp) / name
            project.mkdir()
            results[name] = measure(copy(project, args.fill_notebooks), args.rebuilds)
    ours, stock = results["ours"], results["stock"]
    print(f"Content: {pages} Markdown sources, {notebooks} notebook(s); machine: {os.cpu_count()} cores")
    print(f"{'measure':44} {'stock':>10} {'ours':>10} {'stock/ours':>11}")
    for key in ours:
        ratio = stock[key] / ours[key] if ours[key] else float("nan")
        print(f"{key:44} {stock[key]:10.2f} {ours[key]:10.2f} {ratio:10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
