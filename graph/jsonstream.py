"""JSON written in pieces: the text ``json.dumps`` would give, without holding it (or the whole
structure behind it) at once.

The whole-registry answers (every gap finding, every public's burden) are tens of megabytes
as one string at 100,000 records. :func:`json_chunks` takes a dict whose values may be
iterators, dumps each iterator's items one at a time with the C encoder, and gives the text
a batch of items at a time; joined, it is exactly ``json.dumps`` of the same dict with each
iterator as a list.

>>> top = {"b": iter([{"y": 1, "x": "é"}, {"x": 2}]), "a": {"n": 1}, "c": iter([])}
>>> for opts in ({}, {"sort_keys": True, "separators": (",", ":")}, {"indent": 1, "ensure_ascii": False}):
...     plain = {**top, "b": [{"y": 1, "x": "é"}, {"x": 2}], "c": []}
...     streamed = {**top, "b": iter(plain["b"]), "c": iter([])}
...     assert "".join(json_chunks(streamed, **opts)) == json.dumps(plain, **opts), opts
>>> "".join(json_chunks({"b": iter([1, 2, 3])}, batch=2, separators=(",", ":")))
'{"b":[1,2,3]}'
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator


def json_chunks(top: dict, *, sort_keys: bool = False, ensure_ascii: bool = True, indent: int | None = None,
                separators: tuple[str, str] | None = None, batch: int = 1000) -> Iterator[str]:
    """``json.dumps(top, ...)`` in pieces, each iterator value's items dumped ``batch`` at a time."""
    item_sep, key_sep = separators or ((",", ": ") if indent is not None else (", ", ": "))
    # one encoder for every item: json.dumps with options makes a new one each call
    encode = json.JSONEncoder(sort_keys=sort_keys, ensure_ascii=ensure_ascii, indent=indent,
                              separators=(item_sep, key_sep)).encode

    def at(depth: int, value) -> str:
        text = encode(value)
        return text.replace("\n", "\n" + " " * (indent * depth)) if indent else text

    def newline(depth: int) -> str:
        return "\n" + " " * (indent * depth) if indent else ""

    keys = sorted(top) if sort_keys else list(top)
    if not keys:
        yield "{}"
        return
    yield "{"
    for i, key in enumerate(keys):
        value = top[key]
        head = (item_sep if i else "") + newline(1) + encode(key) + key_sep
        if not isinstance(value, Iterator):
            yield head + at(1, value)
            continue
        first = next(value, _END)
        if first is _END:
            yield head + "[]"
            continue
        opened, between = head + "[" + newline(2), item_sep + newline(2)
        for n, piece in enumerate(_batches(itertools.chain([first], value), batch)):
            # a batch encoded as one list, its brackets taken off and its items moved in a level
            inner = encode(piece)[1 + len(newline(1)):-1 - len(newline(0))]
            yield (opened if n == 0 else between) + (inner.replace("\n", newline(1)) if indent else inner)
        yield newline(1) + "]"
    yield newline(0) + "}"


_END = object()


def _batches(items, size: int):
    it = iter(items)
    while piece := list(itertools.islice(it, size)):
        yield piece
