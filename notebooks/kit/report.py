"""Verdicts by rules fixed in advance, and the one machine-readable result record.

A notebook states its rule in prose, then builds it in code before it trains anything:

    rule = kit.report.Rule("LeNet-5's test accuracy minus the MLP's, per seed", null=0.0)

and hands the per-seed measurements to it after training:

    judged = rule.judge(gains)               # verdict, mean, 95% margin, seeds
    kit.report.record("cnn", claim=..., metric=..., data="Fashion-MNIST", judged=judged, ...)

No verdict is ever typed: record() takes the judgement, not a word. The rule's arithmetic is
the same for every notebook (see Rule.judge), so the Results page compares like with like.

record() displays one output with two representations: a JSON payload under RESULT_MIME,
which the site's pipeline gathers into the Results page (adding scale, device and run time),
and a small Markdown table for the reader. say() renders prose from measured values, so no
number about our own run is ever typed into a Markdown cell.
"""
from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from numbers import Real

from IPython.display import Markdown, display  # IPython comes with the site's tools (mkdocs-jupyter)

RESULT_MIME = "application/vnd.dlh.result+json"

REPRODUCED = "reproduced"
PARTLY = "partly"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive at this scale"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, INCONCLUSIVE)

HEADLINE = "headline"    # tests the paper's own claim
BENCHMARK = "benchmark"  # compares with a row of a public benchmark table: never the headline
KINDS = (HEADLINE, BENCHMARK)

MIN_SEEDS = 3            # per headline, at cpu and gpu scale; smoke runs only prove the code runs
# Real data by name (kit.data, kit.text); anything else is "generated (how)".
DATASETS = ("Fashion-MNIST", "Shakespeare", "FreeDict German–English", "VADER movie reviews")
_GENERATED = re.compile(r"generated \(\S.*\)")

