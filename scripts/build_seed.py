"""Rebuild seed/registry.json: the seed as it is, harvested again from the recorded sources, then curated.

    .venv/bin/python scripts/build_seed.py [--data ../shared/data]

1. Load ``seed/registry.json`` into a scratch embedded store.
2. Harvest into it, as a coordinator would with ``pathways harvest … --recorded``: GOV.UK
   (the Ministry of Justice recordings: search and collections, the MoJ statistics catalogue,
   the data catalogue's mailbox mapping), the ONS taxonomy and bulletins, NISRA's calendar.
   Editors' changes already in the seed are kept (the harvest reports them).
3. Apply ``seed/curation.yaml``: aliases people use, nations for hand-made records, enquiry
   routes the harvest found none for (with their source), and missing PART_OF links.
   A curation entry naming a statistic the registry does not hold stops the build.
4. Write the registry back to ``seed/registry.json``, one record a line.

Running it twice gives the same file. The recordings are not part of the repository (a
user's clone has no ``../shared``); the seed it writes is.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import transfer  # noqa: E402
from graph.harvest import govuk, nisra, ons  # noqa: E402
from graph.harvest.run import run  # noqa: E402
from graph.stores import Change, open_store  # noqa: E402

SEED = ROOT / "seed" / "registry.json"
CURATION = ROOT / "seed" / "curation.yaml"


def harvests(data: Path):
    yield govuk.from_recorded([data / "govuk" / name for name in (
        "moj-govuk-search-content.yaml", "justice-data-publications.yaml", "moj-publication-collection-mappings.yaml")])
    yield ons.from_recorded(data / "ons")
    yield nisra.from_recorded(data / "nisra")


def curate(store, curation: dict) -> Change:
    """The change that adds the curated aliases and nations; exits naming any entry it cannot place."""
    graph = store.graph()
    by_url = {d["url"].rstrip("/"): n for n, d in graph.nodes(data=True) if d.get("url")}
    records: dict[str, dict] = {}
    missing = []

    def record(node_id: str) -> dict:
        if node_id not in records:
            records[node_id] = {k: v for k, v in graph.nodes[node_id].items() if k != "version"}
        return records[node_id]

    for entry in curation.get("aliases") or []:
        node_id = entry.get("id") or by_url.get(str(entry.get("url", "")).rstrip("/"))
        if node_id not in graph:
            missing.append(entry.get("id") or entry.get("url"))
            continue
        rec = record(node_id)
        have = list(rec.get("aliases") or [])
        rec["aliases"] = have + [a for a in entry["aliases"] if a.lower() not in {h.lower() for h in have}]
    for entry in curation.get("contacts") or []:
        if entry["id"] not in graph:
            missing.append(entry["id"])
            continue
        rec = record(entry["id"])
        if not rec.get("contact"):
            rec["contact"] = entry["contact"]
            rec["source"] = "; ".join(x for x in (rec.get("source"), "enquiry route: " + entry["source"]) if x)
    edges = [dict(e) for e in curation.get("relationships") or []]
    missing += [end for e in edges for end in (e["from"], e["to"]) if end not in graph]
    for node_id, nations in (curation.get("nations") or {}).items():
        if node_id not in graph:
            missing.append(node_id)
            continue
        rec = record(node_id)
        rec.setdefault("nations", nations)
    if missing:
        sys.exit("build-seed: curation.yaml names records the registry does not hold: " + ", ".join(missing))
    return Change(put_nodes=list(records.values()), put_edges=edges, actor="curation",
                  action="curation (seed/curation.yaml)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                        help="the recorded sources (default: ../shared/data)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(f"sqlite:///{Path(scratch) / 'seed.db'}")
        transfer.import_document(store, transfer.read_document(SEED), actor="seed")
        for harvest in harvests(args.data):
            plan, _ = run(store, harvest)
            counts = ", ".join(f"{label} +{c['created']} ~{c['updated']}" for label, c in plan.counts().items())
            print(f"{harvest.source}: {counts}; {len(plan.conflicts)} editors' values kept; "
                  f"{len(plan.withdrawn)} no longer listed", file=sys.stderr)
        store.apply(curate(store, yaml.safe_load(CURATION.read_text("utf-8"))))
        with open(SEED, "w", encoding="utf-8") as out:
            nodes, edges = transfer.export_json(store, out)
        store.close()
    print(f"seed/registry.json: {nodes} records, {edges} relationships", file=sys.stderr)


if __name__ == "__main__":
    main()
