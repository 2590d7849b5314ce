"""Markdown for the pages and blocks generated from data (never written by hand).

- one index page per part (its topics and their papers), from data/catalogue.yaml;
- the Results page, from data/results.json (gathered from the executed notebooks);
- the home page's "seven constraints at a glance" table;
- on each essay page about one constraint, the notebooks that test its papers.
"""
from __future__ import annotations

import json
import posixpath
from pathlib import Path

from scripts.catalogue import Catalogue, Part, Topic
from scripts.notebook_records import VERDICTS


def page_front_matter(description: str, **fields) -> str:
    """A generated page's front matter; values are written as JSON strings, which YAML reads
    whatever they contain (": " included)."""
    lines = ["---", *(f"{key}: {value}" for key, value in fields.items()),
             f"description: {json.dumps(description)}", "---", ""]
    return "\n".join(lines)


def verdict_badge(verdict: str) -> str:
    return f'<span class="verdict verdict--{verdict.replace(" ", "-")}">{verdict}</span>'


def relative(target: str, from_page: str) -> str:
    """The link from one docs/ file to another, both given relative to docs/."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def topic_page(topic: Topic) -> str:
    return f"{topic.src_dir}/index.md"


def notebook_page(topic: Topic) -> str:
    return f"{topic.src_dir}/notebook.ipynb"


def authors_short(authors: tuple[str, ...]) -> str:
    surnames = [a.split()[-1] for a in authors]
    if len(surnames) > 3:
        return f"{surnames[0]} et al."
    return ", ".join(surnames[:-1]) + (" & " if len(surnames) > 1 else "") + surnames[-1]


def part_index(part: Part, cat: Catalogue, written: set[str], notebooks: set[str]) -> str:
    """A part's landing page: every topic with its papers; links only to pages that exist."""
    titles = {c.id: c.title for c in cat.constraints}
    first, last = part.topics[0].papers[0], part.topics[-1].papers[-1]
    lines = [page_front_matter(f"{part.title}: {len(part.topics)} topics of deep learning's history, from "
                          f"{part.topics[0].title} ({first.year}) to {part.topics[-1].title} ({last.year}), "
                          "with notes on their papers."),
             f"# {part.title}", "",
             f"{len(part.topics)} topics and {sum(len(t.papers) for t in part.topics)} papers in this part, "
             "in the order the site reads them.", ""]
    for topic in part.topics:
        page = topic_page(topic)
        heading = f"[{topic.title}]({topic.id}/index.md)" if page in written else topic.title
        lines += [f"## {heading}", ""]
        if topic.id in notebooks:
            lines += [f"[:material-notebook-outline: Notebook]({topic.id}/notebook.ipynb)", ""]
        lines += ["| Year | Paper | Authors | Constraints raised |", "|---|---|---|---|"]
        for paper in topic.papers:
            raised = ", ".join(titles[c] for c in paper.constraints)
            note = f"{topic.id}/index.md#{paper.id}" if page in written else paper.link
            lines.append(f"| {paper.year} | [{paper.title}]({note}) | {authors_short(paper.authors)} | {raised} |")
        lines.append("")
    return "\n".join(lines)


def constraints_table(cat: Catalogue) -> str:
    counts = {c.id: 0 for c in cat.constraints}
    for paper in cat.papers:
        for c in paper.constraints:
            counts[c] += 1
    lines = ["| Constraint | In one line | Papers on this site that raised it |", "|---|---|---|"]
    for c in cat.constraints:
        lines.append(f"| **{c.title}** | {c.summary} | {counts[c.id]} |")
    return "\n".join(lines)


def constraint_notebooks(constraint: str, cat: Catalogue, notebooks: set[str], rows: list[dict],
                         src_uri: str) -> str:
    """For an essay page on one constraint: the notebooks whose papers raised it, with what
    each tested and its verdict, taken from data/results.json like the Results page."""
    topics = [t for t in cat.topics if t.id in notebooks
              and any(constraint in p.constraints for p in t.papers)]
    results = relative("results.md", src_uri)
    if not topics:
        return (f"No notebook tests a paper of this constraint yet; the [Results]({results}) page "
                "lists the ones that exist.")
    lines = ["These notebooks rerun a claim of this constraint's papers at small scale.",
             "", "| Notebook | What it tests | Verdict |", "|---|---|---|"]
    for topic in topics:
        link = f"[{topic.title}]({relative(notebook_page(topic), src_uri)})"
        for r in (r for r in rows if r["notebook"] == topic.id and r.get("kind") == "headline"):
            lines.append(f"| {link} | {r['claim']} | {verdict_badge(r['verdict'])} "
                         f"<small>at {r.get('scale', '—')} scale</small> |")
    lines += ["", f"Each row is a notebook's headline result; the [Results]({results}) page gives "
                  "the data, the reference values, the measured numbers and the rule behind each verdict."]
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _duration(seconds) -> str:
    if seconds is None:
        return "—"
    seconds = float(seconds)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _cell_text(value) -> str:
    """A record's text in a Markdown table cell: a "|" in it ("|rating| < 0.5") would end the cell."""
    return str(value).replace("|", "&#124;")


