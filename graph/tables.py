"""The registry's lists as tables: plain-English columns, one row per item, and their CSV text.

Each ``*_table`` function turns the result a list page shows (the ranked intermediaries
of a public, the burden index, the gaps, the waiting list, you said we did, search hits)
into a :class:`Table` whose columns a reader understands without the API's field names.
:func:`to_csv` writes a table with every cell through :func:`graph.model.csv_cell`, so a
name that begins with ``=`` cannot run as a formula when the file is opened in a
spreadsheet. No Flask here: the web layer (``registry/downloads.py``) only wraps the text
in a response.
"""
from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .model import csv_cell


@dataclass
class Table:
    """Column headings and rows (each a list of values in column order). The rows may be an
    iterator, made as they are written out, for a list too long to hold twice (the gaps)."""

    columns: list[str]
    rows: Iterable[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """One page of a long list: its ``number`` (from 1) of ``pages``, the items ``first`` to ``last``
    (counted from 1) of ``total``, and ``rows``, those items.

    Made by :func:`page_of`, so that every paged list (the map's table of records, a public's
    intermediaries) clamps page numbers and counts the same way.
    """

    number: int
    pages: int
    first: int
    last: int
    total: int
    rows: list = field(default_factory=list, compare=False, repr=False)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers to link to: the first, the last, this one and those either side, None for
        each gap (shown as an ellipsis, as the GOV.UK pagination component does for many pages).

        >>> page_of(range(400), "7", 20).numbers, page_of(range(200), "7", 20).numbers, page_of(range(50), "1", 20).numbers
        ([1, None, 6, 7, 8, None, 20], [1, None, 6, 7, 8, 9, 10], [1, 2, 3])
        """
        shown = sorted({1, self.pages, *range(max(1, self.number - 1), min(self.pages, self.number + 1) + 1)})
        out: list[int | None] = []
        for n in shown:
            if out and n - out[-1] == 2:
                out.append(n - 1)  # a gap of one page: the page itself is as short as an ellipsis
            elif out and n - out[-1] > 2:
                out.append(None)
            out.append(n)
        return out


def page_of(items, page: Any, size: int) -> Page:
    """Page ``page`` of ``items``, ``size`` to a page. A page number that is not one (missing, not a
    whole number, below 1 or beyond the last page) gives the nearest page: the first, or the last.

    >>> [(p.number, p.first, p.last, p.total) for p in (page_of(range(312), n, 20) for n in ("2", None, "x", "-3", "0", "99"))]
    [(2, 21, 40, 312), (1, 1, 20, 312), (1, 1, 20, 312), (1, 1, 20, 312), (1, 1, 20, 312), (16, 301, 312, 312)]
    >>> page_of([], "3", 20)
    Page(number=1, pages=1, first=0, last=0, total=0)
    """
    size = max(1, int(size))
    items = list(items)
    pages = max(1, -(-len(items) // size))
    try:
        number = min(max(1, int(str(page).strip())), pages)
    except ValueError:
        number = 1
    start = (number - 1) * size
    rows = items[start:start + size]
    return Page(number, pages, start + 1 if rows else 0, start + len(rows), len(items), rows)


def yes_no(value: Any) -> str:
    """A flag as a reader says it.

    >>> yes_no(True), yes_no(None)
    ('yes', 'no')
    """
    return "yes" if value else "no"


def words(value: Any) -> Any:
    """An enumeration value as words; anything else as it is.

    >>> words("citizens_jury"), words(None), words(3)
    ('citizens jury', None, 3)
    """
    return value.replace("_", " ") if isinstance(value, str) else value


def joined(values: Iterable[Any], sep: str = "; ") -> str:
    """Several values in one cell, in order, empty ones left out.

    >>> joined(["a", None, "b"]), joined([], " → ")
    ('a; b', '')
    """
    return sep.join(str(v) for v in values if v not in (None, ""))


def _names(refs: Iterable[Any]) -> str:
    """The names of records given as dicts or ``Ref``-like objects, joined."""
    return joined(r.get("name") if isinstance(r, dict) else getattr(r, "name", None) for r in refs)


def to_csv(table: Table) -> str:
    """The table as CSV text, every text cell neutralised against spreadsheet formulas.

    >>> print(to_csv(Table(["Name", "Score"], [["=SUM(A1)", -3], ["Shelter", 0.5]])), end="")
    Name,Score
    '=SUM(A1),-3
    Shelter,0.5
    """
    return "".join(csv_chunks(table))


def csv_chunks(table: Table, batch: int = 1000) -> Iterator[str]:
    """:func:`to_csv` in pieces, the headings and then ``batch`` rows at a time.

    >>> [chunk.splitlines() for chunk in csv_chunks(Table(["N"], iter([[1], [2], [3]])), batch=2)]
    [['N', '1', '2'], ['3']]
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in table.columns])
    rows = iter(table.rows)
    while True:
        writer.writerows([csv_cell(v) for v in row] for row in itertools.islice(rows, batch))
        text = out.getvalue()
        if not text:
            return
        yield text
        out.seek(0)
        out.truncate()


