"""The catalogue is validated, and a bad entry stops the build with a message naming it."""
from __future__ import annotations

import copy
import re

import pytest
import yaml

from conftest import mkdocs_build
from scripts import catalogue
from scripts.catalogue import CatalogueError


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(catalogue.CATALOGUE.read_text(encoding="utf-8"))


def test_the_project_catalogue_is_valid_and_complete():
    cat = catalogue.load()
    assert (len(cat.parts), len(cat.topics), len(cat.papers), len(cat.constraints)) == (5, 36, 52, 7)


def test_missing_field_names_the_entry(raw):
    data = copy.deepcopy(raw)
    del data["parts"][1]["topics"][2]["papers"][0]["year"]
    with pytest.raises(CatalogueError, match=r"parts\[1\]\.topics\[2\]\.papers\[0\] \(id 'resnet'\): missing field 'year'"):
        catalogue.parse(data)


def test_duplicate_id_names_both_places(raw):
    data = copy.deepcopy(raw)
    data["parts"][0]["topics"][1]["papers"][0]["id"] = "backprop"
    with pytest.raises(CatalogueError, match=r"parts\[0\]\.topics\[1\]\.papers\[0\]: duplicate paper id 'backprop' \(first used at .*parts\[0\]\.topics\[0\]\.papers\[0\]\)"):
        catalogue.parse(data)


def test_unknown_constraint_names_the_entry(raw):
    data = copy.deepcopy(raw)
    data["parts"][3]["topics"][0]["papers"][0]["constraints"] = ["architecture", "vibes"]
    with pytest.raises(CatalogueError, match=r"\(id 'transformer'\): unknown constraint 'vibes'"):
        catalogue.parse(data)


def test_paper_without_any_link_is_rejected(raw):
    data = copy.deepcopy(raw)
    paper = data["parts"][0]["topics"][0]["papers"][0]
    paper.pop("url"), paper.pop("arxiv", None)
    with pytest.raises(CatalogueError, match="id 'backprop'.*'url' or 'arxiv'"):
        catalogue.parse(data)


def test_a_bad_catalogue_fails_the_build_naming_the_entry(project_copy, tmp_path):
    path = project_copy / "data" / "catalogue.yaml"
    path.write_text(path.read_text().replace("constraints: [architecture, compute-efficiency]",
                                             "constraints: [architecture, speed]", 1))
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "unknown constraint 'speed'" in result.stderr
    assert re.search(r"catalogue\.yaml: parts\[\d\]\.topics\[\d+\]\.papers\[\d\] \(id '[\w-]+'\)", result.stderr)
