"""Where a user-supplied redirect target (``next``) may send someone: a path on this site, or nowhere.

Browsers are generous with what they read as a URL: they drop tabs and newlines, take a
backslash for a slash, collapse ``/./`` and ``/../``, and something on the way may decode
``%2F`` once more. So the target is judged after all that, and anything that could then
name another site (a scheme, ``//host``) or that carries a control character or a
backslash is refused in favour of the default. What comes back is printable ASCII.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

MAX_LENGTH = 2048
DECODE_ROUNDS = 4  # still changing after this many rounds of percent-decoding: refused
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")  # C0 and C1 controls, DEL, backslash
_KEEP = "/%!$&'()*+,;=:@-._~"  # characters left as they are; anything else is percent-encoded


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` as a path on this site, or ``default`` if it could lead anywhere else.

    >>> local_path("/records/ons/edit?tab=2#top")
    '/records/ons/edit?tab=2#top'
    >>> local_path("/records/a/./b/../c d")
    '/records/a/c%20d'
    >>> [local_path(t) for t in ("//evil.example", "https://evil.example", "/%09/evil.example",
    ...                           "/\\\\evil.example", "/%5Cevil.example", "/%2F%2Fevil.example",
    ...                           "/.//evil.example", "javascript:alert(1)", "/a\\r\\nSet-Cookie: x", None)]
    ['/', '/', '/', '/', '/', '/', '/', '/', '/', '/']
    >>> local_path("evil.example", default="/account")
    '/account'
    """
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    decoded = target
    for _ in range(DECODE_ROUNDS):
        decoded, before = unquote(decoded), decoded
        if decoded == before:
            break
    else:
        return default
    if _UNSAFE.search(decoded):
        return default
    for candidate in (target, decoded):
        path = _without_dot_segments(re.split(r"[?#]", candidate, maxsplit=1)[0])
        if not path.startswith("/") or path.startswith("//"):
            return default  # not a path, or a scheme-relative URL naming another host
    parts = urlsplit(target)
    out = quote(_without_dot_segments(parts.path), safe=_KEEP)
    if parts.query:
        out += "?" + quote(parts.query, safe=_KEEP + "?")
    if parts.fragment:
        out += "#" + quote(parts.fragment, safe=_KEEP + "?")
    return out


def _without_dot_segments(path: str) -> str:
    """RFC 3986's remove_dot_segments, keeping empty segments (so ``/.//x`` becomes ``//x``).

    >>> _without_dot_segments("/a/./b/../../../c/."), _without_dot_segments("/..//x")
    ('/c/', '//x')
    """
    kept: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
            continue
        kept.append(segment)
    if segments[-1] in (".", "..") and len(segments) > 1:
        kept.append("")
    return "/".join(kept)
