"""What the build adds to the essay's Markdown:

- a `<!-- figure: <name> -->` line becomes the chart (docs/essay/figures/<name>.svg, drawn by
  scripts/figures.py), its caption, and a collapsed table of the data with a source per row;
- each essay page ends with a link to the next one in reading order (the nav's order).
"""
from __future__ import annotations

import html
import re

from scripts import figures
from scripts.topic_pages import relative

FIGURE_MARKER = re.compile(r"^<!--\s*figure:\s*([a-z0-9-]+)\s*-->\s*$", re.M)
FIGURES_DIR = "essay/figures"


class EssayError(ValueError):
    """An essay page names a figure that has no data file or no drawing."""


def all_figures(cat) -> dict[str, figures.Figure]:
    """Every figure a page can name: the data files' and the catalogue timeline."""
    known = {f.name: f for f in figures.all_figures()}
    known[figures.TIMELINE] = figures.timeline_figure(cat)
    return known


def figure_block(figure: figures.Figure, src_uri: str) -> str:
    # Markdown image syntax, so MkDocs checks the file and rewrites the path for the page's URL.
    image = relative(f"{FIGURES_DIR}/{figure.name}.svg", src_uri)
    alt = figure.alt.replace("[", "(").replace("]", ")")
    caption = f"<strong>{html.escape(figure.title)}.</strong> {html.escape(figure.caption)}"
    width, height = svg_size(figures.OUT / f"{figure.name}.svg")
    # Shown at its drawn size, never shrunk below it: on a phone the chart scrolls sideways in its
    # own box and its labels stay legible; the size attributes reserve its space (no layout shift).
    block = ['<figure class="chart" markdown>', "", '<div class="scroll-x" markdown>', "",
             f"![{alt}]({image}){{ loading=lazy width={width} height={height} "
             f'style="min-width: {width}px" }}', "", "</div>", "",
             f"<figcaption>{caption}</figcaption>", "</figure>", ""]
    if figure.rows:
        block += ['<details class="chart-data"><summary>Data and sources</summary>', "<table>",
                  "<tr><th>Item</th><th>Year</th><th>Value</th><th>Source</th></tr>"]
        for row in figure.rows:
            value = row["value"]
            shown = f"{value:,.0f}" if value >= 1000 and value < 1e7 else f"{value:.3g}"
            block.append(f"<tr><td>{html.escape(row['label'])}</td><td>{row.get('year', '')}</td>"
                         f"<td>{shown}</td><td>{html.escape(row['source'])}</td></tr>")
        block += ["</table>", "</details>", ""]
    return "\n".join(block)


SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"')


def svg_size(path) -> tuple[int, int]:
    """The drawn size of a Matplotlib SVG in CSS pixels (its header gives points: 1pt = 4/3 px)."""
    match = SVG_SIZE.search(path.read_text(encoding="utf-8")[:2000])
    if not match:
        raise EssayError(f"{path}: no width and height in points in its <svg> header")
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def expand_figures(markdown: str, src_uri: str, known: dict[str, figures.Figure]) -> str:
    def swap(match: re.Match) -> str:
        name = match.group(1)
        line = markdown.count("\n", 0, match.start()) + 1
        if name not in known:
            raise EssayError(f"docs/{src_uri}:{line}: no figure '{name}' (data/figures/*.yaml holds: "
                             f"{', '.join(sorted(known))})")
        if not (figures.OUT / f"{name}.svg").exists():
            raise EssayError(f"docs/{src_uri}:{line}: figure '{name}' is not drawn yet: run `make figures`")
        return figure_block(known[name], src_uri)

    return FIGURE_MARKER.sub(swap, markdown)


def next_link(page) -> str:
    nxt = page.next_page
    if nxt is None or not nxt.file.src_uri.startswith("essay/"):
        return ""
    return f"\n\n---\n\n**Next:** [{nxt.title}]({relative(nxt.file.src_uri, page.file.src_uri)}) →\n"
