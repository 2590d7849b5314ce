"""Headless Chromium against the built site served on localhost."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest

from conftest import serve
from scripts import catalogue


@pytest.fixture(scope="module")
def base_url(site, site_port):
    with serve(site, site_port) as url:
        yield url


def assert_only_localhost(page):
    foreign = [u for u in page.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert not foreign, f"requests left localhost: {foreign}"


def test_home_renders_with_the_constraints_table(page, base_url):
    page.goto(base_url + "/")
    assert "How Deep Learning Got Here" in page.title()
    assert page.locator("article h1").first.is_visible()
    rows = page.locator("article table tbody tr")
    assert rows.count() == 7
    assert "Energy" in rows.nth(6).inner_text()
    page.wait_for_load_state("networkidle")
    assert_only_localhost(page)


# Common names a reader types; each must be one of its topic's `aliases` in the catalogue.
ALIAS_QUERIES = ["ResNet", "skip connection", "BatchNorm", "backprop", "InstructGPT", "PPO", "VQ-VAE",
                 "word embeddings", "Stable Diffusion", "GRU", "ViT", "LayerNorm", "forget gate",
                 "Switch Transformer", "DDPM", "low-rank adaptation", "skip-gram", "GoogLeNet", "ControlNet",
                 "MoE"]


def search(page, query: str) -> list[str]:
    """Type into the site's search box as a reader would; the top three results' links."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-search__icon, .md-search__input").first.click()
    box.fill("")
    box.press_sequentially(query, delay=5)  # Material listens to key events
    # The worker answers each keystroke's prefix in turn and the list is re-rendered for each,
    # so read the links only once the same non-empty list has been seen twice, 300 ms apart.
    top_links = """() => [...document.querySelectorAll('.md-search-result__list > li > a')]
        .slice(0, 3).map(a => a.getAttribute('href') || '')"""
    page.wait_for_function("(q) => document.querySelector('input.md-search__input').value === q",
                           arg=query, timeout=15_000)
    seen = None
    for _ in range(50):
        page.wait_for_timeout(300)
        now = page.evaluate(top_links)
        if now and now == seen:
            return now
        seen = now
    return seen or []


def test_common_names_find_their_topic_in_the_top_three(page, base_url):
    cat = catalogue.load()
    page.goto(base_url + "/")
    missed = []
    for query in ALIAS_QUERIES:
        topic = next(t for t in cat.topics if query in t.aliases)
        top = search(page, query)
        if not any(f"/{topic.src_dir}/" in href for href in top):
            missed.append(f"{query!r} -> {topic.id}: top results {top}")
    assert not missed, "\n".join(missed)
    assert_only_localhost(page)


def test_searching_a_topic_title_lists_its_page(page, base_url):
    page.goto(base_url + "/")
    assert any("/deep-neural-networks/dnn/" in h for h in search(page, "Deep Neural Networks and Backpropagation"))


