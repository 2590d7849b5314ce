#!/usr/bin/env python3
"""Lighthouse scores and first-load weight of each kind of page (part of `make benchmark`).

    python scripts/lighthouse.py [--kinds home notebook ...] [--site DIR]

Builds the site (or takes a built one), serves it on localhost with gzip, as GitHub Pages
serves it, and runs Lighthouse (npm, pinned in package-lock.json) in the machine's Chromium,
once with its mobile profile (a mid-range phone on a throttled network) and once with its
desktop profile. Prints, per page kind: performance, accessibility and best-practices scores,
the bytes a first visit transfers, and whether the targets are met: on mobile, accessibility
and best practices 100 and performance at least 90. Exits non-zero when a target is missed.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100}  # mobile

# One page of each kind the site has (the browser audits in tests/test_audits.py use these too).
PAGE_KINDS = {
    "home": "/",
    "essay": "/essay/compute/",
    "topic": "/sequence-modeling/lstm/",
    "notebook": "/optimization-and-regularization/batch-norm/notebook/",
    "part": "/deep-neural-networks/",
    "results": "/results/",
    "papers": "/papers/",
    "timeline": "/papers/timeline/",
    "by-constraint": "/papers/by-constraint/",
    "lineage": "/papers/lineage/",
    "not-found": "/404.html",
}
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".bib"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with gzip for text and a ten-minute cache lifetime, like GitHub Pages."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix in COMPRESSED and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            return _Bytes(body)
        return super().send_head()

    def end_headers(self):
        if not any(h.lower().startswith(b"cache-control") for h in getattr(self, "_headers_buffer", [])):
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class _Bytes:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    raise SystemExit("lighthouse: no Chromium found (apt-get install chromium)")


def audit(url: str, desktop: bool) -> dict:
    """One Lighthouse run: the category scores (0-100) and the bytes transferred."""
    cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output-path=stdout",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={chromium()}",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync"]
    if desktop:
        cmd.append("--preset=desktop")
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr.strip()[-800:]}")
    report = json.loads(result.stdout)
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    scores["bytes"] = report["audits"]["total-byte-weight"]["numericValue"]
    scores["failed"] = sorted(a for a, v in report["audits"].items()
                              if v.get("score") is not None and v["score"] < 1
                              and v.get("scoreDisplayMode") == "binary")
    return scores


def build(dest: Path) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(dest)],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"lighthouse: the build failed:\n{result.stderr[-3000:]}")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", nargs="*", default=list(PAGE_KINDS), choices=list(PAGE_KINDS))
    parser.add_argument("--site", type=Path, help="a built site to audit (default: build one)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse: node_modules/lighthouse is missing: run `make tools`")
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build(Path(tmp) / "site")
        server, base = serve(site)
        try:
            rows = {kind: (audit(base + PAGE_KINDS[kind], False), audit(base + PAGE_KINDS[kind], True))
                    for kind in args.kinds}
        finally:
            server.shutdown()
        index = site / "search" / "search_index.json"
        index_raw, index_gz = index.stat().st_size, len(gzip.compress(index.read_bytes(), 6))

    print("Lighthouse 12, served with gzip on localhost; scores mobile / desktop; first load = bytes a "
          "first visit transfers (mobile)")
    print(f"{'page kind':14} {'performance':>12} {'accessibility':>14} {'best practices':>15} "
          f"{'first load':>11}  targets")
    missed = []
    for kind, (mobile, desktop) in rows.items():
        ok = all(mobile[c] >= t for c, t in TARGETS.items())
        if not ok:
            missed.append(f"{kind}: {', '.join(mobile['failed']) or 'performance'}")
        cells = [f"{mobile[c]:>3} / {desktop[c]:<3}" for c in CATEGORIES]
        print(f"{kind:14} {cells[0]:>12} {cells[1]:>14} {cells[2]:>15} {mobile['bytes'] / 1024:>8.0f} KB  "
              f"{'met' if ok else 'MISSED'}")
    print(f"search index: {index_raw / 1024:.0f} KB, {index_gz / 1024:.0f} KB gzipped (Material's search "
          "fetches it on a visit's first page, then the browser cache and instant navigation keep it)")
    for line in missed:
        print(f"  missed on {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
