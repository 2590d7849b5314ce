"""The reference pages generated from data/catalogue.yaml, never written by hand:

papers/index.md (every paper, a sortable table), papers/timeline.md (by year),
papers/by-constraint.md (the papers that raised each constraint), papers/lineage.md (which topic
built on which: the diagram scripts/lineage.py draws, and a table) and papers/references.bib.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from scripts import citations, lineage
from scripts.catalogue import Catalogue, Paper
from scripts.site_pages import authors_short, page_front_matter, topic_page
from scripts.topic_pages import BY_CONSTRAINT, constraint_chips, paper_target, relative

PAPERS = "papers/index.md"
TIMELINE = "papers/timeline.md"
LINEAGE = "papers/lineage.md"
BIB = "papers/references.bib"


@dataclass(frozen=True)
class Links:
    """Markdown links from one generated page. A topic whose page is not written yet is named
    but not linked, and its papers link to the paper itself."""
    cat: Catalogue
    written: frozenset[str]
    src: str

    def paper(self, paper: Paper) -> str:
        if topic_page(self.cat.topic(paper.topic)) not in self.written:
            return f"[{paper.title}]({paper.link})"
        return f"[{paper.title}]({relative(paper_target(self.cat, paper), self.src)})"

    def topic(self, topic_id: str) -> str:
        topic = self.cat.topic(topic_id)
        if topic_page(topic) not in self.written:
            return topic.title
        return f"[{topic.title}]({relative(topic_page(topic), self.src)})"


def pages(cat: Catalogue, written: set[str]) -> dict[str, str]:
    """Source path -> content of every generated reference page and file."""
    return {PAPERS: papers_page(Links(cat, frozenset(written), PAPERS)),
            TIMELINE: timeline_page(Links(cat, frozenset(written), TIMELINE)),
            BY_CONSTRAINT: by_constraint_page(Links(cat, frozenset(written), BY_CONSTRAINT)),
            LINEAGE: lineage_page(Links(cat, frozenset(written), LINEAGE)),
            BIB: citations.references_bib(cat)}


def _by_year(cat: Catalogue) -> list[Paper]:
    order = {p.id: i for i, p in enumerate(cat.papers)}
    return sorted(cat.papers, key=lambda p: (p.year, order[p.id]))


def papers_page(link: Links) -> str:
    cat = link.cat
    src = PAPERS
    lines = [page_front_matter(f"All {len(cat.papers)} papers on this site, from {_by_year(cat)[0].year} to "
                          f"{_by_year(cat)[-1].year}, in one sortable table with links to their notes.",
                          hide="[navigation]"), "# Papers", "",
             f"All {len(cat.papers)} papers with notes on this site. Click a column heading to sort by it; "
             "a title opens the paper's note on its topic page. The same list, by year, is the "
             f"[timeline]({relative(TIMELINE, src)}); by constraint, [by constraint]({relative(BY_CONSTRAINT, src)}).",
             "",
             f"[:material-download: references.bib]({relative(BIB, src)}){{ .md-button download }} "
             "holds a BibTeX entry for every paper, keyed by the paper's id on this site.",
             "", '<div class="sortable" markdown>', "",
             "| Year | Paper | Authors | Topic | Constraints raised |", "|---|---|---|---|---|"]
    for paper in _by_year(cat):
        lines.append(f"| {paper.year} | {link.paper(paper)} | {authors_short(paper.authors)} | "
                     f"{link.topic(paper.topic)} | {constraint_chips(cat, paper.constraints, src)} |")
    return "\n".join(lines + ["", "</div>", ""])


def timeline_page(link: Links) -> str:
    cat = link.cat
    src = TIMELINE
    first, last = _by_year(cat)[0].year, _by_year(cat)[-1].year
    lines = [page_front_matter("The papers on this site year by year, from backpropagation to DALL-E 2."),
             "# Timeline", "",
             f"The {len(cat.papers)} papers on this site from {first} to {last}, in the order they appeared "
             "(the year of first publication, preprint included), each marked with the constraints it raised.",
             "", "Constraints: " + constraint_chips(cat, [c.id for c in cat.constraints], src), ""]
    for year, papers in groupby(_by_year(cat), key=lambda p: p.year):
        lines += [f"## {year}", ""]
        for paper in papers:
            lines.append(f"- {link.paper(paper)} — {authors_short(paper.authors)} · "
                         f"{link.topic(paper.topic)}<br>{constraint_chips(cat, paper.constraints, src)}")
        lines.append("")
    return "\n".join(lines)


def by_constraint_page(link: Links) -> str:
    cat = link.cat
    src = BY_CONSTRAINT
    lines = [page_front_matter("The papers on this site grouped by the constraint each one raised: data, "
                          "parameters, optimization, architecture, compute, efficiency, energy."),
             "# By constraint", "",
             "The site reads the history of deep learning as seven constraints lifted one at a time. "
             "Under each constraint are the papers on this site that raised it; a paper can raise several.", ""]
    for c in cat.constraints:
        papers = [p for p in _by_year(cat) if c.id in p.constraints]
        count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}:" if papers else \
            "No paper on this site raised this constraint directly."
        lines += [f"## {c.title} {{ #{c.id} }}", "", f"*{c.summary}*", "", count, ""]
        lines += [f"- {p.year}: {link.paper(p)} ({link.topic(p.topic)})" for p in papers]
        lines.append("")
    return "\n".join(lines)


def lineage_page(link: Links) -> str:
    cat = link.cat
    if not lineage.OUT.exists():
        raise lineage.LineageError(f"{lineage.OUT.relative_to(lineage.ROOT)} is missing: run `make figures`")
    svg = lineage.OUT.read_text(encoding="utf-8")
    if lineage.drawn_from(svg) != lineage.source_hash(cat):
        raise lineage.LineageError(f"{lineage.OUT.relative_to(lineage.ROOT)} was drawn from another version "
                                   "of data/catalogue.yaml: run `make figures`")
    lines = [page_front_matter("Which topic of the site built on which, from backpropagation to DALL-E 2: "
                          "a diagram and a table drawn from the catalogue.", hide="[navigation, toc]"),
             "# Lineage", "",
             "Which topic built on which. An arrow runs from a topic to the later work that took something "
             "from it; the table below says the same in words, and each topic page's title block lists "
             "what it built on and what it led to. Each box opens its topic; on a narrow screen the "
             "diagram scrolls sideways. Colours mark the parts: "
             + ", ".join(f'<span class="swatch part-{i}"></span> {p.title}' for i, p in enumerate(cat.parts))
             + ".", "",
             # one line of raw HTML: Markdown leaves it alone
             '<div class="scroll-x lineage-box">' + svg.replace("\n", "") + "</div>", ""]
    lines += ["| Topic | Built on | Led to |", "|---|---|---|"]
    for topic in cat.topics:
        built = ", ".join(link.topic(t) for t in topic.builds_on) or "—"
        led = ", ".join(link.topic(t.id) for t in cat.led_to(topic.id)) or "—"
        lines.append(f"| {link.topic(topic.id)} | {built} | {led} |")
    return "\n".join(lines) + "\n"
