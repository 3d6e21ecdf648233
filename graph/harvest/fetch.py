"""Reading a source's responses: live over HTTP, politely, or replayed from a recording.

Every reader answers ``get(url) -> str`` (the response body) and ``get_json(url)``,
raising :class:`~graph.harvest.base.HarvestError` naming the URL when a response
cannot be used, or :class:`~graph.harvest.base.Offline` when nothing can be reached.

- :class:`Live` asks the real API: a User-Agent that says who is asking, a pause between
  calls, and retries with backoff on 429 and 5xx (honouring ``Retry-After``).
  Given ``save_to``, it keeps every response in a folder that :class:`Folder` replays.
- :class:`Cassette` replays a VCR cassette (YAML: ``interactions[i].request.uri`` and
  ``interactions[i].response.body.string``), as recorded by vcrpy.
- :class:`Folder` replays a folder of saved responses (one file per URL, see :func:`file_name`).
- :class:`Readers` tries several of these in turn, so one harvest can replay responses
  recorded apart (``--recorded A --recorded B``, or a folder of cassettes).

A replaying reader asked for a URL it does not hold raises :class:`NotRecorded`, so a
source that can do without one response (see :mod:`.govuk`) can tell that from bad input.

The standard library's urllib is used rather than requests: one GET with headers and
a timeout is all a harvest needs.

>>> c = Cassette.from_text("interactions:\\n- request: {uri: 'https://x.test/a?b=1&a=2'}\\n"
...                        "  response: {body: {string: '{\\"ok\\": true}'}, status: {code: 200}}\\n", "c.yaml")
>>> c.get_json("https://x.test/a?a=2&b=1")
{'ok': True}
"""
from __future__ import annotations

import datetime
import email.utils
import hashlib
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

import yaml

from .base import HarvestError, Offline

USER_AGENT = "Pathways-harvester/0.1 (registry of engagement routes for official statistics)"
MAX_BODY = 50 * 1024 * 1024


def canonical(url: str) -> str:
    """A URL in one form for matching: no repeated slashes in the path, query keys sorted.

    >>> canonical("https://www.gov.uk/api/content//government/collections/x?b=2&a=1&a=0")
    'https://www.gov.uk/api/content/government/collections/x?a=0&a=1&b=2'
    """
    parts = urllib.parse.urlsplit(url)
    path = re.sub(r"/{2,}", "/", parts.path)
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.lower(), path, query, ""))


def parse_json(body: str, url: str):
    """The JSON of a response, or a HarvestError saying what came instead.

    >>> parse_json("<html>", "https://x.test/")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: https://x.test/: body: is HTML, not JSON (a page instead of the API?)
    """
    try:
        return json.loads(body)
    except ValueError as exc:
        if body.lstrip()[:1] == "<":
            raise HarvestError(url, "body", "is HTML, not JSON (a page instead of the API?)") from None
        raise HarvestError(url, "body", f"is not valid JSON ({exc.msg} at character {exc.pos}; "
                                        "truncated?)") from None


class NotRecorded(HarvestError):
    """A replaying reader holds no response for the URL asked for."""


