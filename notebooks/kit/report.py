"""The one machine-readable result record each notebook emits.

record() displays a single output with two representations: a JSON payload under
RESULT_MIME, which the site's pipeline collects into the scoreboard (it adds scale, device
and run time itself), and a small markdown table for the reader.
"""
import math
from numbers import Real

from IPython.display import display  # IPython comes with the site's own tools too (mkdocs-jupyter)

RESULT_MIME = "application/vnd.dlh.result+json"
VERDICTS = ("reproduced", "partly", "not reproduced")


def verdict_for(ours: float, reference: float, within: float = 0.01, partly: float = 0.03,
            higher_is_better: bool = True) -> str:
    """A verdict from numbers: "reproduced" if ours is at most `within` worse than the
    reference (or better), "partly" if at most `partly` worse, else "not reproduced"."""
    shortfall = (reference - ours) if higher_is_better else (ours - reference)
    if shortfall <= within:
        return "reproduced"
    if shortfall <= partly:
        return "partly"
    return "not reproduced"


def _number(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    # bool is a Real too, but True as a measured value is always a mistake
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return float(value)  # numpy and torch scalars become plain JSON floats


def _text(name, value, allow_empty=False):
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")
    return value


def _fmt(value):
    return "—" if value is None else f"{value:.4g}"


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")  # keep the markdown table intact


def record(notebook, claim, metric, reference, reference_source, ours, verdict, note=""):
    """Display the notebook's headline result and return the payload.

    reference may be None where the paper gives no number; then reference_source may be
    empty. verdict must be one of VERDICTS.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    payload = {
        "notebook": _text("notebook", notebook),
        "claim": _text("claim", claim),
        "metric": _text("metric", metric),
        "reference": _number("reference", reference, allow_none=True),
        "reference_source": _text("reference_source", reference_source,
                                  allow_empty=reference is None),
        "ours": _number("ours", ours),
        "verdict": verdict,
        "note": _text("note", note, allow_empty=True),
    }
    table = (
        "| claim | metric | reference | ours | verdict |\n"
        "|---|---|---|---|---|\n"
        f"| {_cell(claim)} | {_cell(metric)} | {_fmt(payload['reference'])} "
        f"| {_fmt(payload['ours'])} | **{verdict}** |\n"
    )
    if reference_source:
        table += f"\nReference: {reference_source}\n"
    if note:
        table += f"\n{note}\n"
    display({RESULT_MIME: payload, "text/markdown": table}, raw=True)
    return payload
