"""Versioned deploys with mike, into a real temporary git repository."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, serve

GIT_ENV = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@localhost",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@localhost", "NO_MKDOCS_2_WARNING": "1"}
BIN = os.path.dirname(sys.executable)  # mike runs `mkdocs` from PATH: the one beside this Python


def run(cmd, cwd):
    env = {**os.environ, **GIT_ENV, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result.stdout


def mike(*args, cwd):
    return run([os.path.join(BIN, "mike"), *args], cwd)


def show(repo, path):
    return run(["git", "show", f"gh-pages:{path}"], repo)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A real git repository of the project with two versions deployed by mike."""
    repo = copy_project(tmp_path_factory.mktemp("mike") / "project")
    run(["git", "init", "-q", "-b", "main"], repo)
    run(["git", "add", "-A"], repo)
    run(["git", "commit", "-q", "-m", "version one"], repo)
    mike("deploy", "0.1", "latest", "--update-aliases", cwd=repo)

    home = repo / "docs" / "index.md"
    home.write_text(home.read_text() + "\n\nMarker of the second version.\n")
    run(["git", "commit", "-q", "-am", "version two"], repo)
    mike("deploy", "0.2", "latest", "--update-aliases", cwd=repo)
    mike("set-default", "latest", cwd=repo)
    return repo


def test_two_versions_an_alias_and_the_default_redirect(repo):
    versions = json.loads(show(repo, "versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("0.2", ["latest"]), ("0.1", [])]

    # both trees are complete sites, each with its own content
    for version in ("0.1", "0.2"):
        for page in ("index.html", "deep-neural-networks/dnn/index.html", "results/index.html",
                     "search/search_index.json"):
            show(repo, f"{version}/{page}")
    assert "Marker of the second version" in show(repo, "0.2/index.html")
    assert "Marker of the second version" not in show(repo, "0.1/index.html")

    # "latest" is made of redirect pages to 0.2, not symlinks (GitHub Pages rejects those)
    tree = run(["git", "ls-tree", "-r", "gh-pages"], repo)
    assert " 120000 " not in f" {tree}" and "\n120000 " not in tree, "mike committed a symlink"
    latest = show(repo, "latest/deep-neural-networks/dnn/index.html")
    assert "0.2/deep-neural-networks/dnn/" in latest and "refresh" in latest.lower()

    # pages carry Material's version selector, fed by versions.json
    assert '"provider": "mike"' in show(repo, "0.2/index.html")
    # pages carry the outdated-version banner, which Material shows off the default version
    assert "You are reading an older version" in show(repo, "0.1/index.html")

    # the site root sends visitors to the default alias
    root = show(repo, "index.html")
    assert "latest/" in root and "refresh" in root.lower()


def test_the_deployed_site_has_a_version_selector_and_flags_old_versions(repo, tmp_path, page):
    pages = tmp_path / "gh-pages"
    pages.mkdir()
    archive = subprocess.run(["git", "archive", "gh-pages"], cwd=repo, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(pages)], input=archive, check=True)
    with serve(pages) as url:
        page.goto(url + "/")  # root -> latest/ -> 0.2/
        page.wait_for_url("**/0.2/**")
        page.locator(".md-version__current").wait_for(timeout=10_000)
        assert page.locator(".md-version__current").inner_text().startswith("0.2")  # then its alias
        assert page.locator("[data-md-component=outdated]").is_hidden()
        listed = [a.get_attribute("href") for a in page.locator(".md-version__link").all()]
        assert any("0.1/" in h for h in listed) and any("0.2/" in h for h in listed), listed

        page.goto(url + "/0.1/")
        banner = page.locator("[data-md-component=outdated]")
        banner.wait_for(state="visible", timeout=10_000)
        assert "older version" in banner.inner_text()
