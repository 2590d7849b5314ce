"""Shared fixtures: the site built once per test session, and throwaway copies of the project."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
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


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project that a test may break without touching the working tree."""
    dest = tmp_path / "project"
    dest.mkdir()
    for name in PROJECT_PARTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest
