"""The web's own audits of the built site, served on localhost and read in headless Chromium:

- axe-core (npm, like KaTeX) on every kind of page, in both palettes, at phone and desktop width;
- no page scrolls sideways on a 390-px phone, none logs a console error or fails a request,
  also after Material's instant navigation;
- the Nu HTML validator (npm's vnu-jar, run with Java) on every built page.

Findings that come from mkdocs-material's own markup are listed, with the reason, in
tests/audit_allowlist.yaml; anything else fails.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import serve
from scripts.lighthouse import PAGE_KINDS  # one page of each kind the site has

ROOT = Path(__file__).resolve().parent.parent
ALLOW = yaml.safe_load((ROOT / "tests" / "audit_allowlist.yaml").read_text(encoding="utf-8"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}



@pytest.fixture(scope="module")
def base_url(site, site_port):
    with serve(site, site_port) as url:
        yield url


def site_pages(site: Path) -> list[str]:
    """Every built page, as the path a reader's browser asks for."""
    paths = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith("assets/"):
            continue
        paths.append("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return paths


def open_page(browser, viewport, scheme="light"):
    """A new page that records console errors, uncaught exceptions and failed requests."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.problems.append(f"uncaught: {err}"))
    page.on("response", lambda r: page.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    return context, page


def allowed_axe(rule: str, markup: str) -> bool:
    return any(a["rule"] == rule and markup.startswith(a["html"]) for a in ALLOW["axe"])


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.flatMap(v => v.nodes.map(n => [v.id, n.target.join(' '), n.html,
                                                 (n.failureSummary || '').split('\\n')[1] || '']))""")
    return [f"{rule} at {target}: {why.strip()}" for rule, target, markup, why in found
            if not allowed_axe(rule, markup)]


@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_axe_finds_nothing_on_any_kind_of_page(browser, base_url, kind, scheme, width):
    if width == "desktop" and scheme == "dark" and kind not in ("topic", "notebook", "lineage"):
        pytest.skip("the dark palette at desktop width is audited on the pages with their own colours")
    context, page = open_page(browser, PHONE if width == "phone" else DESKTOP, scheme)
    page.goto(base_url + PAGE_KINDS[kind])
    page.wait_for_load_state("networkidle")
    problems = axe_violations(page)
    context.close()
    assert not problems, f"{PAGE_KINDS[kind]} ({scheme}, {width}):\n" + "\n".join(problems[:20])


def test_no_page_scrolls_sideways_on_a_phone_or_logs_an_error(browser, base_url, site):
    """Every page at 390 px: nothing wider than the screen outside a box that scrolls on its own,
    no console error, no failed request."""
    context, page = open_page(browser, PHONE)
    failures = []
    for path in site_pages(site):
        page.problems.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            failures.append(f"{path}: {width} px wide on a {PHONE['width']}-px screen")
        expected_404 = [p for p in page.problems if path == "/404.html" and "HTTP 404" in p]
        failures += [f"{path}: {p}" for p in page.problems if p not in expected_404]
    context.close()
    assert not failures, "\n".join(failures[:30])


def test_instant_navigation_logs_no_error(browser, base_url):
    """Material swaps pages in place when a reader follows a link: every page reached that way
    renders without a console error, and math and code are drawn on arrival."""
    context, page = open_page(browser, DESKTOP)
    page.goto(base_url + "/")
    page.wait_for_load_state("networkidle")
    for link in ['a[href$="essay/"]', 'a[href$="sequence-modeling/"]', 'a[href*="lstm/"]',
                 'a[href$="results/"]', 'a[href*="batch-norm/notebook/"]', 'a[href*="papers/"]']:
        page.locator(link).first.click()
        page.wait_for_load_state("networkidle")
    problems = list(page.problems)
    context.close()
    assert not problems, "\n".join(problems)


def test_every_page_passes_the_nu_html_validator(site):
    if not shutil.which("java"):
        pytest.fail("no Java found: `make test` installs it with apt-get (package default-jre-headless)")
    pages = [str(p) for p in sorted(site.rglob("*.html")) if "assets" not in p.relative_to(site).parts]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    ours = [m for m in messages
            if not any(m.get("message", "").startswith(a["message"]) for a in ALLOW["vnu"])]
    shown = [f"{m.get('url', '').split(str(site))[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in ours]
    assert not ours, f"{len(ours)} validator error(s):\n" + "\n".join(shown[:20])


def test_the_allowlist_says_why_for_every_entry():
    for tool in ("axe", "vnu"):
        for entry in ALLOW[tool]:
            assert len(entry.get("why", "").split()) >= 8, f"{tool} allowlist entry without a reason: {entry}"
