"""Sections that feature areas add to record pages, by label.

A feature registers a provider for the labels it knows about; the record page
renders each provider's template with the context it returns (None: nothing to
show). This keeps the record view thin and lets areas grow independently.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint

bp = Blueprint("sections", __name__)  # nothing routed here; present so discovery accepts the module


@dataclass(frozen=True)
class Section:
    labels: tuple[str, ...]
    order: int
    template: str
    provider: Callable[[dict], dict | None]
    position: str  # "lead": before the details; "body": after the contact


SECTIONS: list[Section] = []


def record_section(*labels: str, template: str, order: int = 50, position: str = "body"):
    """Register ``provider(node) -> context | None`` to render ``template`` on records of ``labels``."""
    def decorate(provider):
        if not any(s.template == template and s.labels == labels for s in SECTIONS):
            SECTIONS.append(Section(labels, order, template, provider, position))
            SECTIONS.sort(key=lambda s: s.order)
        return provider
    return decorate


def sections_for(node: dict) -> dict[str, list[tuple[str, dict]]]:
    """``{"lead": [(template, context)], "body": [...]}`` for one record."""
    out: dict[str, list] = {"lead": [], "body": []}
    for section in SECTIONS:
        if node["label"] in section.labels:
            context = section.provider(node)
            if context is not None:
                out[section.position].append((section.template, context))
    return out
