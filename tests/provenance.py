"""The source and verified date test fixtures give the relationships that must carry them.

REACHES, PARTNERS_WITH and REFERS_TO are claims a producer or the public acts on, so the model
requires every one to say where it comes from (``graph.model.SOURCED_TYPES``). A fixture that is
not about provenance gives them this made-up citation; a test about provenance writes its own.
"""
from __future__ import annotations

from graph import model

CITED = {"source": "Test fixture: the organisation's statement of whom it works with", "verified": "2025-01-01"}


def cited(type_: str, props: dict) -> dict:
    """``props`` with the fixture's source and verified date when ``type_`` needs them and they are not given.

    >>> cited("REACHES", {"strength": 0.5})["verified"], cited("PRODUCES", {})
    ('2025-01-01', {})
    """
    if type_ in model.SOURCED_TYPES:
        return {**CITED, **props}
    return props
