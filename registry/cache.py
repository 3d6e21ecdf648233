"""Values computed once per registry revision and shared by every request until the next write.

For whole-registry answers (the burden index, its API body) that are expensive to compute and
the same for everyone; per-record answers stay local instead.
"""
from __future__ import annotations

import datetime as _dt
import threading
from typing import Callable, Hashable, TypeVar

from flask import current_app

from .store import get_store

T = TypeVar("T")
_lock = threading.Lock()


def per_revision(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered for the store's current revision and ``key`` (one entry per name)."""
    revision = get_store().revision()
    slot = current_app.extensions.setdefault("pathways.per_revision", {})
    entry = slot.get(name)
    if entry is not None and entry[0] == (revision, key):
        return entry[1]
    value = compute()
    with _lock:
        slot[name] = ((revision, key), value)
    return value


def burden_index(as_of):
    """The burden index of every public and intermediary as of a date, once per revision
    (the dashboard, the API and the gaps page share it)."""
    from graph import burden

    from .store import get_settings
    return per_revision("burden_index", as_of,
                        lambda: burden.burden_index(get_store().graph(), as_of, get_settings()))


def warm(app) -> threading.Thread | None:
    """Rebuild, in one background thread, what whole-registry answers need after a write: the
    store's whole-graph cache (signposting and discovery then need no reads) and today's burden
    index and its API body. One warm-up at a time; answers stay exact meanwhile."""
    lock = app.extensions.setdefault("pathways.warming", threading.Lock())
    store = app.extensions.get("pathways.store")
    if store is None or not lock.acquire(blocking=False):
        return None

    def run() -> None:
        try:
            with app.app_context():
                store.graph()
                from .api.burden import index_body
                index_body(_dt.date.today())
        except Exception:  # noqa: BLE001 - a store that is down is reported by the next request
            pass
        finally:
            lock.release()
    thread = threading.Thread(target=run, name="pathways-warm", daemon=True)
    thread.start()
    return thread
