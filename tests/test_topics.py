"""Topic pages and paper notes: complete, long enough, linked by id, and built as the catalogue
says; and the pages generated from the catalogue (Papers, Timeline, By constraint, Lineage,
references.bib)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import mkdocs_build
from scripts import catalogue, citations, lineage, topic_text
from scripts.site_pages import topic_page

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CAT = catalogue.load()
TOPICS = [t.id for t in CAT.topics]


def _source(topic_id: str) -> str:
    return (DOCS / topic_page(CAT.topic(topic_id))).read_text(encoding="utf-8")


def _built(site: Path, topic_id: str) -> str:
    return (site / CAT.topic(topic_id).src_dir / "index.html").read_text(encoding="utf-8")


def test_every_topic_has_its_page():
    missing = [t for t in CAT.topics if not (DOCS / topic_page(t)).exists()]
    assert not missing, f"no page for: {', '.join(t.id for t in missing)}"


@pytest.mark.parametrize("topic_id", TOPICS)
def test_topic_page_has_enough_prose_and_one_note_per_paper(topic_id):
    text = topic_text.split(_source(topic_id))
    assert topic_text.prose_words(text.topic) >= 600, "topic prose outside the notes"
    assert sorted(text.order) == sorted(p.id for p in CAT.topic(topic_id).papers)
    for paper, note in text.notes.items():
        assert topic_text.prose_words(note) >= 350, f"note on '{paper}'"


@pytest.mark.parametrize("topic_id", TOPICS)
def test_topic_page_describes_itself_and_holds_no_placeholders(topic_id):
    source = _source(topic_id)
    assert re.match(r"---\ndescription: .{40,200}\n", source), "front matter with a one-sentence description"
    assert not re.search(r"\b(TODO|TBD|FIXME|lorem ipsum)\b", source, re.I)


def test_links_between_topics_use_catalogue_ids():
    """A path link to another topic page would dangle when that page moves; ids cannot."""
    pages = {topic_page(t) for t in CAT.topics}
    offenders = []
    for path in DOCS.rglob("*.md"):
        src = path.relative_to(DOCS).as_posix()
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            resolved = Path(src).parent.joinpath(target).as_posix()
            while "/../" in f"/{resolved}":
                resolved = re.sub(r"(^|/)[^/]+/\.\./", r"\1", resolved, count=1)
            if resolved in pages:
                offenders.append(f"{src}: {target}")
    assert not offenders, "use topic:<id> links instead of paths: " + "; ".join(offenders)


def test_topic_source_and_word_counter_agree_on_what_counts():
    sample = ("Intro words here.\n\n```python\nignored code words\n```\n\n$$\nx = y\n$$\n\n"
              "<!-- paper: a -->\n\nNote text with $x$ maths.\n\n## After\n\nMore topic.\n\n[^1]: Not counted.\n")
    text = topic_text.split(sample)
    assert topic_text.prose_words(text.topic) == len("Intro words here After More topic".split())
    assert topic_text.prose_words(text.notes["a"]) == len("Note text with x maths".split())


# --- the built pages -------------------------------------------------------------------------

@pytest.mark.parametrize("topic_id", TOPICS)
def test_built_topic_page_has_title_block_notes_and_anchored_headings(site, topic_id):
    topic = CAT.topic(topic_id)
    html = _built(site, topic_id)
    assert html.count("<h1") == 1 and f">{topic.title.replace('&', '&amp;')}<" in html
    block = html[html.index('class="topic-meta"'):html.index("</div>", html.index('class="topic-meta"'))]
    for other in [*topic.builds_on, *(t.id for t in CAT.led_to(topic_id))]:
        assert f'href="{_rel(topic, CAT.topic(other))}"' in block, f"title block links {other}"
    for paper in topic.papers:
        assert f'<h2 id="{paper.id}">' in html
        assert f"@{paper.published.type}" in html and f'{paper.link}' in html.replace("&amp;", "&")
    headings = re.findall(r"<h([2-6])([^>]*)>", html)
    assert headings and all('id="' in attrs for _, attrs in headings), "every heading has an anchor"


def _rel(src, dest) -> str:
    depth = "../" * 2 if src.part != dest.part else "../"
    return f"{depth}{dest.src_dir if src.part != dest.part else dest.id}/"


def test_references_bib_is_valid_bibtex_with_every_paper(site):
    bib = parse_file(str(site / "papers" / "references.bib"))
    assert set(bib.entries) == {p.id for p in CAT.papers}
    resnet = bib.entries["resnet"]
    assert resnet.type == "inproceedings" and resnet.fields["eprint"] == "1512.03385"
    assert [str(p) for p in resnet.persons["author"]] == ["He, K.", "Zhang, X.", "Ren, S.", "Sun, J."]


def test_papers_page_lists_every_paper_linking_its_note(site):
    html = (site / "papers" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>\s*<td>(\d{4})</td>\s*<td><a href=\"([^\"]+)\"", html)
    assert len(rows) == len(CAT.papers)
    years = [int(y) for y, _ in rows]
    assert years == sorted(years)
    targets = {href for _, href in rows}
    for paper in CAT.papers:
        assert f"../{CAT.topic(paper.topic).src_dir}/#{paper.id}" in targets
    assert 'href="references.bib"' in html


def test_timeline_orders_every_paper_by_year_with_its_constraints(site):
    html = (site / "papers" / "timeline" / "index.html").read_text(encoding="utf-8")
    years = [int(y) for y in re.findall(r'<h2 id="\d{4}">(\d{4})', html)]
    assert years == sorted(set(p.year for p in CAT.papers))
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert len(items) == len(CAT.papers)
    for paper in CAT.papers:
        item = next(i for i in items if f"#{paper.id}\"" in i)
        assert re.findall(r"chip--([a-z-]+)\"", item) == list(paper.constraints)


def test_by_constraint_lists_exactly_the_papers_that_raised_each(site):
    html = (site / "papers" / "by-constraint" / "index.html").read_text(encoding="utf-8")
    sections = re.split(r'<h2 id="', html)[1:]
    assert [s.split('"')[0] for s in sections] == [c.id for c in CAT.constraints]
    for c, section in zip(CAT.constraints, sections):
        linked = set(re.findall(r'/#([a-z0-9-]+)">', section))
        assert linked == {p.id for p in CAT.papers if c.id in p.constraints}, c.id


def test_lineage_diagram_and_table_come_from_the_edges(site):
    page = (site / "papers" / "lineage" / "index.html").read_text(encoding="utf-8")
    start = page.index('class="lineage"')
    diagram = page[start:page.index("</svg>", start)]
    links = re.findall(r'<a xlink:href="([^"]+)"', diagram)
    assert sorted(links) == sorted(f"../../{t.part}/{t.id}/" for t in CAT.topics)
    for href in links:
        assert (site / "papers" / "lineage" / href / "index.html").resolve().exists(), href
    assert diagram.count("<path d=") == sum(len(t.builds_on) for t in CAT.topics)
    assert f'data-source="{lineage.source_hash(CAT)}"' in diagram
    assert "mermaid" not in page.split('<div class="md-content"', 1)[1].split("</article>", 1)[0]
    assert page.count("<tr>") == len(CAT.topics) + 1


def test_the_committed_lineage_diagram_is_what_the_layout_draws_now(tmp_path):
    drawn = lineage.write(tmp_path / "lineage.svg", CAT)
    assert drawn.read_text() == lineage.OUT.read_text(), "data/lineage.svg is stale: run `make figures`"


def test_a_lineage_diagram_drawn_from_another_catalogue_fails_the_build(project_copy, tmp_path):
    svg = project_copy / "data" / "lineage.svg"
    svg.write_text(re.sub(r'data-source="[0-9a-f]+"', 'data-source="0000000000000000"', svg.read_text()))
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "data/lineage.svg was drawn from another version of data/catalogue.yaml: run `make figures`" \
        in result.stderr


def test_bibtex_names_keep_particles_and_truncation():
    assert citations.bib_names(("B. van Merriënboer", "M.-W. Chang", "et al.")) == \
        "van Merriënboer, B. and Chang, M.-W. and others"


# --- bad pages stop the build, naming the file -----------------------------------------------

def _break(project: Path, topic_id: str, old: str, new: str) -> None:
    path = project / "docs" / topic_page(CAT.topic(topic_id))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, message", [
    ("](topic:cnn)", "](topic:convnets)", r"docs/deep-neural-networks/dnn/index\.md:\d+: link to unknown topic 'convnets'"),
    ("<!-- paper: backprop -->", "<!-- paper: resnet -->",
     r"docs/deep-neural-networks/dnn/index\.md: note marker for paper 'resnet' belongs to topic 'residuals'"),
    ("<!-- paper: backprop -->", "", r"docs/deep-neural-networks/dnn/index\.md: no note for paper 'backprop'"),
])
def test_a_bad_topic_page_fails_the_build_naming_the_file(project_copy, tmp_path, old, new, message):
    _break(project_copy, "dnn", old, new)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert re.search(message, result.stderr), result.stderr[-2000:]
