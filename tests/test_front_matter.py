"""Front matter is checked by the build: a page whose YAML does not parse stops it by name."""
import pytest

from scripts import front_matter


def test_valid_front_matter_is_returned():
    assert front_matter.check('---\ndescription: "LSTM: gated memory."\n---\n\nText', "p.md") == \
        {"description": "LSTM: gated memory."}
    assert front_matter.check("No front matter here.\n", "p.md") == {}


@pytest.mark.parametrize("text, expected", [
    ("---\ndescription: LSTM: gated memory.\n---\n\nText", "p.md:2: front matter is not valid YAML"),
    ("---\nhide: [toc\ntitle: x\n---\n", "p.md:"),
    ("---\n- a list\n---\n", "p.md:2: front matter must be a mapping"),
    ("---\ndescription: never closed\n\nText", "p.md:1: front matter opened with '---' is never closed"),
])
def test_broken_front_matter_names_file_and_line(text, expected):
    with pytest.raises(front_matter.FrontMatterError, match=expected.replace("[", r"\[")):
        front_matter.check(text, "p.md")


def test_every_page_in_docs_has_front_matter_that_parses():
    from pathlib import Path
    docs = Path(__file__).resolve().parent.parent / "docs"
    for page in docs.rglob("*.md"):
        front_matter.check(page.read_text(encoding="utf-8"), str(page.relative_to(docs.parent)))
