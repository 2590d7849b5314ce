"""A notebook opened away from the repository ("Open in Colab", a download) installs its helper
from the repository in its first cell and runs. Tried here in a fresh virtual environment that
holds only what Colab gives every notebook (PyTorch, NumPy, Matplotlib, Jupyter) from PyPI,
with the notebook alone in a folder and the repository served as a git URL."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from scripts import notebook_records as records

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP = "git+https://github.com/how-deep-learning-got-here/site@main#subdirectory=notebooks"
# what a Colab runtime already has, at the versions this project pins (requirements-notebooks.txt)
PREINSTALLED = [line.strip() for line in (ROOT / "requirements-notebooks.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]


def test_every_notebook_installs_its_helper_when_opened_alone():
    """The first code cell imports kit, and installs it from the site's repository if missing."""
    for path in records.all_notebooks():
        first = next(c for c in records.read(path)["cells"] if c["cell_type"] == "code")
        source = records.source(first)
        assert "import kit" in source and "%pip install" in source and BOOTSTRAP in source, \
            f"{path.name}: its first code cell does not install kit when it is missing"
    repo_url = next(line for line in (ROOT / "mkdocs.yml").read_text().splitlines()
                    if line.startswith("repo_url:")).split('"')[1]
    assert BOOTSTRAP.startswith(f"git+{repo_url}@"), "the notebooks install kit from another repository"


RUN = """
import os, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3",
               resources={"metadata": {"path": os.path.dirname(sys.argv[1])}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def test_a_notebook_alone_in_a_fresh_environment_runs_at_smoke_scale(tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = subprocess.run([python, "-m", "pip", "install", "--quiet", *PREINSTALLED], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-2000:]

    # the repository, as git serves it: the helper and its packaging, committed
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks" / "kit", repo / "notebooks" / "kit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "notebooks" / "pyproject.toml", repo / "notebooks" / "pyproject.toml")
    git = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "kit"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, env=git)

    alone = tmp_path / "alone"
    alone.mkdir()
    notebook = alone / "dnn.ipynb"
    shutil.copy(ROOT / "notebooks" / "dnn.ipynb", notebook)
    env = {"PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
           "DLH_SCALE": "smoke", "DLH_KIT": f"git+file://{repo}@main#subdirectory=notebooks",
           "DLH_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": "", "OMP_WAIT_POLICY": "PASSIVE"}
    if os.environ.get("DLH_DATA_DIR"):
        env["DLH_DATA_DIR"] = os.environ["DLH_DATA_DIR"]
    result = subprocess.run([python, "-c", RUN, notebook], capture_output=True, text=True, env=env, cwd=alone)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (alone / "kit").exists()
    done = json.loads(notebook.read_text())
    assert records.results_of(done), "the notebook ran but reported no result"
    assert not records.error_outputs(done)
