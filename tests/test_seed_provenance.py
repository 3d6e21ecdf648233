"""Every seeded reach, partnership and referral says where it comes from (issue 21, item 1).

The seed's REACHES used to carry strengths and trust levels no source gave. Now each REACHES,
PARTNERS_WITH and REFERS_TO names its source (the organisation's own statement, a passage of a
reference document, or the record's own source) and the date that source was recorded; a
strength or trust is kept only as an editor's judgement with that source. It reads
seed/registry.json from the repository only.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from graph import model

SEED = Path(__file__).resolve().parents[1] / "seed" / "registry.json"
DOC = json.loads(SEED.read_text(encoding="utf-8"))
SOURCED = [e for e in DOC["edges"] if e["type"] in model.SOURCED_TYPES]


def test_the_seed_has_the_relationships_this_checks():
    counts = Counter(e["type"] for e in SOURCED)
    assert counts["REACHES"] >= 90 and counts["PARTNERS_WITH"] >= 5 and counts["REFERS_TO"] >= 5, counts


def test_no_relationship_carries_a_strength_or_trust_without_a_source():
    unsourced = [(e["type"], e["from"], e["to"]) for e in DOC["edges"]
                 if any(k in e for k in model.JUDGEMENT_PROPS) and not (e.get("source") and e.get("verified"))]
    assert unsourced == []


def test_every_reach_partnership_and_referral_has_a_source_and_the_date_it_was_recorded():
    missing = [(e["type"], e["from"], e["to"]) for e in SOURCED
               if not isinstance(e.get("source"), str) or not e["source"].strip()
               or model.parse_date(e.get("verified")) is None]
    assert missing == []
    # the date the source was recorded, not the day the seed was edited (2026-12-02)
    assert max(e["verified"] for e in SOURCED) <= "2026-11-01"


def test_every_seeded_relationship_passes_the_models_rules():
    labels = {n["id"]: n["label"] for n in DOC["nodes"]}
    problems = [str(p) for e in SOURCED for p in model.validate_edge(e, labels)]
    assert problems == []


def test_a_kept_strength_cites_a_passage_not_just_a_home_page():
    """A hand-set strength is a judgement on evidence: a case study or a section of a reference document."""
    judged = [e for e in DOC["edges"] if e["type"] == "REACHES" and ("strength" in e or "trust" in e)]
    assert judged, "the seed keeps some judgements where a passage supports them"
    assert all(any(mark in e["source"] for mark in ("Case study", "§")) for e in judged), \
        [(e["from"], e["to"], e["source"]) for e in judged]