# Two-sided 95% quantiles of Student's t, by degrees of freedom (any statistics table).
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t975(df: int) -> float:
    """Student's t quantile for a two-sided 95% interval (Cornish-Fisher beyond the table)."""
    if df < 1:
        return math.inf
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def fmt(value, digits: int = 4) -> str:
    """A number as the tables print it: `digits` significant digits, "—" for None."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:.{digits}g}"


@dataclass(frozen=True)
class Judgement:
    """What a rule made of the per-seed values: the verdict and the numbers behind it."""
    verdict: str
    values: tuple
    mean: float
    margin: float  # half-width of the 95% interval of the mean over seeds (inf for one seed)
    rule: "Rule"
    why: str

    @property
    def seeds(self) -> int:
        return len(self.values)

    @property
    def low(self) -> float:
        return self.mean - self.margin

    @property
    def high(self) -> float:
        return self.mean + self.margin

    def sentence(self) -> str:
        """One Markdown sentence: the measurement, its margin and the verdict it earned."""
        return (f"{self.rule.measure}: mean {fmt(self.mean)} ± {fmt(self.margin, 2)} over "
                f"{self.seeds} seed(s) (95% interval). {self.why} Verdict: **{self.verdict}**.")

    def _repr_markdown_(self) -> str:
        return self.sentence()


@dataclass(frozen=True)
class Rule:
    """A verdict rule, built before the experiment runs and applied by judge().

    measure: what one seed's number is (the effect, signed as the paper predicts it when
        higher=True: a gain, a speed-up, a difference in accuracy).
    null: the value that means "no effect" (0 for a difference, 1 for a ratio), or for a
        benchmark the lowest value that still counts as a match.
    target: the size of effect the paper reports, or None where it claims a direction only.
    higher: True if values above null support the paper, False if values below do.
    inside_noise: the verdict when the interval straddles null: NOT_REPRODUCED (the claim
        predicts an effect this budget should show) or INCONCLUSIVE (the budget decides).
    source: where target comes from (the paper's table or figure), shown with the rule.
    """
    measure: str
    null: float = 0.0
    target: float | None = None
    higher: bool = True
    inside_noise: str = NOT_REPRODUCED
    source: str = ""

    def __post_init__(self):
        _text("measure", self.measure)
        _number("null", self.null)
        _number("target", self.target, allow_none=True)
        if self.inside_noise not in (NOT_REPRODUCED, INCONCLUSIVE):
            raise ValueError(f"inside_noise must be NOT_REPRODUCED or INCONCLUSIVE, not {self.inside_noise!r}")
        if self.target is not None and (self.target - self.null) * (1 if self.higher else -1) < 0:
            raise ValueError(f"target {self.target} lies on the wrong side of null {self.null} "
                             f"for higher={self.higher}")

    def _beyond(self, value: float, bound: float) -> bool:
        """value lies strictly on the paper's side of bound."""
        return value > bound if self.higher else value < bound

    def judge(self, values, *, undecided: str | None = None) -> Judgement:
        """The verdict for one measurement per seed.

        With m the mean and M the half-width of its 95% interval (Student's t, over seeds):
        - the interval lies on the paper's side of null: REPRODUCED if it also reaches the
          paper's target (or there is none), PARTLY if the whole interval falls short of it;
        - the interval lies on the other side of null: NOT_REPRODUCED;
        - the interval contains null: the rule's inside_noise verdict.
        undecided: a reason the budget could not decide the question (a target that no run
        reached, say); the verdict is then INCONCLUSIVE whatever the numbers.
        """
        values = tuple(_number(f"values[{i}]", v) for i, v in enumerate(_as_list(values)))
        if not values:
            raise ValueError("judge() needs at least one value")
        from kit import run  # here, not at import time: the site's build reads this module without PyTorch
        if run.scale() != "smoke" and len(values) < MIN_SEEDS:
            raise ValueError(f"a verdict at {run.scale()} scale needs at least {MIN_SEEDS} seeds, got "
                             f"{len(values)}: {self.measure}")
        mean = statistics.fmean(values)
        margin = (t975(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
                  if len(values) > 1 else math.inf)
        low, high = mean - margin, mean + margin
        near, far = (low, high) if self.higher else (high, low)
        side = "above" if self.higher else "below"
        if undecided:
            verdict, why = INCONCLUSIVE, f"Not decided at this budget: {undecided}."
        elif self._beyond(near, self.null):
            if self.target is None or not self._beyond(self.target, far):
                verdict = REPRODUCED
                why = (f"The interval lies {side} {fmt(self.null)}"
                       + ("." if self.target is None else f" and reaches the paper's {fmt(self.target)}."))
            else:
                verdict = PARTLY
                why = (f"The interval lies {side} {fmt(self.null)} but short of the paper's "
                       f"{fmt(self.target)}.")
        elif self._beyond(self.null, far):
            verdict, why = NOT_REPRODUCED, f"The interval lies on the wrong side of {fmt(self.null)}."
        else:
            verdict, why = self.inside_noise, f"The interval contains {fmt(self.null)}: the effect is inside the noise."
        return Judgement(verdict, values, mean, margin, self, why)

    def text(self) -> str:
        """The rule in words, generated from its fields (shown under the notebook's prose rule)."""
        side = "above" if self.higher else "below"
        target = ("" if self.target is None else
                  f" and reaches the paper's {fmt(self.target)}"
                  + (f" ({self.source})" if self.source else ""))
        partly = ("" if self.target is None else
                  f"; **{PARTLY}** if it lies {side} {fmt(self.null)} but wholly short of {fmt(self.target)}")
        if self.inside_noise == NOT_REPRODUCED:
            rest = f"**{NOT_REPRODUCED}** otherwise (inside the noise or the other way)."
        else:
            rest = (f"**{NOT_REPRODUCED}** if it lies on the other side; **{self.inside_noise}** if it "
                    f"contains {fmt(self.null)}.")
        return (f"Per seed we measure *{self.measure}*. **{REPRODUCED}** if the 95% interval of the "
                f"mean over seeds (at least {MIN_SEEDS} seeds) lies {side} {fmt(self.null)}{target}"
                f"{partly}; {rest}")

    def _repr_markdown_(self) -> str:
        return self.text()


def _as_list(values) -> list:
    if hasattr(values, "tolist"):  # a tensor or an array
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"values must be a sequence of numbers, one per seed, not {values!r}")
    return list(values)


def _number(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()  # numpy and torch scalars
    # bool is a Real too, but True as a measured value is always a mistake
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def _text(name, value, allow_empty=False):
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")
    return value


def _data(value):
    """A dataset name, several joined by " + " (pre-training text + task), or 'generated (how)'."""
    parts = value.split(" + ") if isinstance(value, str) else [value]
    if all(p in DATASETS or (isinstance(p, str) and _GENERATED.fullmatch(p)) for p in parts):
        return value
    raise ValueError(f"data must name the dataset ({', '.join(DATASETS)}), several joined by "
                     f"' + ', or say 'generated (how)', not {value!r}")


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")  # keep the markdown table intact


def record(notebook, *, claim, metric, data, judged, reference=None, reference_source="",
           kind=HEADLINE, measured=None, note=""):
    """Display one result and return its payload.

    judged: the Judgement that rule.judge() returned; its verdict, mean and margin are recorded.
    reference: the paper's (or the benchmark row's) number, or None where there is none; then
        reference_source may be empty.
    data: "Fashion-MNIST", or "generated (how)" for data made by the notebook.
    kind: HEADLINE (the paper's own claim; a notebook's first record) or BENCHMARK.
    measured: other per-seed numbers behind the verdict, by name (each arm of an ablation), so
        the page can show them and the tests can keep them out of typed prose.
    """
    if not isinstance(judged, Judgement):
        raise ValueError(f"judged must be what Rule.judge() returned, not {judged!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    measured = {_text("measured name", k): [_number(f"measured[{k!r}]", v) for v in _as_list(vs)]
                for k, vs in (measured or {}).items()}
    payload = {
        "notebook": _text("notebook", notebook),
        "kind": kind,
        "claim": _text("claim", claim),
        "metric": _text("metric", metric),
        "data": _data(data),
        "reference": _number("reference", reference, allow_none=True),
        "reference_source": _text("reference_source", reference_source, allow_empty=reference is None),
        "rule": judged.rule.text(),
        "ours": judged.mean,
        "margin": judged.margin if math.isfinite(judged.margin) else None,
        "seeds": judged.seeds,
        "values": list(judged.values),
        "measured": measured,
        "verdict": judged.verdict,
        "why": judged.why,
        "note": _text("note", note, allow_empty=True),
    }
    table = (
        f"| {kind} claim | metric | reference | ours (95% interval) | seeds | verdict |\n"
        "|---|---|---|---|---|---|\n"
        f"| {_cell(claim)} | {_cell(metric)} | {fmt(payload['reference'])} "
        f"| {fmt(judged.mean)} ± {fmt(judged.margin, 2)} | {judged.seeds} | **{judged.verdict}** |\n"
        f"\n{judged.why}\n"
    )
    for name, values in measured.items():
        table += f"\n- {_cell(name)}: " + ", ".join(fmt(v) for v in values)
    if measured:
        table += "\n"
    if reference_source:
        table += f"\nReference: {reference_source}\n"
    if note:
        table += f"\n{note}\n"
    display({RESULT_MIME: payload, "text/markdown": table}, raw=True)
    return payload


def say(text: str) -> None:
    """Show Markdown prose that is built from measured values (an f-string), so that a re-run
    at another scale rewrites it. Prose typed into a Markdown cell must not quote our numbers."""
    display(Markdown(_text("text", text)))

