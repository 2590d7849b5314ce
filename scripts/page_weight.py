"""Weigh built pages: whole, and without their notebook outputs.

A notebook page's outputs (plots, printed tables) are its content; everything else (markup,
styles, scripts) is overhead that we keep small. Output blocks are recognised by class:
`nb-outputs` (our template's <section>) or `jp-OutputArea` (nbconvert's, used by stock mkdocs-jupyter).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

OUTPUT_CLASSES = {"nb-outputs", "jp-OutputArea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _OutputSpans(HTMLParser):
    """Collect (start, end) character offsets of top-level output blocks."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.text, self.spans, self.depth, self.start, self.tag = text, [], 0, None, None
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.start is None:
            classes = set((dict(attrs).get("class") or "").split())
            if classes & OUTPUT_CLASSES:
                self.start, self.depth, self.tag = self._offset(), 1, tag
        elif tag == self.tag:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.start is not None and tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                end = self.text.index(">", self._offset()) + 1
                self.spans.append((self.start, end))
                self.start = None


def without_outputs(html: str) -> str:
    parser = _OutputSpans(html)
    parser.feed(html)
    parser.close()
    kept, pos = [], 0
    for start, end in parser.spans:
        kept.append(html[pos:start])
        pos = end
    kept.append(html[pos:])
    return "".join(kept)


LOCAL_IMG = re.compile(r'<img\b[^>]*\bsrc="(?![a-z]+:|/)([^"]+)"')


def weigh(page: Path) -> tuple[int, int]:
    """(bytes of the page with the images it shows from its own folder,
        bytes of the page's HTML without notebook outputs)."""
    html = page.read_text(encoding="utf-8")
    images = {page.parent / src for src in LOCAL_IMG.findall(html)}
    total = len(html.encode()) + sum(p.stat().st_size for p in images if p.is_file())
    return total, len(without_outputs(html).encode())


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
