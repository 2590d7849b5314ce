"""The brief's rules for verdicts, checked on a notebook's text (../shared/brief/notebooks.md).

- The rule comes first: each `kit.report.Rule(...)` is built in the code cell right after a
  Markdown cell that states it ("**Verdict rule**"), and every rule is built before the first
  cell that trains anything.
- No verdict is typed: no string in the code is a verdict word; record() takes a judgement.
- No measured number is typed: a value the notebook recorded, in any of the forms it would be
  printed in, and a verdict word, appear in no Markdown cell and no alt text outside the
  verdict-rule cells. Numbers quoted from the papers are fine.

Each check returns messages that name the notebook and the cell; an empty list means clean.
"""
from __future__ import annotations

import ast
import re

from scripts import notebook_records as records

RULE_PROSE = re.compile(r"^\s*(#+\s*)?\**Verdict rule", re.IGNORECASE)
INTERVAL_NAME = re.compile(r"\b95% (confidence )?interval", re.IGNORECASE)
VERDICT_WORDS = re.compile(r"\b(reproduced|partly|inconclusive)\b", re.IGNORECASE)
# Calls that train: an optimiser step, a backward pass, or the shared loop.
TRAINING_CALLS = {"step", "backward", "fit"}


def _code_cells(nb: dict):
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _parse(name: str, i: int, cell: dict) -> ast.Module:
    # IPython magics (%config ...) are not Python; blank them before parsing
    text = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in records.source(cell).splitlines())
    try:
        return ast.parse(text)
    except SyntaxError as err:
        raise ValueError(f"{name}: cell {i} does not parse as Python (line {err.lineno}): {err.msg}") from err


def _called_names(node: ast.AST) -> set[str]:
    """Names of everything called inside node: f(...) gives f, a.b.f(...) gives f."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def _top_level_calls(tree: ast.Module) -> set[str]:
    """Calls the cell makes when it runs, not those inside the functions and classes it defines."""
    names = set()
    for stmt in tree.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names |= _called_names(stmt)
    return names


def _training_functions(trees: list[ast.Module]) -> set[str]:
    """The notebook's own functions that train, directly or through one another."""
    bodies = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                bodies[node.name] = _called_names(node)
    trains = set(TRAINING_CALLS)
    while True:
        more = {name for name, calls in bodies.items() if calls & trains} - trains
        if not more:
            return trains
        trains |= more


def rule_order(nb: dict, name: str) -> list[str]:
    """Every Rule is stated in prose right above the cell that builds it, before any training."""
    cells = nb["cells"]
    code = _code_cells(nb)
    trees = {i: _parse(name, i, c) for i, c in code}
    rule_cells = [i for i, _ in code if "Rule" in _called_names(trees[i])]
    if not rule_cells:
        return [f"{name}: no verdict rule: build one with kit.report.Rule(...) in a code cell "
                "right after a Markdown cell that starts with '**Verdict rule**'"]
    problems = []
    for i in rule_cells:
        before = cells[i - 1] if i > 0 else None
        if before is None or before["cell_type"] != "markdown" or not RULE_PROSE.match(records.source(before)):
            problems.append(f"{name}: cell {i} builds a Rule, but the cell above it is not a Markdown "
                            "cell stating the rule ('**Verdict rule** ...')")
    trains = _training_functions(list(trees.values()))
    first_training = next((i for i, _ in code if _top_level_calls(trees[i]) & trains), None)
    if first_training is not None and first_training < max(rule_cells):
        problems.append(f"{name}: cell {first_training} trains before the verdict rule in cell "
                        f"{max(rule_cells)} is fixed: state every rule before the first training")
    return problems


def typed_verdicts(nb: dict, name: str) -> list[str]:
    """No string in the code is a verdict word: verdicts come from Rule.judge()."""
    problems = []
    for i, cell in _code_cells(nb):
        for node in ast.walk(_parse(name, i, cell)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and VERDICT_WORDS.search(node.value):
                problems.append(f"{name}: cell {i} types a verdict in the code ({node.value!r}): "
                                "let kit.report's Rule.judge() decide it")
    return problems


def printed_forms(value: float) -> set[str]:
    """The ways a measured value is printed: 2 to 4 decimals or significant digits, and as a
    percentage. Forms with fewer than two significant digits (0.90, 1.0, 50%), or bare integers
    of fewer than three, are left out: they collide with round numbers prose uses for other
    reasons."""
    forms = set()
    for d in (2, 3, 4):
        forms.add(f"{value:.{d}f}")
        forms.add(f"{value:.{d}g}")
        if abs(value) <= 1.5:
            forms.add(f"{100 * value:.{d - 2}f}%")
    kept = set()
    for form in forms:
        digits = form.lstrip("-").rstrip("%").replace(".", "").lstrip("0").rstrip("0")
        # a bare integer needs three digits: "16" is more often a count of patterns than our 15.6
        enough = 2 if ("." in form or form.endswith("%")) else 3
        if len(digits) >= enough and "e" not in form:
            kept.add(form)
    return kept


def _forms_pattern(forms: dict) -> re.Pattern | None:
    """One regex for all forms, as whole numbers: "0.95" does not match inside "10.95" or
    "0.951", and a plain form does not match a percentage ("0.95%" is not the fraction 0.95)."""
    if not forms:
        return None
    alternatives = []
    for form in sorted(forms, key=len, reverse=True):
        if form.endswith("%"):
            alternatives.append(re.escape(form[:-1]) + r"\s?%")
        else:
            alternatives.append(re.escape(form) + r"(?!\s?%)")
    return re.compile(r"(?<![\d.])(" + "|".join(alternatives) + r")(?!\.?\d)")


def _measured_values(results: list[dict]) -> set[float]:
    values = set()
    for r in results:
        for key in ("ours", "margin"):
            if isinstance(r.get(key), (int, float)):
                values.add(float(r[key]))
        values.update(float(v) for v in r.get("values", []))
        for arm in (r.get("measured") or {}).values():
            values.update(float(v) for v in arm)
    return values


def _prose(nb: dict) -> list[tuple[str, str]]:
    """(where, text) for every Markdown cell except the verdict rules, and every alt text."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        text = records.source(cell)
        if cell["cell_type"] == "markdown" and not RULE_PROSE.match(text):
            found.append((f"cell {i}", text))
        alt = cell.get("metadata", {}).get("alt")
        if alt:
            found.append((f"cell {i}'s alt text", alt))
    return found


def typed_results(nb: dict, name: str) -> list[str]:
    """No recorded value and no verdict word is typed into prose or alt text."""
    forms = {}
    for value in _measured_values(records.results_of(nb)):
        for form in printed_forms(value):
            forms[form] = value
    pattern = _forms_pattern(forms)
    problems = []
    for where, text in _prose(nb):
        text = INTERVAL_NAME.sub("", text)  # "the 95% interval" names the method, not a result
        if pattern:
            for match in pattern.finditer(text):
                value = forms[re.sub(r"\s", "", match.group(1))]
                problems.append(f"{name}: {where} types the measured value {value:.6g} "
                                f"as {match.group(1)!r}: render it from the values (kit.report.say) "
                                "or point at the printed table")
        for match in VERDICT_WORDS.finditer(text):
            problems.append(f"{name}: {where} types the verdict word {match.group(1)!r}: a verdict "
                            "about our run comes from the rule's output, not from prose")
    return problems


def check(nb: dict, name: str) -> list[str]:
    return rule_order(nb, name) + typed_verdicts(nb, name) + typed_results(nb, name)
