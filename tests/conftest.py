"""Shared fixtures: the site built once per test session, and throwaway copies of the project."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What a build needs; node_modules and .cache are linked, not copied (large, read-only here).
PROJECT_PARTS = ["docs", "notebooks", "overrides", "scripts", "data", "mkdocs.yml", "package.json"]


def mkdocs_build(project: Path, site_dir: Path, site_url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
                          cwd=project, capture_output=True, text=True, env=env)


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the browser tests serve the site on, known before the build."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory, site_port) -> Path:
    """The real project, built with --strict into a temporary folder, for the address it is
    served at (Material's instant navigation only follows links within site_url)."""
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, out, site_url=f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, f"strict build failed:\n{result.stderr[-4000:]}"
    (out / ".build-log").write_text(result.stderr)
    return out


def copy_project(dest: Path) -> Path:
    """Copy what a build needs into dest (created); node_modules is linked, not copied."""
    dest.mkdir(parents=True)
    for name in PROJECT_PARTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project that a test may break without touching the working tree."""
    return copy_project(tmp_path / "project")


# --- the browser: headless Chromium driven by Playwright, pages served on localhost ---------

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path, port: int = 0):
    """Serve a folder over HTTP on 127.0.0.1; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    pytest.fail("no Chromium found: `make test` installs it with apt-get (package chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # installed by requirements-test.txt

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records every request it makes, to check none leaves localhost."""
    context = browser.new_context()
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda req: pg.requests.append(req.url))
    yield pg
    context.close()
