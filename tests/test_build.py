"""The strict build: passes clean, fails loudly on bad links, stays offline and light."""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from conftest import mkdocs_build
from scripts import catalogue, page_weight
from scripts import notebook_records as records

# Tags that make the browser fetch something (a canonical <link> or an <a> does not).
ROOT = Path(__file__).resolve().parent.parent
HOST_ATTR = re.compile(r"""<(?:script|img|iframe|source|video|audio)\b[^>]*?\bsrc=["'](?:https?:)?//"""
                       r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|modulepreload|icon|manifest))"""
                       r"""[^>]*?\bhref=["'](?:https?:)?//""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?(https?:)?//""", re.I)


def html_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "assets" not in p.parts]


def test_strict_build_has_no_warnings(site):
    log = (site / ".build-log").read_text()
    assert "WARNING" not in log, log


def test_every_topic_part_and_notebook_page_is_built(site):
    cat = catalogue.load()
    for part in cat.parts:
        assert (site / part.id / "index.html").exists(), part.id
    assert (site / "results" / "index.html").exists()
    assert (site / "404.html").exists()
    assert (site / "sitemap.xml").exists()
    for nb in (Path(__file__).parent.parent / "notebooks").glob("*.ipynb"):
        part = cat.topic(nb.stem).part
        page = site / part / nb.stem / "notebook"
        assert (page / "index.html").exists(), nb
        assert (page / nb.name).exists(), f"{nb.name} is not offered for download"


def test_pages_load_nothing_from_another_host(site):
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        hit = HOST_ATTR.search(text)
        assert hit is None, f"{page.relative_to(site)} loads {text[hit.start():hit.start() + 160]}"
    for css in site.rglob("*.css"):
        assert not CSS_URL.search(css.read_text(encoding="utf-8")), css


