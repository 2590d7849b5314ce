"""What the build adds to the hand-written Markdown of topic pages, all from the catalogue:

- `topic:<id>`, `paper:<id>` and `constraint:<id>` links become relative links to the right
  page and anchor (on every page), so moving or renaming a page cannot leave a dangling link;
- a topic page gets its title block: title, other names, constraints, papers, lineage,
  notebook;
- each `<!-- paper: <id> -->` marker becomes the note's heading, citation and BibTeX.

Mistakes (an unknown id, a note for another topic's paper, a missing or repeated note, a
hand-written title) raise TopicPageError naming the file.
"""
from __future__ import annotations

import re

from scripts import citations, topic_text
from scripts.catalogue import Catalogue, Paper, Topic
from scripts.site_pages import relative, topic_page

BY_CONSTRAINT = "papers/by-constraint.md"
ID_LINK = re.compile(r"\]\((topic|paper|constraint):([^)#\s]*)(#[^)\s]*)?\)")


class TopicPageError(ValueError):
    """A topic page or a catalogue link does not match the catalogue."""


def paper_target(cat: Catalogue, paper: Paper) -> str:
    return f"{topic_page(cat.topic(paper.topic))}#{paper.id}"


def constraint_target(constraint_id: str) -> str:
    return f"{BY_CONSTRAINT}#{constraint_id}"


def resolve_links(markdown: str, src_uri: str, cat: Catalogue, first_line: int = 1) -> str:
    def swap(match: re.Match) -> str:
        kind, ident, anchor = match.group(1), match.group(2), match.group(3) or ""
        try:
            if kind == "topic":
                target = topic_page(cat.topic(ident)) + anchor
            elif kind == "paper":
                target = paper_target(cat, cat.paper(ident))
            else:
                target = constraint_target(cat.constraint(ident).id)
        except KeyError:
            line = markdown.count("\n", 0, match.start()) + first_line
            raise TopicPageError(f"docs/{src_uri}:{line}: link to unknown {kind} '{ident}' "
                                 f"(ids are in data/catalogue.yaml)") from None
        return f"]({relative(target, src_uri)})"

    return ID_LINK.sub(swap, markdown)


def constraint_chips(cat: Catalogue, ids, src_uri: str) -> str:
    return " ".join(f"[{cat.constraint(c).title}]({relative(constraint_target(c), src_uri)})"
                    f"{{ .chip .chip--{c} }}" for c in ids)


def authors_text(authors: tuple[str, ...]) -> str:
    names = [a for a in authors if a != citations.ET_AL]
    text = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return text + (" et al." if len(names) < len(authors) else "")


def _raised(topic: Topic, cat: Catalogue) -> list[str]:
    raised = {c for p in topic.papers for c in p.constraints}
    return [c.id for c in cat.constraints if c.id in raised]


def header(topic: Topic, cat: Catalogue, has_notebook: bool, written: set[str]) -> str:
    src = topic_page(topic)

    def topics(ts) -> str:
        return " · ".join(f"[{t.title}]({relative(topic_page(t), src)})" if topic_page(t) in written else t.title
                          for t in ts) or "—"

    rows = []
    if topic.aliases:
        rows.append(f"**Also known as:** {' · '.join(topic.aliases)}")
    rows.append(f"**Constraints raised:** {constraint_chips(cat, _raised(topic, cat), src)}")
    rows.append("**Papers:** " + " · ".join(f"[{p.title}](#{p.id}) ({p.year})" for p in topic.papers))
    rows.append(f"**Built on:** {topics(cat.topic(t) for t in topic.builds_on)}")
    rows.append(f"**Led to:** {topics(cat.led_to(topic.id))}")
    if has_notebook:
        rows.append("**Notebook:** [the experiment, executed, with its code and results](notebook.ipynb)")
    items = "\n".join(f"- {row}" for row in rows)
    return f'# {topic.title}\n\n<div class="topic-meta" markdown>\n\n{items}\n\n</div>\n\n'


def note_head(paper: Paper, cat: Catalogue, src_uri: str) -> str:
    entry = "\n".join("    " + line for line in citations.bibtex(paper).splitlines())
    return (f"## {paper.title} ({paper.year}) {{ #{paper.id} }}\n\n"
            f'<div class="paper-card" markdown>\n\n'
            f"{authors_text(paper.authors)}. **{paper.title}.** {citations.venue_text(paper)}. "
            f"[{citations.link_label(paper)}]({paper.link})\n\n"
            f"Raised: {constraint_chips(cat, paper.constraints, src_uri)}\n\n"
            # the BibTeX is for copying, not for search results
            f'<div data-search-exclude markdown>\n\n??? quote "BibTeX"\n\n    ```bibtex\n{entry}\n    ```\n\n'
            "</div>\n\n</div>\n")


def render(markdown: str, topic: Topic, cat: Catalogue, has_notebook: bool, written: set[str]) -> str:
    """The page as the reader sees it: title block first, each marker replaced by its note head."""
    src = topic_page(topic)
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    title = re.search(r"^# ", body, re.M)
    if title:
        raise TopicPageError(f"docs/{src}: remove the '# ' title line: the build writes the "
                             f"title block from data/catalogue.yaml")
    found = topic_text.split(markdown).order
    own = [p.id for p in topic.papers]
    for paper_id in found:
        if paper_id not in own:
            where = f"paper '{paper_id}' belongs to topic '{cat.paper(paper_id).topic}'" \
                if paper_id in {p.id for p in cat.papers} else f"no paper '{paper_id}' in data/catalogue.yaml"
            raise TopicPageError(f"docs/{src}: note marker for {where}; this page's papers: {', '.join(own)}")
        if found.count(paper_id) > 1:
            raise TopicPageError(f"docs/{src}: paper '{paper_id}' has {found.count(paper_id)} notes; give it one")
    missing = [p for p in own if p not in found]
    if missing:
        raise TopicPageError(f"docs/{src}: no note for paper '{missing[0]}': add a line "
                             f"<!-- paper: {missing[0]} --> and its note")

    def head(match: re.Match) -> str:
        return note_head(cat.paper(match.group(1)), cat, src)

    front = markdown[: len(markdown) - len(body)]
    return front + header(topic, cat, has_notebook, written) + topic_text.PAPER_MARKER.sub(head, body)