def intermediaries_table(found) -> Table:
    """The ranked intermediaries that reach a public (a :class:`graph.discovery.Discovery`).

    >>> from graph.discovery import Candidate, Discovery
    >>> c = Candidate("i1", "Age UK", "charity", {"email": "a@example.org"}, 0.8, ["i1", "p"], ["Age UK", "Older people"],
    ...               True, 1, "high", 0.9, None, {}, "ok", False, [{"id": "ons", "name": "ONS"}])
    >>> t = intermediaries_table(Discovery({"id": "p", "name": "Older people"}, None, None, [c], 1))
    >>> dict(zip(t.columns, t.rows[0]))["Route"], dict(zip(t.columns, t.rows[0]))["Other producers working with them"]
    ('Age UK → Older people', 'ONS')
    """
    columns = ["Rank", "Intermediary", "Id", "Kind", "Score", "Evidence", "Route", "Reaches the public directly",
               "Steps", "Editor's trust (sourced)", "Editor's strength (sourced)", "Role it states (sourced)",
               "Nations", "Accepting requests", "How to approach", "Own load", "Already a partner",
               "Other producers working with them", "Topics", "Email", "Website", "Telephone", "Reasons"]
    rows = []
    for rank, c in enumerate(found.intermediaries, 1):
        contact = c.contact or {}
        said = c.declarations or {}
        rows.append([rank, c.name, c.id, words(c.kind), round(c.score, 4), c.summary, joined(c.path_names, " → "),
                     yes_no(c.direct), c.hops, c.trust, c.strength, words(c.role), c.nation_words,
                     words(said.get("accepting_requests")), words(said.get("how_to_approach")), c.load_status,
                     yes_no(c.partner), _names(c.partners), _names(c.topics), contact.get("email"),
                     contact.get("url"), contact.get("phone"), joined(c.reasons)])
    return Table(columns, rows)


def burden_table(index) -> Table:
    """Every public, then every intermediary and user group, by burden ratio (a ``BurdenIndex``)."""
    columns = ["Kind", "Name", "Id", "Status", "Burden (units)", "Capacity (units)", "Ratio",
               "Engagements in the window", "Producers", "As of"]
    rows = []
    for kind, scores in (("Public", index.publics), ("Intermediary or user group", index.intermediaries)):
        for s in scores:
            ratio = round(s.ratio, 3) if s.ratio != float("inf") else "no capacity"
            rows.append([kind, s.name, s.id, s.status, round(s.units, 3), s.capacity, ratio, len(s.engagements),
                         len(s.producers), index.as_of.isoformat()])
    return Table(columns, rows)


def gaps_table(report, only: str | None = None) -> Table:
    """One row per gap found, under its rule's title (a :class:`graph.gaps.GapReport`; every rule,
    or just the rule keyed ``only``), the rows made as they are written out."""
    columns = ["Gap", "Record", "Id", "Type of record", "What is wrong", "What would close it"]
    return Table(columns, ([rule.title, item.name, item.id, item.label, item.detail, item.close]
                           for rule, items in report.results if only in (None, rule.key) for item in items))


def needs_table(result, status_words: dict[str, str]) -> Table:
    """The waiting list in its order (a :class:`graph.needs.WaitingList`), statuses in words."""
    columns = ["Rank", "Need", "Id", "Statement", "Status", "Priority (1 high to 5 low)", "Raised", "Support",
               "Owned by", "Raised by", "Concerns", "Also raised with", "Reason for the decision", "Response"]
    return Table(columns, [[i.rank, i.name, i.id, i.statement, status_words.get(i.status, i.status), i.priority,
                            i.raised, round(i.support, 2), _names(i.owners), _names(i.raised_by),
                            _names(i.concerns), _names(i.also_raised_with), i.decision_reason, i.response]
                           for i in result.items])


def feedback_table(items) -> Table:
    """You said, we did: one engagement a row (``graph.feedback.FeedbackItem``), newest feedback first."""
    columns = ["Engagement", "Id", "Method", "Start", "End", "Status", "You said", "We did", "Feedback published",
               "Feedback link", "Run by", "Publics involved", "Through", "About"]
    return Table(columns, [[i.name, i.id, words(i.method), i.start, i.end, words(i.status), i.you_said, i.we_did,
                            i.published, i.url, _names(i.producers), _names(i.publics), _names(i.via), _names(i.on)]
                           for i in items])


def search_table(hits) -> Table:
    """Search results, best first (``graph.search.Hit``)."""
    columns = ["Rank", "Name", "Id", "Type of record", "Score", "Produced by", "Nations", "Why it matched",
               "Description"]
    return Table(columns, [[rank, h.name, h.id, h.label, round(h.score, 3), h.producer, joined(h.nations),
                            joined(h.why), h.description] for rank, h in enumerate(hits, 1)])
