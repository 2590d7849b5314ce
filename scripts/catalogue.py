"""The catalogue: parts, topics and papers, loaded from data/catalogue.yaml and validated.

Everything the site lists (nav, part index pages, the home page's constraint table) is
generated from this one file, so a bad entry must stop the build with a message that
names the entry, never produce a half-right site.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "data" / "catalogue.yaml"


class CatalogueError(ValueError):
    """A catalogue entry is missing a field, repeats an id or names an unknown constraint."""


@dataclass(frozen=True)
class Constraint:
    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    constraints: tuple[str, ...]
    venue: str = ""
    url: str = ""
    arxiv: str = ""

    @property
    def link(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else self.url


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    part: str
    papers: tuple[Paper, ...]

    @property
    def src_dir(self) -> str:
        """Where the topic's page lives under docs/ (and hence its URL)."""
        return f"{self.part}/{self.id}"


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    topics: tuple[Topic, ...]


@dataclass
class Catalogue:
    constraints: tuple[Constraint, ...]
    parts: tuple[Part, ...]
    path: Path = field(default=CATALOGUE)

    @property
    def topics(self) -> list[Topic]:
        return [t for p in self.parts for t in p.topics]

    @property
    def papers(self) -> list[Paper]:
        return [pa for t in self.topics for pa in t.papers]

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(f"no topic with id '{topic_id}' in {self.path}")


def _require(entry: dict, where: str, name: str, kind: type | tuple = str):
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    if name not in entry or entry[name] in (None, "", []):
        label = f" (id '{entry['id']}')" if entry.get("id") else ""
        raise CatalogueError(f"{where}{label}: missing field '{name}'")
    value = entry[name]
    if not isinstance(value, kind):
        raise CatalogueError(f"{where} (id '{entry.get('id')}'): field '{name}' has the wrong type")
    return value


def parse(data: dict, path: Path = CATALOGUE) -> Catalogue:
    """Validate raw YAML data and build the catalogue; raise CatalogueError naming the entry."""
    src = path.name
    if not isinstance(data, dict):
        raise CatalogueError(f"{src}: expected a mapping at the top level")
    constraints = []
    for i, c in enumerate(_require(data, src, "constraints", list)):
        where = f"{src}: constraints[{i}]"
        constraints.append(Constraint(_require(c, where, "id"), _require(c, where, "title"),
                                      _require(c, where, "summary")))
    known = {c.id for c in constraints}
    seen: dict[str, dict[str, str]] = {"constraint": {}, "part": {}, "topic": {}, "paper": {}}

    def claim(kind: str, ident: str, where: str) -> None:
        if ident in seen[kind]:
            raise CatalogueError(f"{where}: duplicate {kind} id '{ident}' (first used at {seen[kind][ident]})")
        seen[kind][ident] = where

    for i, c in enumerate(constraints):
        claim("constraint", c.id, f"{src}: constraints[{i}]")

    parts = []
    for i, p in enumerate(_require(data, src, "parts", list)):
        pwhere = f"{src}: parts[{i}]"
        pid = _require(p, pwhere, "id")
        claim("part", pid, pwhere)
        topics = []
        for j, t in enumerate(_require(p, pwhere, "topics", list)):
            twhere = f"{pwhere}.topics[{j}]"
            tid = _require(t, twhere, "id")
            claim("topic", tid, twhere)
            papers = []
            for k, pa in enumerate(_require(t, twhere, "papers", list)):
                where = f"{twhere}.papers[{k}]"
                paid = _require(pa, where, "id")
                claim("paper", paid, where)
                cons = tuple(_require(pa, where, "constraints", list))
                unknown = [c for c in cons if c not in known]
                if unknown:
                    raise CatalogueError(f"{where} (id '{paid}'): unknown constraint '{unknown[0]}' "
                                         f"(known: {', '.join(sorted(known))})")
                if not (pa.get("url") or pa.get("arxiv")):
                    raise CatalogueError(f"{where} (id '{paid}'): missing field 'url' or 'arxiv'")
                papers.append(Paper(
                    id=paid, title=_require(pa, where, "title"),
                    authors=tuple(_require(pa, where, "authors", list)),
                    year=_require(pa, where, "year", int), constraints=cons,
                    venue=pa.get("venue", ""), url=pa.get("url", ""), arxiv=str(pa.get("arxiv", ""))))
            topics.append(Topic(tid, _require(t, twhere, "title"), pid, tuple(papers)))
        parts.append(Part(pid, _require(p, pwhere, "title"), tuple(topics)))
    return Catalogue(tuple(constraints), tuple(parts), path)


def load(path: Path = CATALOGUE) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise CatalogueError(f"{path.name}: cannot read: {err}") from err
    return parse(data, path)


if __name__ == "__main__":
    cat = load()
    print(f"{CATALOGUE.relative_to(ROOT)}: {len(cat.parts)} parts, {len(cat.topics)} topics, "
          f"{len(cat.papers)} papers, {len(cat.constraints)} constraints: valid")
