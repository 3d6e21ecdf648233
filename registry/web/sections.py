"""Sections that feature areas add to record pages, by label.

Each area provides ``provider(node) -> context | None`` and a template; ``registry/areas.py``
lists them all (RECORD_SECTIONS). The record page renders each provider's template with the
context it returns (None: nothing to show), so the record view stays thin.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app


@dataclass(frozen=True)
class Section:
    labels: tuple[str, ...]
    order: int
    template: str
    provider: Callable[[dict], dict | None]
    position: str  # "lead": before the details; "body": after the contact


def sections_for(node: dict) -> dict[str, list[tuple[str, dict]]]:
    """``{"lead": [(template, context)], "body": [...]}`` for one record, in each section's order."""
    out: dict[str, list] = {"lead": [], "body": []}
    for section in current_app.extensions["pathways.sections"]:
        if node["label"] in section.labels:
            context = section.provider(node)
            if context is not None:
                out[section.position].append((section.template, context))
    return out
