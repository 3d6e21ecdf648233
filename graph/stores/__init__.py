"""Stores: one :class:`GraphStore` interface, an embedded SQLite default and Neo4j."""
from __future__ import annotations

from .base import Change, GraphStore, WriteResult, graph_from_records, strip_meta, validate_change

__all__ = ["Change", "GraphStore", "WriteResult", "graph_from_records", "open_store", "strip_meta",
           "validate_change"]


def open_store(url: str, **options) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path`` or ``neo4j://`` / ``bolt://`` (``neo4j+s://`` …).

    >>> open_store("mysql://x")
    Traceback (most recent call last):
    ...
    ValueError: unsupported store URL 'mysql://x': use sqlite:///path or neo4j://host:port
    """
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore
        return SQLiteStore(url)
    if url.split("://", 1)[0] in ("neo4j", "bolt", "neo4j+s", "neo4j+ssc", "bolt+s", "bolt+ssc"):
        from .neo4j import Neo4jStore
        return Neo4jStore(url, **options)
    raise ValueError(f"unsupported store URL {url!r}: use sqlite:///path or neo4j://host:port")
