"""A record named the way people name it: its id, or its name (typos forgiven), or the choices.

Wherever a command or a page asks for a record (``pathways intermediaries "disabled
people"``, the map's focus box), :func:`resolve` takes an id as typed, else the one record
whose name or alias was typed or which clearly fits the words (by the same rules as
:mod:`graph.asking`); when several could be meant it raises :class:`Ambiguous` listing
them, so the person picks one instead of getting a wrong record.

>>> from graph.search import SearchIndex
>>> index = SearchIndex([{"id": "pub.disabled-people", "label": "Public", "name": "Disabled people"},
...                      {"id": "pub.disabled-children", "label": "Public", "name": "Disabled children"},
...                      {"id": "scope", "label": "Intermediary", "name": "Scope"}])
>>> by_name(index, "disabled people", "Public")
'pub.disabled-people'
>>> by_name(index, "disabled", "Public")
Traceback (most recent call last):
...
graph.resolve.Ambiguous: query: public: 'disabled' could be: Disabled people (pub.disabled-people), Disabled children (pub.disabled-children)
"""
from __future__ import annotations

from . import search as _search
from .asking import config as asking_config
from .errors import InvalidRecord, NodeNotFound, Problem

LABEL_WORDS = {"UserGroup": "user group", "Intermediary": "intermediary"}
MAX_LISTED = 6


class Ambiguous(InvalidRecord):
    """Several records could be meant; ``choices`` holds them, best first."""

    def __init__(self, field: str, text: str, choices: list[_search.Hit]):
        self.choices = choices[:MAX_LISTED]
        listed = ", ".join(f"{h.name} ({h.id})" for h in self.choices)
        super().__init__([Problem("query", field, f"'{text}' could be: {listed}")])


class NotNamed(NodeNotFound):
    """No record is named by the text (a 404, as for an unknown id); ``closest`` holds the nearest,
    ``problems`` the one located message a form shows beside its field."""

    def __init__(self, field: str, text: str, closest: list[_search.Hit]):
        super().__init__(text)
        self.closest = closest
        near = ", ".join(f"{h.name} ({h.id})" for h in closest[:5])
        self.problems = [Problem("query", field, f"no record matches '{text}'" + (f"; closest: {near}" if near else ""))]
        self.args = (str(self.problems[0]),)


def by_name(index: _search.SearchIndex, text: str, label: str | None = None, field: str | None = None,
            settings: dict | None = None) -> str:
    """The id of the one record of ``label`` that ``text`` names, by the rules in this module's docstring."""
    cfg = asking_config(settings)
    field = field or (LABEL_WORDS.get(label, label.lower()) if label else "record")
    hits = [h for h in index.search(text, label=label, limit=cfg["max_choices"], settings=settings)
            if h.coverage >= cfg["choice_coverage"]]
    if not hits:
        raise NotNamed(field, text, index.search(text, limit=5, settings={"search": {"min_score": 0.15}}))
    exact = [h for h in hits if h.exact]
    if len(exact) == 1:
        return exact[0].id
    best, rival = hits[0], hits[1] if len(hits) > 1 else None
    if not exact and not best.fuzzy and best.coverage >= 1.0 and best.named and (
            rival is None or best.score >= cfg["lead_ratio"] * rival.score):
        return best.id
    raise Ambiguous(field, text, exact or hits)


def resolve(snapshot, text: str, label: str | None = None, field: str | None = None,
            settings: dict | None = None) -> str:
    """An id as typed when the registry (a read-model snapshot) has it (with ``label``, when given),
    else :func:`by_name`."""
    text = (text or "").strip()
    graph = snapshot.graph
    if text in graph and (label is None or graph.nodes[text].get("label") == label):
        return text
    return by_name(_search.index_of(snapshot), text, label, field, settings)


def resolve_each(snapshot, values: dict[str, str | None], labels: dict[str, str | None],
                 settings: dict | None = None) -> dict[str, str | None]:
    """:func:`resolve` for several named fields at once (``labels``: field -> label); empty ones stay empty."""
    return {k: resolve(snapshot, v, labels.get(k), k, settings) if v and v.strip() else v for k, v in values.items()}
