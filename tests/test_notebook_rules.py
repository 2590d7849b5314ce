"""The verdict rules (scripts/notebook_rules.py) catch what the review found, on small notebooks
written here: a missing rule, a rule stated after training, a verdict typed in code, a measured
value or a verdict word typed into prose or alt text."""
from __future__ import annotations

import pytest

from scripts import notebook_records as records
from scripts import notebook_rules as rules

RULE_PROSE = "**Verdict rule.** LeNet-5 must beat the MLP by more than the noise."
RULE_CODE = "rule = kit.report.Rule('gain over the MLP', null=0.0)"
TRAIN = "history = kit.train.fit(model, opt, train, val, epochs=3)"


def md(text, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def code(text, outputs=(), **meta):
    return {"cell_type": "code", "metadata": meta, "source": text, "outputs": list(outputs),
            "execution_count": None}


def result(**payload):
    base = {"claim": "c", "ours": 0.01234, "margin": 0.0041, "values": [0.0112, 0.0127, 0.0131],
            "measured": {"LeNet-5": [0.8897, 0.8912, 0.8903]}, "verdict": "reproduced"}
    return {"output_type": "display_data", "metadata": {},
            "data": {records.RESULT_MIME: {**base, **payload}, "text/markdown": "table"}}


def notebook(*cells):
    return {"cells": list(cells), "metadata": {}}


GOOD = [md("# CNN"), code("import kit"), md(RULE_PROSE), code(RULE_CODE), md("## Training"),
        code(TRAIN), code("kit.report.record('cnn', judged=rule.judge(gains))", outputs=[result()]),
        md("## What we saw\n\nThe gain and its margin are in the table above; the paper reported 0.95% error.")]


def test_a_notebook_that_follows_the_rules_is_clean():
    assert rules.check(notebook(*GOOD), "cnn.ipynb") == []


def test_a_missing_rule_is_reported():
    cells = [c for c in GOOD if c["source"] not in (RULE_PROSE, RULE_CODE)]
    assert any("no verdict rule" in p for p in rules.check(notebook(*cells), "cnn.ipynb"))


def test_a_rule_without_prose_above_it_is_reported():
    cells = [c for c in GOOD if c["source"] != RULE_PROSE]
    problems = rules.rule_order(notebook(*cells), "cnn.ipynb")
    assert problems and "cell 2 builds a Rule" in problems[0]


def test_a_rule_fixed_after_training_is_reported():
    cells = [GOOD[0], GOOD[1], code(TRAIN), *GOOD[2:]]
    problems = rules.rule_order(notebook(*cells), "cnn.ipynb")
    assert problems == ["cnn.ipynb: cell 2 trains before the verdict rule in cell 4 is fixed: "
                        "state every rule before the first training"]


def test_training_through_the_notebooks_own_function_counts():
    helper = code("def race(lr):\n    loss.backward()\n    opt.step()\n\ndef run_all():\n    return race(0.1)")
    cells = [GOOD[0], helper, code("speeds = run_all()"), *GOOD[2:]]
    assert rules.rule_order(notebook(*cells), "cnn.ipynb"), "a call that trains through two functions went unnoticed"
    defined_only = [GOOD[0], helper, *GOOD[2:]]
    assert rules.rule_order(notebook(*defined_only), "cnn.ipynb") == []  # defining is not training


def test_a_typed_verdict_in_code_is_reported():
    cells = [*GOOD, code("verdict = 'reproduced' if gain > 0.01 else 'not reproduced'")]
    problems = rules.typed_verdicts(notebook(*cells), "cnn.ipynb")
    assert len(problems) == 2 and "cell 8 types a verdict" in problems[0]


@pytest.mark.parametrize("typed", ["0.0123", "0.012", "1.23%", "1.2%", "0.8912", "89.1%", "89.12%", "0.891",
                                   "89.1 %"])
def test_a_measured_value_typed_into_prose_is_reported(typed):
    cells = [*GOOD, md(f"LeNet-5 gained {typed} over the MLP.")]
    problems = rules.typed_results(notebook(*cells), "cnn.ipynb")
    assert problems and "cell 8 types the measured value" in problems[0], typed


def test_a_measured_value_typed_into_alt_text_is_reported():
    cells = [*GOOD, code("plt.show()", alt="Test accuracy per epoch; LeNet-5 ends at 0.891")]
    assert any("alt text" in p for p in rules.typed_results(notebook(*cells), "cnn.ipynb"))


@pytest.mark.parametrize("text", ["The claim is reproduced here.", "It partly holds.", "Inconclusive at this scale."])
def test_a_verdict_word_in_prose_is_reported(text):
    cells = [*GOOD, md(text)]
    assert any("verdict word" in p for p in rules.typed_results(notebook(*cells), "cnn.ipynb"))


@pytest.mark.parametrize("text", ["The paper reported 0.95% error on MNIST.", "We train 16 nets for 2,000 epochs.",
                                  "Table 2 gives 1.35%.", "the 95% interval of the mean", "0.0123456 is not how we print it", "version 10.0123"])
def test_paper_numbers_and_other_numbers_pass(text):
    assert rules.typed_results(notebook(*GOOD, md(text)), "cnn.ipynb") == []


def test_the_name_of_the_interval_is_not_a_typed_value():
    cells = [*GOOD, code("x", outputs=[result(ours=0.9512, values=[0.95, 0.9536, 0.95])]),
             md("The 95% interval of the mean must clear zero.")]
    assert rules.typed_results(notebook(*cells), "cnn.ipynb") == []
    assert rules.typed_results(notebook(*cells[:-1], md("We saw 95% of nets succeed.")), "cnn.ipynb")


def test_printed_forms():
    assert {"0.0123", "0.012", "1.23%", "1.2%"} <= rules.printed_forms(0.01234)
    assert "0.90" not in rules.printed_forms(0.9001) and "90%" not in rules.printed_forms(0.9001)
    assert "16" not in rules.printed_forms(15.59) and "15.6" in rules.printed_forms(15.59)
    assert "1234" in rules.printed_forms(1234.4)
