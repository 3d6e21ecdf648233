"""The algorithms' weights, windows and thresholds: configuration, not literals.

The app passes ``current_settings()`` (these defaults overlaid with the
``PATHWAYS_SETTINGS`` JSON file or the app config) to the domain functions.

>>> merge(DEFAULTS, {"burden": {"window_days": 180}})["burden"]["window_days"]
180
>>> merge(DEFAULTS, {"burden": {"window_days": 180}})["burden"]["half_life_days"]
180
"""
from __future__ import annotations

import copy

DEFAULTS: dict = {
    "burden": {
        "window_days": 365,
        "half_life_days": 180,
        "method_weights": {
            "survey": 1, "poll": 1, "consultation": 2, "interview": 2, "panel_meeting": 2, "user_testing": 2,
            "other": 2, "focus_group": 3, "workshop": 3, "co_design": 4, "community_research": 4,
            "citizens_jury": 6, "deliberation": 6,
        },
        "feedback_debt_days": 90,
        "feedback_debt_factor": 1.5,
        "remunerated_factor": 0.8,
        "capacity_public": 10,
        "capacity_intermediary": 12,
        "capacity_volunteer_led": 6,
        "high_from": 0.7,
        "over_from": 1.0,
        "join_up_days": 60,
        "coverage_min_engagements": 20,
        "coverage_min_producers": 5,
        "max_intermediary_suggestions": 3,  # less-loaded intermediaries the burden check suggests
    },
    "discovery": {
        "max_hops": 3,
        "trust_factor": {"high": 1.0, "medium": 0.75, "low": 0.5},
        "default_strength": 0.5,
        "default_trust": "medium",
        "umbrella_factor": 0.8,
        "load_factor": {"ok": 1.0, "high": 0.75, "over": 0.5},
        "partner_factor": 1.2,
        "max_leads": 6,  # organisations offered as leads when nothing reaches a public
        "box1_top": 3,  # intermediaries shown per public in Box 1 and in a producer's gaps
        "page_size": 20,  # intermediaries to a page of a public's page (/publics/<id>?page=N)
    },
    # The reach score from evidence (graph/reach.py): points add up, then nation, geography, umbrella,
    # load and partnership multiply them. Recency uses burden.half_life_days.
    "reach": {
        "engagement_points": 1.0,  # one engagement through it with the public, today
        "participants_bonus": 0.5,  # ... raised by up to this share for participants_full people or more
        "participants_full": 50,
        "feedback_owed_factor": 0.5,  # an engagement that owes feedback counts this much
        "role_points": {"represents": 0.6, "serves": 0.5, "informs": 0.3},  # the role it states, with a source
        "sourced_points": 0.4,  # a sourced REACHES that states no role
        "recorded_points": 0.1,  # a REACHES with no source: recorded, not evidenced
        "judgement_points": 0.5,  # × strength × trust factor: an editor's judgement with its source
        "nation_factor": {"own": 1.0, "covers": 1.0, "partial": 0.85, "unknown": 0.9, "other": 0.3},
        "geography_factor": 1.1,  # the same place below a nation
        # × 1 + this × (share answered − share no reply or wrong details), from route reports about the
        # intermediary, only with route_reports.min_reports counted ones on ranking_min_days different days
        "route_feedback_weight": 0.3,
    },
    "map": {"max_nodes": 2000, "collapse_above": 300, "max_depth": 4, "table_page_size": 400},
    "gaps": {
        "overlap_threshold": 0.6, "overlap_min_shared": 2, "broker_count": 10,
        "betweenness_sample_above": 400, "betweenness_sample": 150, "betweenness_work": 300000,
        "max_loops": 100,
        "preview": 10,  # findings of each rule shown on /gaps; the rest on /gaps/<rule>
        "page_size": 50,  # findings to a page of /gaps/<rule>
    },
    "signpost": {
        "coordinator": "osr",
        "coordinator_contact": {"name": "Office for Statistics Regulation",
                                "contact": {"email": "regulation@statistics.gov.uk",
                                            "url": "https://osr.statisticsauthority.gov.uk/"}},
        "max_referral_hops": 10, "broader_depth": 3, "max_user_groups": 5, "max_intermediaries": 5,
    },
    "search": {
        "min_score": 0.1, "prefix_similarity": 0.85, "fuzzy_factor": 0.9,
        "two_edits_from": 6,  # a typo of one edit is forgiven from min_fuzzy_length letters, two from this many
        "min_fuzzy_length": 4, "max_candidates": 200, "common_factor": 4, "max_posting": 2000,
        "restrict_above": 100,  # a word in more records than this only adds to candidates rarer words found
        "exact_bonus": 1.0,
        "name_length_weight": 0.25,  # how much a name's words not asked for lower a name match
        "generic_weight": 0.15,  # "statistics", "figures", "data": count this much of a word
        "other_nation_factor": 0.4,  # a record of another nation than the query names
        "own_nation_factor": 1.15,  # a record of exactly the nations the query names
        "one_nation_factor": 0.95,  # a record of one nation, when the query names none
        # A match in the name or the words people use for a record names it; a topic or a producer
        # only places it; a description only mentions things.
        "field_weights": {"name": 3.0, "alias": 3.0, "acronym": 3.0, "keyword": 1.5, "topic": 1.0, "producer": 1.0,
                          "description": 0.4},
        # What people search for first: statistics, then the organisations and topics around them.
        "label_weights": {"Statistic": 1.0, "Topic": 0.95, "Producer": 0.95, "UserGroup": 0.95, "Intermediary": 0.95,
                          "Public": 0.9, "Engagement": 0.7, "Need": 0.7},
    },
    "asking": {
        "confident_score": 0.6,  # the one answer must score at least this (1 = every word in its name)
        "lead_ratio": 1.25,  # ... and this many times the next statistic
        "choice_coverage": 0.5,  # a choice matched at least this share of the question's words
        "choice_score": 0.25,  # ... and scores at least this (words only in descriptions score below)
        "partial_share": 0.5,  # beside the best choice that matched every word, others score at least this share of it
        "max_choices": 10, "topic_depth": 3, "max_producers": 8, "max_user_groups": 5,
    },
    "needs": {
        "seldom_heard_weight": 2.0,  # a seldom-heard public raising a need counts this many times
        "similar_min_ratio": 55,  # token-set similarity (0-100) for "also raised with"
        "unset_priority": 6,  # where needs without an owner's priority sort (after 5)
    },
    "route_reports": {
        "window_days": 365,  # route health looks back this far
        "min_reports": 5,  # below this many reports a route's or producer's shares say "not enough reports"
        "min_seconds": 3,  # a report sent sooner than this after the answer was shown is refused (a robot)
        "max_age_seconds": 86400,  # ... and later than this the form has expired
        "per_client_per_hour": 10,  # reports one client may send in an hour (counted in memory only)
        "per_client_per_route_per_day": 1,  # reports one client may send about one route in a day
        "ranking": False,  # off until there are enough reports: the signpost does not use them
        "ranking_min_reports": 10,  # a route is moved down only on at least this many counted reports ...
        "ranking_min_days": 3,  # ... sent on at least this many different days ...
        "ranking_no_reply_share": 0.5,  # ... of which at least this share got no reply
        "feed_entries": 100,
    },
    "stale_after_days": 365,
}


def section_of(settings: dict | None, name: str):
    """``settings[name]`` laid over ``DEFAULTS[name]``: how every function reads its settings, so that
    a default is written here and nowhere else.

    >>> section_of({"burden": {"window_days": 30}}, "burden")["window_days"], section_of(None, "burden")["half_life_days"]
    (30, 180)
    >>> section_of({"stale_after_days": 90}, "stale_after_days"), section_of({}, "stale_after_days")
    (90, 365)
    """
    default = DEFAULTS[name]
    given = (settings or {}).get(name)
    if isinstance(default, dict):
        return {**default, **given} if given else default
    return default if given is None else given


def merge(base: dict, override: dict | None) -> dict:
    """A deep copy of ``base`` with ``override``'s keys laid over it, recursively."""
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