class Reader:
    """The interface: ``get`` a body, ``get_json`` its JSON; ``recorded`` is the date of a recording."""

    recorded: str | None = None

    def get(self, url: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def get_json(self, url: str):
        return parse_json(self.get(url), url)


class Live(Reader):
    """The live API, asked politely."""

    def __init__(self, pause: float = 0.5, retries: int = 4, timeout: float = 30.0,
                 save_to: Path | None = None, opener: Callable | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.pause, self.retries, self.timeout = pause, retries, timeout
        self.save_to = Path(save_to) if save_to else None
        self._open = opener or urllib.request.urlopen
        self._sleep = sleep
        self._last = 0.0

    def get(self, url: str) -> str:
        for attempt in range(self.retries + 1):
            wait = self.pause - (time.monotonic() - self._last)
            if wait > 0:
                self._sleep(wait)
            self._last = time.monotonic()
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
            try:
                with self._open(request, timeout=self.timeout) as response:
                    body = response.read(MAX_BODY + 1)
                if len(body) > MAX_BODY:
                    raise HarvestError(url, "body", f"is larger than {MAX_BODY // 1024 // 1024} MiB")
                text = body.decode("utf-8")
                if self.save_to:
                    self.save_to.mkdir(parents=True, exist_ok=True)
                    saved = {"url": url, "recorded": datetime.date.today().isoformat(), "body": text}
                    (self.save_to / file_name(url)).write_text(json.dumps(saved), "utf-8")
                return text
            except urllib.error.HTTPError as exc:
                if exc.code == 429 or exc.code >= 500:
                    if attempt < self.retries:
                        self._sleep(_retry_after(exc.headers.get("Retry-After"), 2.0 ** attempt))
                        continue
                raise HarvestError(url, "", f"answered HTTP {exc.code} {exc.reason}") from None
            except urllib.error.URLError as exc:
                reason = exc.reason
                # A name that does not resolve will not resolve a second later: offline, say so at once.
                if isinstance(reason, socket.gaierror) or (
                        isinstance(reason, (ConnectionRefusedError, OSError)) and attempt == self.retries):
                    host = urllib.parse.urlsplit(url).netloc
                    raise Offline(url, "", f"cannot reach {host} ({reason}): are you offline? "
                                           "Use --recorded PATH to read saved responses") from None
                if attempt < self.retries:
                    self._sleep(2.0 ** attempt)
                    continue
                raise HarvestError(url, "", f"could not be read: {reason}") from None
            except (TimeoutError, socket.timeout):
                if attempt < self.retries:
                    self._sleep(2.0 ** attempt)
                    continue
                raise HarvestError(url, "", f"did not answer within {self.timeout:g} seconds") from None
            except UnicodeDecodeError:
                raise HarvestError(url, "body", "is not UTF-8 text") from None
        raise HarvestError(url, "", "could not be read")  # pragma: no cover - the loop always returns or raises


def _retry_after(header: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at a minute.

    >>> _retry_after("3", 1.0), _retry_after(None, 2.0), _retry_after("soon", 4.0)
    (3.0, 2.0, 4.0)
    """
    if not header:
        return default
    try:
        return min(float(header), 60.0)
    except ValueError:
        when = email.utils.parsedate_to_datetime(header) if re.search(r"\d{4}", header) else None
        if when is None:
            return default
        return max(0.0, min(when.timestamp() - time.time(), 60.0))


def file_name(url: str) -> str:
    """The file a saved response for ``url`` is kept in (readable, and unique by a hash).

    >>> file_name("https://www.gov.uk/api/content/government/collections/x")
    'www.gov.uk-api-content-government-collections-x-5bbe0d86.json'
    """
    key = canonical(url)
    parts = urllib.parse.urlsplit(key)
    readable = re.sub(r"[^a-z0-9.]+", "-", (parts.netloc + parts.path).lower()).strip("-")[:120]
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:8]}.json"


def _header_dates(headers) -> list[str]:
    """The ISO dates of a recorded response's ``Date`` header (when it was recorded).

    >>> _header_dates({"Date": ["Wed, 20 Nov 2024 16:45:52 GMT"]})
    ['2024-11-20']
    """
    out = []
    for key, values in (headers or {}).items() if isinstance(headers, dict) else ():
        if str(key).lower() != "date":
            continue
        for value in values if isinstance(values, list) else [values]:
            try:
                out.append(email.utils.parsedate_to_datetime(str(value)).date().isoformat())
            except (TypeError, ValueError):
                continue
    return out


class Cassette(Reader):
    """Responses replayed from a VCR cassette."""

    def __init__(self, responses: dict[str, tuple[int, str]], name: str, recorded: str | None = None):
        self.responses, self.name, self.recorded = responses, name, recorded

    @classmethod
    def from_text(cls, text: str, name: str) -> "Cassette":
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise HarvestError(name, "", f"is not a readable cassette: {exc}") from None
        return cls.from_data(data, name)

    @classmethod
    def from_data(cls, data, name: str) -> "Cassette":
        """A cassette from its parsed YAML (see :func:`is_cassette`)."""
        if not is_cassette(data):
            raise HarvestError(name, "interactions", "is missing: not a VCR cassette")
        responses: dict[str, tuple[int, str]] = {}
        dates = []
        for i, item in enumerate(data["interactions"]):
            try:
                uri = item["request"]["uri"]
                body = item["response"]["body"]["string"]
                status = int((item["response"].get("status") or {}).get("code", 200))
            except (KeyError, TypeError, ValueError):
                raise HarvestError(name, f"interactions[{i}]", "needs request.uri and response.body.string") from None
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            responses[canonical(uri)] = (status, body)
            dates += _header_dates(item["response"].get("headers"))
        return cls(responses, name, max(dates) if dates else None)

    @classmethod
    def open(cls, path: Path) -> "Cassette":
        return cls.from_text(Path(path).read_text("utf-8"), str(path))

    def get(self, url: str) -> str:
        found = self.responses.get(canonical(url))
        if found is None:
            raise NotRecorded(url, "", f"is not in the recording {self.name}")
        status, body = found
        if status >= 400:
            raise HarvestError(url, "", f"answered HTTP {status} when it was recorded")
        return body


class Folder(Reader):
    """Responses replayed from a folder that :class:`Live` saved (``--save``); ``recorded`` is the latest save date."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = str(self.path)
        self.recorded = _saved_date(self.path)

    def get(self, url: str) -> str:
        file = self.path / file_name(url)
        if not file.is_file():
            raise NotRecorded(url, "", f"is not in the recording {self.path} (no {file.name})")
        try:
            saved = json.loads(file.read_text("utf-8"))
            return saved["body"]
        except (ValueError, KeyError, TypeError):
            raise HarvestError(str(file), "body", "is not a saved response") from None


def _saved_date(folder: Path) -> str | None:
    """The latest ``recorded`` date among the responses saved in a folder (None when none says one)."""
    dates = []
    for file in folder.glob("*.json"):
        try:
            value = json.loads(file.read_text("utf-8")).get("recorded")
        except (ValueError, AttributeError, OSError):
            continue
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            dates.append(value)
    return max(dates) if dates else None


class Readers(Reader):
    """Several recordings read as one: each URL from the first reader that holds it.

    ``recorded`` is the latest date of theirs (None when none says one). Readers given
    inside readers are flattened, so ``readers`` lists the recordings themselves.

    >>> a = Cassette({canonical("https://x.test/a"): (200, "1")}, "a.yaml", "2024-11-13")
    >>> b = Cassette({canonical("https://x.test/b"): (200, "2")}, "b.yaml", "2024-11-20")
    >>> both = Readers([a, Readers([b])])
    >>> both.get_json("https://x.test/a"), both.get_json("https://x.test/b"), both.recorded
    (1, 2, '2024-11-20')
    >>> both.get("https://x.test/c")
    Traceback (most recent call last):
    ...
    graph.harvest.fetch.NotRecorded: https://x.test/c: is not in the recording a.yaml, b.yaml
    """

    def __init__(self, readers):
        self.readers: list[Reader] = []
        for reader in readers:
            self.readers += reader.readers if isinstance(reader, Readers) else [reader]
        self.name = ", ".join(str(getattr(r, "name", r)) for r in self.readers) or "(no recording)"
        dates = [r.recorded for r in self.readers if r.recorded]
        self.recorded = max(dates) if dates else None

    def get(self, url: str) -> str:
        for reader in self.readers:
            try:
                return reader.get(url)
            except NotRecorded:
                continue
        raise NotRecorded(url, "", f"is not in the recording {self.name}")


def is_cassette(data) -> bool:
    """Whether parsed YAML has the shape of a VCR cassette: a mapping with a list of ``interactions``."""
    return isinstance(data, dict) and isinstance(data.get("interactions"), list)


# Takes a YAML file that is no cassette (its path and parsed content) and says whether it was of use.
Other = Callable[[Path, object], bool]


def recorded_reader(path: Path, other: Other | None = None) -> Reader:
    """The reader for ``--recorded PATH``: a cassette, a folder of cassettes, or a folder of saved responses.

    A folder with ``*.yaml`` (or ``*.yml``) files is read as cassettes, one reader over
    them all (and over its saved responses too, should it also hold some); a folder
    with none is a folder of saved responses, as :class:`Live` writes them. A YAML file
    that is no cassette is offered to ``other``, which says whether it takes it (a
    source's own input, read beside the recording); one nobody takes is an error.
    A path that holds only such files gives a reader with no recording in it.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(f for f in path.iterdir() if f.suffix.lower() in (".yaml", ".yml") and f.is_file())
        if not files:
            return Folder(path)
        readers = [r for r in (_yaml_reader(f, other) for f in files) if r is not None]
        saved = Folder(path)
        if saved.recorded:
            readers.append(saved)
        return readers[0] if len(readers) == 1 else Readers(readers)
    if path.is_file():
        return _yaml_reader(path, other) or Readers([])
    raise HarvestError(str(path), "", "no such file or folder")


def _yaml_reader(file: Path, other: Other | None) -> Cassette | None:
    """The cassette in a YAML file, or None when ``other`` took the file; an error when neither."""
    try:
        data = yaml.load(file.read_text("utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise HarvestError(str(file), "", f"is not a readable cassette: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HarvestError(str(file), "", f"could not be read: {exc}") from None
    if is_cassette(data) or other is None or not other(file, data):
        return Cassette.from_data(data, str(file))
    return None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