def test_headings_have_permalink_anchors(site):
    page = (site / "deep-neural-networks" / "dnn" / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h[2-4][^>]*>.*?</h[2-4]>", page, re.S)
    assert headings and all('class="headerlink"' in h for h in headings)


def test_notebook_pages_weigh_what_their_content_weighs(site):
    pages = list(site.glob("*/*/notebook/index.html"))
    assert pages, "no notebook page was built"
    for page in pages:
        markup = page_weight.without_outputs(page.read_text(encoding="utf-8"))
        assert "<style" not in markup.split('<div class="jupyter-wrapper">', 1)[1], f"{page}: inline CSS"
        assert "mathjax" not in markup.lower() and "require.js" not in markup.lower(), page
        total, lean = page_weight.weigh(page)
        # what the page adds around the notebook's own text (nav, header, template) stays small
        notebook = records.read(ROOT / "notebooks" / f"{page.parent.parent.name}.ipynb")
        own_text = sum(len(records.source(cell).encode()) for cell in notebook["cells"])
        assert lean < total and lean - own_text < 60_000, \
            f"{page}: {lean - own_text} bytes without outputs beyond the notebook's {own_text} bytes of text"


def test_search_index_has_notebook_prose_but_not_code_or_outputs(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    nb_docs = [d for d in index["docs"] if "/notebook/" in d["location"]]
    assert nb_docs, "notebook pages are missing from the search index"
    text = " ".join(d["text"] for d in nb_docs)
    assert "Verdict rule" in text, "notebook prose is not searchable"
    assert "import kit" not in text and "kit.report.Rule(" not in text, "notebook code is in the search index"
    assert "data:image/png" not in text and "base64" not in text
    for nb in (Path(__file__).parent.parent / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            for output in cell.get("outputs", []):
                for line in "".join(output.get("text", [])).splitlines():
                    if len(line.strip()) > 25:
                        assert line.strip() not in text, f"output line in the search index: {line!r}"


def test_a_broken_link_fails_the_build_and_names_the_page(project_copy, tmp_path):
    bad = project_copy / "docs" / "deep-neural-networks" / "dnn" / "index.md"
    bad.write_text(bad.read_text() + "\n\nSee [this](../no-such-topic/index.md).\n")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "deep-neural-networks/dnn/index.md" in result.stderr and "no-such-topic" in result.stderr


def test_a_broken_anchor_fails_the_build_and_names_the_page(project_copy, tmp_path):
    page = project_copy / "docs" / "index.md"
    page.write_text(page.read_text() + "\n\nSee [here](deep-neural-networks/dnn/index.md#no-such-heading).\n")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "index.md" in result.stderr and "no-such-heading" in result.stderr


def test_a_rebuild_does_not_reconvert_unchanged_notebooks(project_copy, tmp_path):
    first = mkdocs_build(project_copy, tmp_path / "one")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Converting notebook" in first.stderr
    page = project_copy / "docs" / "index.md"
    page.write_text(page.read_text() + "\n\nAn edit.\n")
    second = mkdocs_build(project_copy, tmp_path / "two")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Converting notebook" not in second.stderr and "Cache hit" in second.stderr


def test_topic_pages_and_their_notebooks_link_each_other(site):
    cat = catalogue.load()
    notebooks = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
    assert notebooks
    for nb in notebooks:
        topic = cat.topic(nb.stem)
        page = site / topic.part / topic.id
        assert 'href="notebook/"' in (page / "index.html").read_text(encoding="utf-8"), \
            f"the {topic.id} topic page does not link its notebook"
        body = (page / "notebook" / "index.html").read_text(encoding="utf-8")
        body = body.split('<div class="jupyter-wrapper">', 1)[1]
        assert '<a href="../"' in body, f"the {topic.id} notebook does not link back to its topic page"


def test_links_in_notebook_pages_resolve(site):
    """mkdocs checks links in Markdown pages; links written in notebooks are checked here, and
    every link within a notebook page (its contents list included) finds its heading."""
    for page in site.glob("*/*/notebook/index.html"):
        whole = page.read_text(encoding="utf-8")
        ids = set(re.findall(r'\bid="([^"]+)"', whole))
        for anchor in re.findall(r'<a\b[^>]*\bhref="#([^"]+)"', whole):
            assert anchor in ids, f"{page.relative_to(site)}: link to #{anchor}: no such anchor on the page"
        body = whole.split('<div class="jupyter-wrapper">', 1)[1]
        for href in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', body):
            if re.match(r"[a-z]+:", href) or href.startswith("#"):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(site)}: link to {href} finds no page"
            if anchor:
                assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), \
                    f"{page.relative_to(site)}: link to {href}: no such anchor"


def test_a_malformed_notebook_fails_the_build_and_names_it(project_copy, tmp_path):
    (project_copy / "notebooks" / "dnn.ipynb").write_text('{"cells": [')
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "dnn.ipynb: not valid JSON (line 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_notebook_without_a_topic_fails_the_build(project_copy, tmp_path):
    shutil.copy(project_copy / "notebooks" / "dnn.ipynb", project_copy / "notebooks" / "perceptron.ipynb")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "notebooks/perceptron.ipynb: no topic with id 'perceptron'" in result.stderr


def test_a_notebooks_table_off_a_constraint_page_fails_the_build(project_copy, tmp_path):
    page = project_copy / "docs" / "essay" / "leverage.md"
    page.write_text(page.read_text() + "\n\n<!-- generated:notebooks -->\n")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "essay/leverage.md: the generated:notebooks block belongs on an essay page" in result.stderr


def test_front_matter_that_does_not_parse_fails_the_build_and_names_the_file(project_copy, tmp_path):
    """MkDocs would render it as a horizontal rule and a 'description: ...' heading."""
    page = project_copy / "docs" / "sequence-modeling" / "lstm" / "index.md"
    body = page.read_text().split("\n---\n", 1)[1]
    page.write_text("---\ndescription: Long Short-Term Memory: the gated cell.\n---\n" + body)
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/sequence-modeling/lstm/index.md:2: front matter is not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_mermaid_diagram_fails_the_build_and_names_the_line(project_copy, tmp_path):
    """The site ships no diagram script: a ```mermaid fence would show its source as code."""
    page = project_copy / "docs" / "essay" / "leverage.md"
    lines = page.read_text().splitlines()
    page.write_text("\n".join(lines + ["", "```mermaid", "flowchart LR", "  a --> b", "```", ""]))
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert f"docs/essay/leverage.md:{len(lines) + 2}: a ```mermaid diagram" in result.stderr


def test_a_notebooks_own_data_file_is_published_beside_it(site):
    """notebooks/<topic>-<name>.txt (the word2vec analogy set) goes beside the notebook page."""
    files = sorted((ROOT / "notebooks").glob("*-*.txt"))
    assert files, "no notebook data file to check (word2vec-analogies.txt is expected)"
    for data in files:
        built = list(site.glob(f"*/*/notebook/{data.name}"))
        assert len(built) == 1 and built[0].read_bytes() == data.read_bytes(), data.name


def test_the_backprop_diagram_is_an_inline_svg_in_the_text_colour(site):
    page = (site / "deep-neural-networks" / "dnn" / "index.html").read_text(encoding="utf-8")
    figure = page.split('<figure class="passes">', 1)[1].split("</figure>", 1)[0]
    assert 'role="img"' in figure and "<title" in figure
    assert figure.count("<text") == 9 and 'stroke="currentColor"' in figure
    assert not (site / "assets" / "vendor" / "mermaid").exists()


def test_every_page_opens_with_its_text_not_its_front_matter(site):
    """No built page shows a front-matter line as a heading or opens its text with a rule."""
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<h[1-6][^>]*>\s*(description|title|hide|tags):", text), page.relative_to(site)


def test_every_results_row_has_a_cell_per_column(site):
    """A "|" in a record's text ("|rating| < 0.5") must not split or end a table cell."""
    page = (site / "results" / "index.html").read_text(encoding="utf-8")
    for table in re.findall(r"<table>(.*?)</table>", page, re.S):
        columns = len(re.findall(r"<th\b", table))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[-1], re.S):
            cells = len(re.findall(r"<td\b", row))
            assert cells == columns, f"a Results row has {cells} cells for {columns} columns: {row[:200]}"