def test_papers_table_sorts_by_a_clicked_column(page, base_url):
    page.goto(base_url + "/papers/")
    years = lambda: [int(t) for t in page.locator(".sortable tbody tr td:first-child").all_inner_texts()]
    assert years() == sorted(years()) and len(years()) == len(catalogue.load().papers)
    page.locator(".sortable thead th").first.click()  # ascending (already so), then descending
    assert page.locator(".sortable thead th").first.get_attribute("aria-sort") == "ascending"
    page.locator(".sortable thead th").first.click()
    assert page.locator(".sortable thead th").first.get_attribute("aria-sort") == "descending"
    assert years() == sorted(years(), reverse=True)
    page.locator(".sortable thead th").nth(1).click()
    titles = page.locator(".sortable tbody tr td:nth-child(2)").all_inner_texts()
    assert titles == sorted(titles, key=str.lower) or titles == sorted(titles)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lineage_diagram_reads_on_a_phone_in_both_palettes(browser, base_url, scheme):
    """The diagram keeps its labels at text size on a 390-px screen (it scrolls in its box, the
    page does not), each label stands out from its box, and no diagram library is loaded."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(base_url + "/papers/lineage/")
    page.wait_for_load_state("networkidle")
    labels = page.evaluate("""() => [...document.querySelectorAll('svg.lineage a')].map(a => {
        const t = a.querySelector('text'), r = a.querySelector('rect');
        return {size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
                ink: getComputedStyle(t).fill, box: getComputedStyle(r).fill}; })""")
    assert len(labels) == len(catalogue.load().topics)
    assert min(label["size"] for label in labels) >= 13, "labels are drawn smaller than text"
    assert min(contrast(label["ink"], label["box"]) for label in labels) >= 4.5
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not [u for u in requests if "mermaid" in u or "elk" in u]
    context.close()


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (fg blended over bg)."""
    def rgba(css):
        parts = [float(v) for v in re.findall(r"[\d.]+", css)]
        return parts[:3], (parts[3] if len(parts) > 3 else 1.0)

    def luminance(rgb):
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    (f, alpha), (b, _) = rgba(fg), rgba(bg)
    blended = [alpha * x + (1 - alpha) * y for x, y in zip(f, b)]
    hi, lo = sorted([luminance(blended), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


RAW_TEX = """() => Array.from(document.querySelectorAll('.arithmatex'))
    .filter(el => !el.querySelector('.katex')).map(el => el.textContent)"""


def scroll_through(page):
    """Scroll from the top to the end a screen at a time, as a reader does: math is drawn as it
    comes near (a jump straight past a formula leaves it for when the reader comes back)."""
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(200):
        if page.evaluate("window.scrollY + innerHeight >= document.documentElement.scrollHeight - 2"):
            break
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(60)
    page.wait_for_timeout(500)


def test_formulas_render_as_math_on_a_markdown_page(page, base_url):
    page.goto(base_url + "/deep-neural-networks/dnn/")
    scroll_through(page)
    page.locator(".arithmatex .katex").first.wait_for(timeout=15_000)
    raw = page.evaluate(RAW_TEX)
    assert raw == [], f"formulas left as raw TeX: {raw[:3]}"
    page.wait_for_load_state("networkidle")
    assert_only_localhost(page)


MATH = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)


def test_every_formula_on_the_topic_pages_is_valid_katex(site, page, base_url):
    """KaTeX in the browser draws a bad formula as red source text rather than failing; here
    every formula of every topic page goes through KaTeX with errors turned on."""
    formulas = []
    for topic in catalogue.load().topics:
        built = (site / topic.src_dir / "index.html").read_text(encoding="utf-8")
        for _, tex in MATH.findall(built):
            tex = html.unescape(tex).strip()
            display = tex.startswith("\\[")
            formulas.append((topic.id, tex[2:-2].strip(), display))
    assert len(formulas) > 300
    page.goto(base_url + "/")
    page.add_script_tag(url=base_url + "/assets/vendor/katex/katex.min.js")
    errors = page.evaluate("""(items) => items.flatMap(([topic, tex, display]) => {
        try { katex.renderToString(tex, { displayMode: display, throwOnError: true }); return []; }
        catch (e) { return [topic + ": " + e.message]; } })""", formulas)
    assert not errors, "\n".join(errors[:20])


def notebook_url(base_url):
    return base_url + "/deep-neural-networks/dnn/notebook/"


def test_notebook_page_shows_its_plot_math_and_header(page, base_url):
    page.goto(notebook_url(base_url))
    header = page.locator(".nb-header")
    assert "Executed at" in header.inner_text() and "Download the .ipynb" in header.inner_text()
    img = page.locator(".jp-RenderedImage img").first
    img.scroll_into_view_if_needed()  # plots load lazily, as they come into view
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=img.element_handle(),
                           timeout=10_000)
    scroll_through(page)  # math is drawn as it comes near
    page.locator(".jp-RenderedMarkdown .katex").first.wait_for(timeout=15_000)
    leftovers = page.evaluate(r"""() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown'))
        .map(el => { const c = el.cloneNode(true); c.querySelectorAll('code, pre, .katex').forEach(x => x.remove());
                     return c.textContent; })
        .filter(t => /\$[^$\s][^$]*\$/.test(t))""")
    assert leftovers == [], f"raw $...$ left in notebook prose: {leftovers[:2]}"
    page.wait_for_load_state("networkidle")
    assert_only_localhost(page)


def test_palette_toggles_between_light_and_dark(page, base_url):
    page.goto(base_url + "/")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    before = scheme()
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{before}'")
    assert {before, scheme()} == {"default", "slate"}
    # the notebook page follows the palette too (its styles use Material's variables)
    page.goto(notebook_url(base_url))
    assert scheme() != before
    assert_only_localhost(page)


def test_instant_navigation_renders_math_and_code_on_arrival(page, base_url):
    """Material swaps pages without reloading; site.js must still typeset the new page."""
    page.goto(base_url + "/deep-neural-networks/dnn/")
    page.wait_for_load_state("networkidle")  # instant navigation starts once the sitemap is in
    page.evaluate("window.sameDocument = true")  # survives only if the page is not reloaded
    page.locator("article a[href$='dnn/notebook/']").first.click()  # Material makes hrefs absolute
    page.wait_for_url("**/dnn/notebook/")
    assert page.evaluate("window.sameDocument === true"), "the click reloaded the page"
    page.locator(".jupyter-wrapper code.hljs .hljs-keyword").first.wait_for(timeout=15_000)
    scroll_through(page)  # math is drawn as it comes near
    page.locator(".jp-RenderedMarkdown .katex").first.wait_for(timeout=15_000)
    assert_only_localhost(page)


def test_math_off_screen_is_drawn_for_printing(page, base_url):
    """Formulas far down the page wait until a reader scrolls near them, but a printout has
    them all."""
    page.goto(base_url + "/deep-neural-networks/dnn/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(RAW_TEX), "every formula was typeset at load: the page does more work than it shows"
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(f"() => ({RAW_TEX})().length === 0", timeout=15_000)