def _result_row(r: dict, cat: Catalogue, notebooks: set[str]) -> str:
    r = {k: _cell_text(v) if isinstance(v, str) else v for k, v in r.items()}
    nb = r["notebook"]
    try:
        topic = cat.topic(nb)
        link = f"[{topic.title}]({notebook_page(topic)})" if nb in notebooks else topic.title
    except KeyError:
        link = nb
    ref = _fmt(r.get("reference"))
    if r.get("reference_source"):
        ref += f"<br><small>{r['reference_source']}</small>"
    claim = r.get("claim", "") + (f"<br><small>{r['note']}</small>" if r.get("note") else "")
    margin = f" ± {r['margin']:.2g}" if isinstance(r.get("margin"), (int, float)) else ""
    ours = f"**{_fmt(r.get('ours'))}**{margin}<br><small>{r.get('seeds', '?')} seeds</small>"
    verdict = f"{verdict_badge(r.get('verdict', ''))}<br><small>{r.get('why', '')}</small>"
    run = f"{r.get('scale') or '—'} scale, {_duration(r.get('seconds'))}<br><small>{r.get('device') or ''}</small>"
    return (f"| {link} | {claim} | {r.get('metric', '')} | {r.get('data', '—')} | {ref} | {ours} | "
            f"{verdict} | {run} |")


RESULT_HEADER = ["| Notebook | Claim | Metric | Data | Reference | Ours (95% interval) | Verdict | Run |",
                 "|---|---|---|---|---|---|---|---|"]


def verdict_counts(rows: list[dict], cat: Catalogue) -> str:
    """A table of how many headline verdicts of each kind every part has."""
    part_of = {t.id: p for p in cat.parts for t in p.topics}
    lines = ["| Part | " + " | ".join(verdict_badge(v) for v in VERDICTS) + " | Notebooks |",
             "|---|" + "---|" * (len(VERDICTS) + 1)]
    for part in cat.parts:
        mine = [r for r in rows if part_of.get(r["notebook"]) is part]
        counts = " | ".join(str(sum(r.get("verdict") == v for r in mine)) for v in VERDICTS)
        lines.append(f"| [{part.title}]({part.id}/index.md) | {counts} | {len({r['notebook'] for r in mine})} "
                     f"of {len(part.topics)} |")
    totals = " | ".join(f"**{sum(r.get('verdict') == v for r in rows)}**" for v in VERDICTS)
    lines.append(f"| **All parts** | {totals} | **{len({r['notebook'] for r in rows})}** of "
                 f"{sum(len(p.topics) for p in cat.parts)} |")
    return "\n".join(lines)


def results_page(rows: list[dict], cat: Catalogue, notebooks: set[str]) -> str:
    order = {t.id: i for i, t in enumerate(cat.topics)}
    rows = sorted(rows, key=lambda r: order.get(r["notebook"], len(order)))
    headlines = [r for r in rows if r.get("kind") == "headline"]
    benchmarks = [r for r in rows if r.get("kind") == "benchmark"]
    lines = [
        page_front_matter("Every notebook's test of its paper's claim, with the rule that judged it, the "
                     "margin over seeds and the verdict.", hide="[navigation, toc]"),  # tables need the width
        "# Results",
        "",
        "Every notebook on this site tests one claim of its paper at toy scale and reports the outcome "
        "here. The tables are generated from the executed notebooks (`data/results.json`, written by "
        "`scripts/execute_notebooks.py`); nothing in them is typed by hand.",
        "",
        "How a verdict is reached: each notebook states its rule before it trains anything, runs at "
        "least three seeds, and hands the per-seed numbers to the rule. The effect counts only where "
        "the 95% interval of its mean over seeds clears the no-effect value: "
        f"{verdict_badge('reproduced')} where it also reaches the size the paper reports, "
        f"{verdict_badge('partly')} where it falls short of that size, "
        f"{verdict_badge('not reproduced')} where it points the other way or, if the rule says so, "
        f"stays inside the noise, and {verdict_badge('inconclusive at this scale')} where the budget, "
        "not the method, decides.",
        "",
        "## Verdicts by part",
        "",
        verdict_counts(headlines, cat),
        "",
        "## The papers' claims",
        "",
        "The headline of each notebook: the paper's own claim, tested at small scale.",
        "",
        *RESULT_HEADER,
    ]
    lines += [_result_row(r, cat, notebooks) for r in headlines] or ["| — | No notebook has reported a result yet. |||||||"]
    lines += [
        "",
        "## Benchmark rows",
        "",
        "A second kind of record: how a model of the notebook compares with a row of a public benchmark "
        "table (for Fashion-MNIST, the table in the dataset's README). A match here says the training "
        "works; it does not test the paper's claim.",
        "",
        *RESULT_HEADER,
    ]
    lines += [_result_row(r, cat, notebooks) for r in benchmarks] or ["| — | No benchmark comparison yet. |||||||"]
    lines += ["", "Scales: `smoke` proves the code runs; `cpu` is a two-core laptop run of a few minutes; "
              "`gpu` is a run of a few minutes on one GPU. Each notebook page says which scale produced its outputs."]
    return "\n".join(lines) + "\n"


def written_topic_pages(docs_dir: Path, cat: Catalogue) -> set[str]:
    return {topic_page(t) for t in cat.topics if (docs_dir / topic_page(t)).exists()}
