"""Front matter that does not parse must stop the build.

MkDocs reads a page's leading `---` block as YAML and, when the YAML fails, silently keeps the
block as Markdown: the page then opens with a horizontal rule and a giant "description: ..."
heading (a `key: value` whose value holds ": " is the usual cause). check() reports that case,
and front matter that is not a mapping, with the file and the line.
"""
from __future__ import annotations

import re

import yaml

# The same delimiters MkDocs uses (mkdocs.utils.meta.YAML_RE).
BLOCK = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)


class FrontMatterError(ValueError):
    pass


def check(text: str, src: str) -> dict:
    """The front matter of a page as a dict ({} when it has none), or FrontMatterError."""
    match = BLOCK.match(text)
    if not match:
        if text.startswith("---\n") and "\n---" not in text[4:]:
            raise FrontMatterError(f"{src}:1: front matter opened with '---' is never closed")
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1 for 1-based, +1 for the opening ---
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise FrontMatterError(f"{src}:{line}: front matter is not valid YAML ({problem}); quote a value "
                               "that contains ': ', e.g. description: \"...\"") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"{src}:2: front matter must be a mapping of keys to values, "
                               f"not a {type(data).__name__}")
    return data
