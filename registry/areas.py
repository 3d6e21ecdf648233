"""The table of contents: every page area, API area, command, record-page section and About part.

Nothing is found by scanning packages: an area is part of the app because it is listed here,
in the order it is registered. ``create_app`` registers the blueprints and sections,
``registry.cli`` the commands, the About page its parts.
"""
from __future__ import annotations

from graph import model

from .api import (admin as api_admin, burden as api_burden, discovery as api_discovery, docs as api_docs,
                  edges as api_edges, gaps as api_gaps, hsds_export as api_hsds_export, imports as api_imports,
                  maps as api_maps, needs as api_needs, nodes as api_nodes, route_reports as api_route_reports,
                  search as api_search, signpost as api_signpost)
from .web import (about, account, burden, discovery, edit, engagements, feedback, gaps, hsds, maps, needs, plans,
                  records, relationships, route_reports, signpost)
from .web.sections import Section

# Pages. A later blueprint never shadows an earlier one's URL: each area owns its paths.
WEB_BLUEPRINTS = (
    signpost.bp, records.bp, edit.bp, relationships.bp, discovery.bp, burden.bp, engagements.bp, maps.bp,
    gaps.bp, needs.bp, feedback.bp, plans.bp, account.bp, about.bp, hsds.bp, route_reports.bp,
)

# The JSON API under /api/v1, each with the path it is mounted under (after /api/v1).
API_BLUEPRINTS = (
    (api_nodes.blp, ""), (api_edges.blp, ""), (api_search.blp, ""), (api_signpost.blp, ""),
    (api_discovery.blp, ""), (api_burden.blp, ""), (api_maps.blp, ""), (api_gaps.blp, ""), (api_needs.blp, ""),
    (api_imports.blp, ""), (api_hsds_export.blp, ""), (api_admin.blp, ""), (api_docs.blp, ""),
    (api_route_reports.blp, ""),
)

# What a record's page shows beside its details, by label: "lead" sections come before the
# details, "body" sections after the contact; each in ``order``.
RECORD_SECTIONS = (
    Section(tuple(model.LABELS), 1, "edit/_actions.html", edit.actions_section, "lead"),
    Section(("Statistic",), 10, "signpost/_card.html", signpost.contact_card, "lead"),
    Section(("Statistic",), 12, "route_reports/_did_this_help.html", route_reports.did_this_help, "lead"),
    Section(("Engagement",), 10, "engagements/_record_section.html", engagements.edit_link, "lead"),
    Section(("Need",), 20, "needs/_section.html", needs.need_section, "lead"),
    Section(("Public",), 20, "discovery/_public_section.html", discovery.public_section, "body"),
    Section(("Statistic",), 20, "discovery/_statistic_section.html", discovery.statistic_section, "body"),
    Section(("Producer",), 20, "discovery/_producer_section.html", discovery.producer_section, "body"),
    Section(("Public", "Intermediary", "UserGroup"), 40, "burden/_record_section.html", burden.record_burden, "body"),
    Section(("Producer",), 60, "feedback/_producer_section.html", feedback.producer_section, "body"),
    Section(("Topic",), 60, "feedback/_topic_section.html", feedback.topic_section, "body"),
    Section(("Statistic",), 70, "plan/_section.html", plans.plan_section, "body"),
    Section(tuple(model.LABELS), 90, "relationships/_section.html", relationships.relationships_section, "body"),
    Section(route_reports.WITH_CONTACT, 92, "route_reports/_wrong_contact.html", route_reports.wrong_contact, "body"),
    Section(tuple(model.LABELS), 95, "edit/_history.html", edit.history_section, "body"),
)

# The About page, in this order: each area explains the rules it decides by.
ABOUT_PARTS = (
    "about/_10_signposting.html", "about/_20_discovery.html", "about/_30_burden.html", "about/_40_maps.html",
    "about/_50_needs.html", "about/_60_route_reports.html", "about/_90_api.html",
)


def commands() -> list:
    """The ``pathways`` commands, in the order ``pathways --help`` lists them.

    Read when the CLI first looks a command up, since the command modules import ``registry.cli``.
    """
    from .commands import admin, burden, data, discovery, gaps, generate, harvest, needs, signpost
    return [*data.commands, *harvest.commands, *generate.commands, *signpost.commands, *discovery.commands,
            *burden.commands, *gaps.commands, *needs.commands, *admin.commands]
