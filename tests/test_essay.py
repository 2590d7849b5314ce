"""The essay: its pages in reading order, its figures drawn from sourced data, and every paper
it mentions linked to its note."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from scripts import catalogue, figures, topic_text

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT / "docs" / "essay"


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml uses !ENV and !!python/name tags; the nav needs neither."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
NAV = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_IgnoreTags)["nav"]
PAGES = [next(iter(entry.values())) for entry in next(e["Essay"] for e in NAV if isinstance(e, dict) and "Essay" in e)]
CONSTRAINT_PAGES = ["essay/data.md", "essay/parameters.md", "essay/optimization.md", "essay/architecture.md",
                    "essay/compute.md", "essay/compute-efficiency.md", "essay/energy.md"]
CAT = catalogue.load()


def _source(page: str) -> str:
    return (ROOT / "docs" / page).read_text(encoding="utf-8")


def test_the_figure_command_draws_every_figure_and_the_committed_ones_are_current(tmp_path):
    result = subprocess.run([sys.executable, "-m", "scripts.figures", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = {p.stem for p in figures.DATA.glob("*.yaml")} | {figures.TIMELINE}
    assert {p.stem for p in tmp_path.glob("*.svg")} == expected
    for path in tmp_path.glob("*.svg"):
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg") and len(root) > 0
        committed = figures.OUT / path.name
        assert committed.exists() and committed.read_bytes() == path.read_bytes(), \
            f"{committed.relative_to(ROOT)} is stale: run `make figures`"


def test_a_data_row_without_a_source_stops_the_figure_command(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (figures.DATA / "parameter-counts.yaml").read_text()
    bad.write_text(re.sub(r', source: "[^"]*"\}', "}", text, count=2))
    with pytest.raises(figures.FigureError, match=r"data/figures/bad\.yaml: rows\[0\] \(LeNet-5\): missing field 'source'"):
        figures.load(bad)


def test_the_essay_has_its_pages_in_order_and_enough_words():
    assert PAGES[0] == "essay/index.md" and len(PAGES) == 13
    words = {page: topic_text.prose_words(_source(page)) for page in PAGES}
    assert sum(words.values()) >= 9000, words


@pytest.mark.parametrize("page", CONSTRAINT_PAGES)
def test_constraint_page_states_it_shows_a_figure_and_lists_sources(page):
    source = _source(page)
    body = source.split("\n## ", 1)[0]
    assert re.search(r"\*\*[^*]{20,300}\.\*\*", body), "the constraint in one bold sentence, near the top"
    assert re.search(r"^<!-- figure: [a-z0-9-]+ -->$", source, re.M), "at least one figure"
    assert re.search(r"^## Sources\s*$", source, re.M), "a Sources list"
    assert "](topic:" in source and "](paper:" in source, "breakthroughs linked to topic pages and notes"


def _mentions(text: str, paper: catalogue.Paper) -> bool:
    words = re.escape(paper.id).replace(r"\-", "[- ]")
    return bool(re.search(rf"(?<![\w/:-]){words}(?![\w-])", text, re.I)) or paper.title.lower() in text.lower()


@pytest.mark.parametrize("page", PAGES)
def test_every_paper_the_essay_mentions_links_to_its_note(page):
    source = _source(page)
    prose = re.sub(r"\]\([^)]*\)", "]", source)  # link targets are not mentions
    prose = re.sub(r"<!--.*?-->", " ", prose)
    unlinked = [p.id for p in CAT.papers if _mentions(prose, p) and f"](paper:{p.id})" not in source]
    assert not unlinked, f"{page} mentions these papers without a paper: link: {unlinked}"
    for paper in CAT.papers:  # a full title is always the text of a link
        for match in re.finditer(re.escape(paper.title), source, re.I):
            assert source[match.end():match.end() + 2] == "](" or source[match.start() - 1] == "[", \
                f"{page}: the title '{paper.title}' is not a link"


def test_built_essay_pages_link_the_next_and_show_their_figures(site):
    for here, there in zip(PAGES, PAGES[1:]):
        built = (site / here.replace(".md", "/").replace("index/", "")).joinpath("index.html").read_text()
        target = "../" + Path(there).stem + "/" if not here.endswith("index.md") else Path(there).stem + "/"
        assert re.search(rf'<strong>Next:</strong> <a href="{re.escape(target)}">', built), here
    for page in CONSTRAINT_PAGES:
        built = (site / page.replace(".md", "/") / "index.html").read_text()
        images = re.findall(r'<img [^>]*src="\.\./figures/[a-z0-9-]+\.svg"[^>]*>', built)
        assert images and all(re.search(r'alt="[^"]{40,}"', img) for img in images), page
        assert "<figcaption>" in built and "Data and sources" in built
    home = (site / "index.html").read_text()
    assert 'href="essay/"' in home


def test_constraint_pages_list_the_notebooks_that_test_their_papers(site):
    """The "Test it yourself" table is generated: every notebook whose topic has a paper that
    raised the constraint appears, linked, with its verdict; no other notebook does."""
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    with_table = [p for p in CONSTRAINT_PAGES if "<!-- generated:notebooks -->" in _source(p)]
    assert len(with_table) == 6, "every constraint page but energy (no notebook can test it) has the table"
    for page in with_table:
        constraint = Path(page).stem
        built = (site / page.replace(".md", "/") / "index.html").read_text()
        section = built.split('id="test-it-yourself"', 1)[1].split("<h2", 1)[0]
        for topic in CAT.topics:
            linked = f'href="../../{topic.part}/{topic.id}/notebook/"' in section
            expected = topic.id in notebooks and any(constraint in p.constraints for p in topic.papers)
            assert linked == expected, f"{page}: notebook {topic.id} {'missing' if expected else 'listed'}"
        if '/notebook/"' in section:
            assert "verdict--" in section, f"{page}: a listed notebook shows no verdict"