def test_results_page_shows_headlines_and_benchmarks_apart_with_verdict_counts(site):
    rows = records.load_results()
    page = (site / "results" / "index.html").read_text(encoding="utf-8")
    head, _, rest = page.partition('id="benchmark-rows"')
    assert 'id="verdicts-by-part"' in head and 'id="the-papers-claims"' in head and rest, \
        "the Results page lacks its sections"
    counts = head.split('id="verdicts-by-part"', 1)[1].split('id="the-papers-claims"', 1)[0]
    for part in catalogue.load().parts:
        assert part.title.replace("&", "&amp;") in counts, f"no verdict count for {part.id}"
    def text(markup: str) -> str:  # what a reader sees: no tags, no entities, straight quotes
        return html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u2019", "'")

    head, rest = text(head), text(rest)
    for r in rows:
        section = head if r["kind"] == "headline" else rest
        assert r["claim"][:40] in section, f"{r['notebook']}: '{r['claim'][:40]}' is not in the {r['kind']} table"
        assert r["data"].split(" (")[0] in section


def test_each_notebook_page_says_where_its_data_came_from(site):
    cat = catalogue.load()
    for path in records.all_notebooks():
        data = {r["data"] for r in records.results_of(records.read(path))}
        topic = cat.topic(path.stem)
        header = (site / topic.part / topic.id / "notebook" / "index.html").read_text(encoding="utf-8")
        header = header.split('class="nb-header"', 1)[1].split("</div>", 1)[0]
        for source in data:
            assert source.replace("&", "&amp;").replace("'", "&#x27;") in header, \
                f"{path.name}: its page does not say its data came from {source!r}"
        assert "real data" not in header


def test_every_page_has_its_own_description_and_heading(site):
    """A link preview or a search result says what the page is; a notebook page is not headed
    like its topic page; the theme's notebook templates are not published."""
    home = (site / "index.html").read_text(encoding="utf-8")
    site_description = re.search(r'<meta name="description" content="([^"]*)"', home).group(1)
    seen = {}
    for page in html_pages(site):
        if page.name == "404.html" or page == site / "index.html":
            continue
        text = page.read_text(encoding="utf-8")
        described = re.search(r'<meta name="description" content="([^"]*)"', text)
        assert described and described.group(1) != site_description, \
            f"{page.relative_to(site)} carries the generic description"
        seen.setdefault(re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1), []).append(page)
    repeated = {h: p for h, p in seen.items() if len(p) > 1}
    assert not repeated, f"pages share a heading: {repeated}"
    assert not (site / "nbconvert").exists(), "the notebook templates are published"
