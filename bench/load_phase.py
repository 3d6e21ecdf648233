"""Import a generated document into a store in its own process: records/s and peak memory."""
from __future__ import annotations

import argparse
import json
import time

from .common import emit, peak_rss_mib


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--base", default="{}")
    args = parser.parse_args(argv)
    base = json.loads(args.base)
    from graph import transfer
    from graph.stores import open_store
    options = {}
    if not args.store.startswith("sqlite"):
        import os
        options = {"user": os.environ.get("NEO4J_USER", "neo4j"), "password": os.environ.get("NEO4J_PASSWORD"),
                   "database": os.environ.get("NEO4J_DATABASE")}
    store = open_store(args.store, **options)
    store.wipe()
    started = time.perf_counter()
    doc = transfer.read_document(args.doc)
    parsed = time.perf_counter()
    result = transfer.import_document(store, doc, actor="bench")
    done = time.perf_counter()
    seconds = done - parsed
    emit({**base, "measure": "import", "records": len(doc), "created": result.created,
          "edges_written": result.edges_written, "parse_seconds": round(parsed - started, 2),
          "seconds": round(seconds, 2), "records_per_s": round(len(doc) / seconds),
          "peak_rss_mib": peak_rss_mib()})
    store.close()


if __name__ == "__main__":
    main()
