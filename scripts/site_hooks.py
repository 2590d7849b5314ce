"""MkDocs hooks: the glue between the data, the notebooks and the Material theme.

- on_config: validate the catalogue and expand the "@catalogue" nav entry into the five parts;
  point mkdocs-jupyter at our lean notebook template (overrides/nbconvert).
- on_files: bring notebooks/<topic>.ipynb in as <part>/<topic>/notebook.ipynb, generate the
  part index pages and the Results page, and add KaTeX and highlight.js from
  node_modules so no page ever loads a script or font from another host.
- on_page_markdown / on_page_content: fill generated blocks; give notebook pages their header.
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import struct
import sys
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import catalogue as catalogue_mod  # noqa: E402
from scripts import catalogue_pages  # noqa: E402
from scripts import essay_pages  # noqa: E402
from scripts import figures  # noqa: E402
from scripts import front_matter  # noqa: E402
from scripts import lineage  # noqa: E402
from scripts import notebook_records as records  # noqa: E402
from scripts import site_pages  # noqa: E402
from scripts import topic_pages  # noqa: E402

NAV_MARKER = "@catalogue"
BLOCK_MARKER = re.compile(r"<!--\s*generated:([a-z-]+)\s*-->")
FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n.*?\n(?:-{3}|\.{3})[ \t]*\n", re.S)  # as MkDocs reads it
MERMAID_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*mermaid\b", re.M)
NBCONVERT_TEMPLATES = ROOT / "overrides" / "nbconvert"
NODE_MODULES = ROOT / "node_modules"
# (source under node_modules, destination under assets/vendor): only what pages load.
VENDOR = [
    ("katex/dist/katex.min.js", "katex/katex.min.js"),
    ("katex/dist/katex.min.css", "katex/katex.min.css"),
    ("katex/dist/contrib/auto-render.min.js", "katex/auto-render.min.js"),
    ("katex/dist/fonts/*.woff2", "katex/fonts/"),
    ("@highlightjs/cdn-assets/es/core.min.js", "highlight/core.min.js"),
    ("@highlightjs/cdn-assets/es/languages/python.min.js", "highlight/python.min.js"),
]

_state: dict = {}


def on_config(config):
    try:
        cat = catalogue_mod.load()
    except catalogue_mod.CatalogueError as err:
        raise PluginError(f"catalogue: {err}") from err
    docs_dir = Path(config["docs_dir"])
    for path in records.all_notebooks():  # a broken notebook stops the build by name
        try:
            records.read(path)
        except records.NotebookError as err:
            raise PluginError(str(err)) from err
    notebooks = {p.stem for p in records.all_notebooks()}
    unknown = sorted(notebooks - {t.id for t in cat.topics})
    if unknown:
        raise PluginError(f"notebooks/{unknown[0]}.ipynb: no topic with id '{unknown[0]}' in data/catalogue.yaml")
    try:
        chart_data = essay_pages.all_figures(cat)
    except figures.FigureError as err:
        raise PluginError(str(err)) from err
    written = site_pages.written_topic_pages(docs_dir, cat)
    topics_by_page = {site_pages.topic_page(t): t for t in cat.topics}
    _state.update(catalogue=cat, notebooks=notebooks, written=written, topics_by_page=topics_by_page,
                  figures=chart_data)

    if not os.environ.get("MIKE_DOCS_VERSION"):
        # Only `mike deploy` publishes versions.json; without it Material's version selector
        # would fetch a file that is not there (a 404 in the console of every page).
        config["extra"].pop("version", None)

    nav = config["nav"] or []
    if NAV_MARKER in nav:
        i = nav.index(NAV_MARKER)
        nav[i:i + 1] = [_part_nav(part, written, notebooks) for part in cat.parts]
    _use_lean_notebook_template(config)
    return config


def _part_nav(part, written: set[str], notebooks: set[str]) -> dict:
    entries: list = [f"{part.id}/index.md"]
    for topic in part.topics:
        page = site_pages.topic_page(topic)
        children = [page] if page in written else []
        if topic.id in notebooks:
            children.append({"Notebook": site_pages.notebook_page(topic)})
        if children == [page]:
            entries.append({topic.title: page})  # a lone topic page is the entry itself
        elif children:
            entries.append({topic.title: children})
    return {part.title: entries}


def _use_lean_notebook_template(config) -> None:
    from mkdocs_jupyter.config import settings

    settings.templates_dir = str(NBCONVERT_TEMPLATES)
    # mkdocs-jupyter's cache key ignores the template, so key the cache folder on it.
    digest = hashlib.sha256()
    for f in sorted(NBCONVERT_TEMPLATES.rglob("*")):
        if f.is_file():
            digest.update(f.read_bytes())
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is not None:
        plugin.config["cache_dir"] = str(Path(plugin.config["cache_dir"]) / digest.hexdigest()[:12])


@event_priority(50)  # before mkdocs-jupyter wraps the .ipynb files
def on_files(files: Files, config) -> Files:
    cat = _state["catalogue"]
    for f in list(files):  # the notebook templates sit in the theme folder but are not the site's
        if f.src_uri.startswith("nbconvert/"):
            files.remove(f)
    for topic in cat.topics:
        if topic.id in _state["notebooks"]:
            files.append(File.generated(config, site_pages.notebook_page(topic),
                                        abs_src_path=str(records.NOTEBOOKS / f"{topic.id}.ipynb")))
            for data in sorted(records.NOTEBOOKS.glob(f"{topic.id}-*.txt")):  # a notebook's own data
                files.append(File.generated(config, f"{topic.src_dir}/notebook/{data.name}",
                                            abs_src_path=str(data)))
    for part in cat.parts:
        files.append(File.generated(config, f"{part.id}/index.md",
                                    content=site_pages.part_index(part, cat, _state["written"], _state["notebooks"])))
    try:
        generated = catalogue_pages.pages(cat, _state["written"])
    except lineage.LineageError as err:
        raise PluginError(str(err)) from err
    for path, content in generated.items():
        files.append(File.generated(config, path, content=content))
    rows = records.load_results()
    files.append(File.generated(config, "results.md",
                                content=site_pages.results_page(rows, cat, _state["notebooks"])))
    for src, dest in _vendor_files():
        files.append(File.generated(config, f"assets/vendor/{dest}", abs_src_path=str(src)))
    return files


def on_nav(nav, config, files):
    """mkdocs-jupyter wraps each notebook File in a NotebookFile that loses the source path of
    a generated File (ours point into notebooks/); hand it back before pages are read."""
    for f in files:
        inner = getattr(f, "file", None)
        if isinstance(inner, File) and f.abs_src_path is None and inner.abs_src_path:
            f.abs_src_path = inner.abs_src_path
    return nav


def _vendor_files() -> list[tuple[Path, str]]:
    found = []
    for pattern, dest in VENDOR:
        matches = sorted(NODE_MODULES.glob(pattern))
        if not matches:
            raise PluginError(f"node_modules/{pattern} not found: run `make assets` to install the site's "
                              "KaTeX and highlight.js (npm packages pinned in package.json)")
        for m in matches:
            found.append((m, dest + m.name if dest.endswith("/") else dest))
    return found


def on_page_markdown(markdown: str, page, config, files) -> str:
    cat = _state["catalogue"]

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "constraints":
            return site_pages.constraints_table(cat)
        if name == "notebooks":
            if not (src.startswith("essay/") and page.file.name in {c.id for c in cat.constraints}):
                raise PluginError(f"{src}: the generated:notebooks block belongs on an essay page "
                                  "named after a constraint (essay/<constraint id>.md)")
            return site_pages.constraint_notebooks(page.file.name, cat, _state["notebooks"],
                                                   records.load_results(), src)
        raise PluginError(f"{page.file.src_uri}: unknown generated block '{name}'")

    src = page.file.src_uri
    if src.endswith(".md"):  # generated pages too: their front matter is written by our code
        if (m := MERMAID_FENCE.search(markdown)):  # it would render as a code listing
            line = markdown[: m.start()].count("\n") + _body_start(page)
            raise PluginError(f"docs/{src}:{line}: a ```mermaid diagram: the site ships no diagram "
                              "script; draw it as an inline <svg> (see the dnn page) or at build time")
        try:  # MkDocs would render broken front matter as a heading and go on
            front_matter.check(page.file.content_string, f"docs/{src}")
        except front_matter.FrontMatterError as err:
            raise PluginError(str(err)) from err
    try:
        markdown = topic_pages.resolve_links(markdown, src, cat, first_line=_body_start(page))
        topic = _state["topics_by_page"].get(src)
        if topic is not None:
            markdown = topic_pages.render(markdown, topic, cat, topic.id in _state["notebooks"], _state["written"])
            page.meta["tags"] = list(topic.aliases)  # Material's search weights tags above all text
        markdown = essay_pages.expand_figures(markdown, src, _state["figures"])
        if src.startswith("essay/"):
            markdown += essay_pages.next_link(page)
    except (topic_pages.TopicPageError, essay_pages.EssayError) as err:
        raise PluginError(str(err)) from err
    return BLOCK_MARKER.sub(fill, markdown)


def _body_start(page) -> int:
    """The file line where the Markdown that MkDocs hands on starts: after the front matter and
    the blank lines MkDocs strips after it."""
    text = page.file.content_string
    m = FRONT_MATTER.match(text)
    if not m:
        return 1
    rest = text[m.end():]
    return text.count("\n", 0, m.end()) + len(rest) - len(rest.lstrip("\n")) + 1


def on_pre_page(page, config, files):
    """Point "edit this page" at the real source: the notebook file or the catalogue."""
    repo = (config.get("repo_url") or "").rstrip("/")
    if not repo:
        return page
    if page.file.src_uri.endswith(".ipynb"):
        page.edit_url = f"{repo}/blob/main/notebooks/{Path(page.file.abs_src_path).name}"
    elif page.file.generated_by:
        page.edit_url = f"{repo}/blob/main/data/{'results.json' if page.file.src_uri == 'results.md' else 'catalogue.yaml'}"
    return page


STYLE_TAIL = re.compile(r"\s*<style>.*?</style>\s*$", re.DOTALL)


def on_page_content(content: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    # mkdocs-jupyter appends the Pygments CSS after the template's output; the site has its own.
    content = STYLE_TAIL.sub("", content)
    # The nav calls it "Notebook" (under its topic); the browser tab should say whose.
    topic = _state["catalogue"].topic(Path(page.file.abs_src_path).stem)
    page.meta["title"] = f"Notebook: {topic.title}"
    page.meta["description"] = notebook_description(Path(page.file.abs_src_path), topic.title)
    # the topic page is headed by the topic's title; this page by what it is
    content = re.sub(r"(<h1\b[^>]*>)", r"\1Notebook: ", content, count=1)
    content = PNG_DATA.sub(lambda m: _png_file(m, page, config), content)
    _align_toc(page.toc, content)
    header = notebook_header(Path(page.file.abs_src_path), config)
    # between the cell that holds the notebook's title and the next cell, else at the top
    title = content.find("</h1>")
    after = content.find('<div class="jp-Cell ', title) if title != -1 else -1
    if after == -1:
        return header + content
    return content[:after] + header + content[after:]


HEADING = re.compile(r'<h[1-6] id="([^"]+)"[^>]*>(.*?)</h[1-6]>', re.S)


def _plain(markup: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", markup)).replace("\u00b6", "")
    return " ".join(text.split())


def _align_toc(toc, content: str) -> None:
    """mkdocs-jupyter slugs a notebook heading for the contents list its own way (it drops code
    spans: "Checking it against `F.dropout`" becomes #checking-it-against, "the `tokenizers`
    library" #the-library) while the heading's id keeps them: point each contents entry at the
    heading it names (its words, in order, with the code spans' words left out)."""
    headings = [(hid, _plain(text)) for hid, text in HEADING.findall(content)]
    ids = {hid for hid, _ in headings}
    used = set()

    def within(short: str, long: str) -> bool:
        words = iter(long.split("-"))
        return all(w in words for w in short.split("-"))  # a subsequence, in order

    def walk(items):
        for item in items:
            if item.id not in ids:  # its title lost the code span too: "Checking it against"
                free = [(hid, text) for hid, text in headings if hid not in used]
                match = next((hid for hid, text in free if text == _plain(item.title)
                              or hid.startswith(item.id + "-")), None) or \
                    next((hid for hid, _ in free if within(item.id, hid)), None)
                if match:
                    item.id = match
            used.add(item.id)
            walk(item.children)

    walk(toc)


PNG_DATA = re.compile(r'<img\b([^>]*?)\bsrc="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def _png_file(match: re.Match, page, config) -> str:
    """Move an inline plot out of the HTML into its own file beside the page: the text
    arrives first, plots load as they scroll into view, and a browser caches each one."""
    data = base64.b64decode(match.group(2))
    name = f"plot-{hashlib.sha256(data).hexdigest()[:12]}.png"
    folder = Path(config["site_dir"]) / Path(page.file.dest_uri).parent
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / name).exists():
        (folder / name).write_bytes(data)
    width, height = struct.unpack(">II", data[16:24])  # from the PNG's IHDR chunk
    size = "" if re.search(r"\b(width|height)=", match.group(1)) else f' width="{width}" height="{height}"'
    return f'<img{match.group(1)}src="{name}" loading="lazy"{size}'


def notebook_description(path: Path, title: str) -> str:
    """For link previews and search engines: what the notebook tests, from its headline record."""
    results = records.results_of(records.read(path))
    claim = results[0]["claim"] if results else f"a claim of the {title} papers"
    text = f"{title}, tested in a PyTorch notebook: {claim}"
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


def notebook_header(path: Path, config) -> str:
    """Executed at <scale> on <device> in <time> on <date>; download; open in Colab."""
    nb = records.read(path)
    run = records.execution(nb)
    if run is None:
        said = "Not executed yet: this page shows the notebook without outputs."
    else:
        said = (f"Executed at <strong>{html.escape(str(run['scale']))}</strong> scale on "
                f"<strong>{html.escape(str(run['device']))}</strong> in "
                f"{site_pages._duration(run['seconds'])} on {html.escape(str(run['date']))} "
                f"(PyTorch {html.escape(str(run.get('torch', '?')))}).")
        if records.is_stale(nb):
            said += " <em>Its code changed since: the outputs may not match it.</em>"
        data = list(dict.fromkeys(r["data"] for r in records.results_of(nb) if r.get("data")))
        if data:
            said += f" Data: {html.escape('; '.join(data))}."
    links = [f'<a href="{path.name}" download>Download the .ipynb</a>']
    repo = urlsplit(config.get("repo_url") or "")
    if repo.netloc == "github.com":
        colab = f"https://colab.research.google.com/github{repo.path.rstrip('/')}/blob/main/notebooks/{path.name}"
        links.append(f'<a href="{colab}" rel="noopener">Open in Colab</a>')
    return (f'<div class="nb-header" data-search-exclude><p>{said}</p>'
            f'<p>{" · ".join(links)}</p></div>\n')
