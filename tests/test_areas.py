"""``registry/areas.py`` is the whole table of contents: nothing written is left unregistered."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import registry
from registry import areas

ROOT = Path(registry.__file__).parent.parent


def modules(package: str) -> list:
    pkg = importlib.import_module(package)
    return [importlib.import_module(f"{package}.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]


def test_every_page_blueprint_is_listed_once():
    written = {m.bp for m in modules("registry.web") if hasattr(m, "bp")}
    assert set(areas.WEB_BLUEPRINTS) == written and len(areas.WEB_BLUEPRINTS) == len(written)


def test_every_api_blueprint_is_listed_once():
    written = {m.blp for m in modules("registry.api") if hasattr(m, "blp")}
    listed = [blp for blp, _prefix in areas.API_BLUEPRINTS]
    assert set(listed) == written and len(listed) == len(written)


def test_every_command_is_listed_once():
    written = [c for m in modules("registry.commands") for c in getattr(m, "commands", [])]
    listed = areas.commands()
    assert sorted(c.name for c in listed) == sorted(c.name for c in written)
    assert len({c.name for c in listed}) == len(listed)


def test_every_about_part_and_section_template_exists_and_every_part_is_listed():
    templates = ROOT / "templates"
    assert sorted(areas.ABOUT_PARTS) == sorted(f"about/{p.name}" for p in (templates / "about").glob("_*.html"))
    for section in areas.RECORD_SECTIONS:
        assert (templates / section.template).is_file(), section.template
        assert section.position in ("lead", "body") and callable(section.provider)


def test_the_app_registers_what_is_listed(app):
    assert {bp.name for bp in areas.WEB_BLUEPRINTS} <= set(app.blueprints)
    assert [s.order for s in app.extensions["pathways.sections"]] == sorted(s.order for s in areas.RECORD_SECTIONS)
