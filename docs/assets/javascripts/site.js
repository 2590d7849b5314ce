/* The site's own script: math and code highlighting from the site itself, loaded only where
 * a page needs them. Runs before Material mounts its components (they wait for DOMContentLoaded). */
(function () {
  "use strict";
  const vendor = new URL("../vendor/", document.currentScript.src).href;

  /* KaTeX: Markdown pages carry math as arithmatex spans (\( \) and \[ \]); notebook markdown
   * cells keep their $ and $$ delimiters. */
  let katex = null;
  function load(tag, attrs) {
    return new Promise((resolve, reject) => {
      const el = Object.assign(document.createElement(tag), attrs);
      el.onload = resolve;
      el.onerror = () => reject(new Error("could not load " + (attrs.src || attrs.href)));
      document.head.appendChild(el);
    });
  }
  function loadKatex() {
    katex = katex || Promise.all([
      load("link", { rel: "stylesheet", href: vendor + "katex/katex.min.css" }),
      load("script", { src: vendor + "katex/katex.min.js" })
        .then(() => load("script", { src: vendor + "katex/auto-render.min.js" })),
    ]);
    return katex;
  }
  const delimiters = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
    { left: "$", right: "$", display: false },
  ];
  /* Math and code are drawn as they come near the screen, not all at load: a long page holds
   * hundreds of formulas, and typesetting them at once kept a phone's main thread busy for over
   * a second. Printing draws whatever is left. */
  const pending = new Map();  // element -> its drawing function
  const near = new IntersectionObserver((entries) => {
    entries.filter((e) => e.isIntersecting).forEach((e) => drawNow(e.target));
  }, { rootMargin: "800px 0px" });
  function drawNow(el) {
    const draw = pending.get(el);
    if (!draw) return;
    pending.delete(el);
    near.unobserve(el);
    draw(el);
  }
  function whenNear(elements, draw) {
    elements.forEach((el) => { pending.set(el, draw); near.observe(el); });
  }
  window.addEventListener("beforeprint", () => Array.from(pending.keys()).forEach(drawNow));

  function renderMath(root) {
    const spans = Array.from(root.querySelectorAll(".arithmatex"));
    const cells = Array.from(root.querySelectorAll(".jp-RenderedMarkdown"))
      .filter((el) => /\$|\\\(|\\\[/.test(el.textContent));
    if (!spans.length && !cells.length) return;
    // KaTeX itself is fetched when the first formula comes near, or when the reader first
    // scrolls: a page whose formulas all sit far below the fold starts without it, and it is
    // ready before a printout asks for every formula.
    window.addEventListener("scroll", loadKatex, { once: true, passive: true });
    const typeset = (options) => (el) => loadKatex().then(() => {
      renderMathInElement(el, { ...options, throwOnError: false });
      checkScrollersSoon();
    });
    whenNear(spans, typeset({ delimiters: delimiters.slice(1, 3) }));
    whenNear(cells, typeset({ delimiters }));
  }

  /* Notebook code cells arrive as plain text (a fifth of the bytes of server-side
   * highlighting); highlight.js colours them with Material's code palette (notebook.css). */
  let hljs = null;
  function highlightCode(root) {
    const blocks = Array.from(root.querySelectorAll(".jupyter-wrapper pre > code.language-python"));
    if (!blocks.length) return;
    const load = () => hljs = hljs || Promise.all([  // on the first block that comes near
      import(vendor + "highlight/core.min.js"),
      import(vendor + "highlight/python.min.js"),
    ]).then(([core, python]) => {
      core.default.registerLanguage("python", python.default);
      return core.default;
    });
    whenNear(blocks, (el) => load().then((h) => h.highlightElement(el)));
  }

  /* Tables inside a .sortable block sort by the clicked column (numbers as numbers). Material
   * styles headings with role=columnheader and aria-sort (the markup tablesort uses). */
  function makeSortable(root) {
    root.querySelectorAll(".sortable table").forEach((table) => {
      const body = table.tBodies[0];
      table.querySelectorAll("thead th").forEach((th, column) => {
        th.setAttribute("role", "columnheader");
        th.tabIndex = 0;
        const sort = () => {
          const ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach((other) => other.removeAttribute("aria-sort"));
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          const key = (row) => row.cells[column].textContent.trim();
          const rows = Array.from(body.rows).sort((a, b) => {
            const x = key(a), y = key(b);
            const order = isNaN(x) || isNaN(y) ? x.localeCompare(y) : x - y;
            return ascending ? order : -order;
          });
          body.append(...rows);
        };
        th.addEventListener("click", sort);
        th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
      });
    });
  }

  /* A box that scrolls sideways (a wide formula, table or chart) must be reachable from the
   * keyboard to be scrolled without a mouse (axe: scrollable-region-focusable); only the boxes
   * that do overflow at the current width take a tab stop. */
  const SCROLLERS = ".md-typeset .arithmatex, .jupyter-wrapper .katex-display, " +
    ".md-typeset__scrollwrap, .jupyter-wrapper .nb-outputs, .md-typeset .scroll-x";
  function focusableScrollers(root) {
    root.querySelectorAll(SCROLLERS).forEach((el) => {
      if (el.scrollWidth > el.clientWidth + 1) el.tabIndex = 0;
      else el.removeAttribute("tabindex");
    });
  }
  let checking = null;
  function checkScrollersSoon() {
    clearTimeout(checking);
    checking = setTimeout(() => focusableScrollers(document.body), 150);
  }
  window.addEventListener("resize", checkScrollersSoon);

  /* document$ emits on the first load and after every instant navigation. */
  document$.subscribe(({ body }) => {
    pending.forEach((_, el) => near.unobserve(el));  // the page they were on is gone
    pending.clear();
    renderMath(body);
    highlightCode(body);
    makeSortable(body);
    focusableScrollers(body);
  });
})();
