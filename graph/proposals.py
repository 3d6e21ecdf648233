"""Publics a harvest proposed for an engagement, and an editor's answer to each: confirm or remove.

The consultations harvest (:mod:`graph.harvest.consultations`) proposes the publics a
consultation names as INVOLVED relationships with ``confirmed`` false; they count towards
no burden (:func:`graph.burden.confirmed`) until an editor confirms them. Confirming keeps
the relationship's other properties (participants, source, verified) and sets ``confirmed``
true; removing deletes it. Both are one :class:`~graph.stores.base.Change` through the
store's write path, so they are checked by the model's rules (a held engagement keeps at
least one public) and audited under the editor's name.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("e", label="Engagement", name="E")
>>> g.add_node("p", label="Public", name="Pupils"); g.add_node("q", label="Public", name="Staff")
>>> g.add_edge("e", "p", key="INVOLVED", confirmed=False); g.add_edge("e", "q", key="INVOLVED")
'INVOLVED'
'INVOLVED'
>>> [(p.public, p.name) for p in proposed_publics(g, "e")]
[('p', 'Pupils')]
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .errors import EdgeNotFound
from .stores.base import Change

TYPE = "INVOLVED"


@dataclass(frozen=True)
class Proposal:
    """One public proposed, not confirmed, as involved in one engagement."""

    engagement: str
    public: str
    name: str

    @property
    def confirm_path(self) -> str:
        return f"/engagements/{self.engagement}/publics/{self.public}/confirm"

    @property
    def remove_path(self) -> str:
        return f"/engagements/{self.engagement}/publics/{self.public}/remove"


def is_proposed(attrs: dict) -> bool:
    """Whether an INVOLVED relationship is a harvest's proposal no editor has confirmed.

    >>> is_proposed({"confirmed": False}), is_proposed({"confirmed": True}), is_proposed({})
    (True, False, False)
    """
    return attrs.get("confirmed") is False


def proposed_publics(graph: nx.MultiDiGraph, engagement: str) -> list[Proposal]:
    """The publics proposed for ``engagement`` and not yet confirmed, by name."""
    if engagement not in graph:
        return []
    out = [Proposal(engagement, public, graph.nodes[public].get("name", public))
           for _e, public, key, attrs in graph.out_edges(engagement, keys=True, data=True)
           if key == TYPE and is_proposed(attrs)]
    return sorted(out, key=lambda p: (p.name.lower(), p.public))


def proposal_edge(edges: list[dict], engagement: str, public: str) -> dict:
    """The stored INVOLVED relationship from ``engagement`` to ``public`` among ``edges``, or EdgeNotFound.

    >>> proposal_edge([{"type": "INVOLVED", "from": "e", "to": "p", "confirmed": False}], "e", "p")["to"]
    'p'
    >>> proposal_edge([], "e", "p")
    Traceback (most recent call last):
    ...
    graph.errors.EdgeNotFound: no INVOLVED relationship from 'e' to 'p'
    """
    found = next((e for e in edges if e.get("type") == TYPE and e.get("from") == engagement
                  and e.get("to") == public), None)
    if found is None:
        raise EdgeNotFound(TYPE, engagement, public)
    return found


def confirm_change(edge: dict, actor: str, action: str = "web") -> Change:
    """The change that confirms a proposed public: the same relationship with ``confirmed`` true.

    Every other property is kept, since the store replaces a relationship's properties whole.

    >>> c = confirm_change({"type": "INVOLVED", "from": "e", "to": "p", "confirmed": False, "participants": 4}, "ed")
    >>> c.put_edges, c.actor
    ([{'type': 'INVOLVED', 'from': 'e', 'to': 'p', 'confirmed': True, 'participants': 4}], 'ed')
    """
    return Change(put_edges=[{**edge, "confirmed": True}], actor=actor, action=action)


def remove_change(edge: dict, actor: str, action: str = "web") -> Change:
    """The change that removes a proposed public from its engagement.

    >>> remove_change({"type": "INVOLVED", "from": "e", "to": "p"}, "ed").delete_edges
    [('INVOLVED', 'e', 'p')]
    """
    return Change(delete_edges=[(TYPE, edge["from"], edge["to"])], actor=actor, action=action)
