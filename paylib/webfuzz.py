"""A fuzzer of a Django site's pages, for both services' test suites (hypothesis).

Every URL pattern of the site is found by walking its URLconf, so a new page is fuzzed
without editing a test. For one pattern, each example draws who asks (anonymous or one of
the test's users), GET or POST, the path's parameters (real ids of the test's objects, or
anything the converter's regex matches, percent-encoded) and values for every parameter
the page can take: the fields of the page's own forms and the query parameters of its
links (read from the page as that person sees it), plus every name the site's code reads
from ``request.GET`` / ``request.POST``. POSTs carry a valid CSRF token.

Asserted: no answer is a server error, and a refused request (4xx, or a POST answered by
re-rendering its page) changes no row of any table but the ones that record the refusal
itself (sessions, sign-in attempts).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: Tables a refused request may write: the record of the refusal, not a change of state.
REFUSAL_TABLES = ("django_session", "axes_accessattempt", "axes_accessfailurelog")
_ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_READS = re.compile(r"request\.(?:GET|POST)(?:\.get(?:list)?\(|\[)\s*[\"']([A-Za-z0-9_\-]+)[\"']")


# What the site has: its pages and the parameters its code reads.


@dataclass(frozen=True)
class Page:
    """One URL pattern: the strategies of its path's pieces, and a readable name."""

    name: str
    pieces: tuple[tuple[str, Any], ...]  # ("text", literal) | ("param", (name, regex))

    def __str__(self) -> str:
        return self.name


def _route_pieces(route: str, converters: dict[str, Any]) -> list[tuple[str, Any]]:
    pieces: list[tuple[str, Any]] = []
    position = 0
    for match in _ROUTE_PART.finditer(route):
        pieces.append(("text", route[position : match.start()]))
        converter = converters[match["name"]]
        pieces.append(("param", (match["name"], converter.regex)))
        position = match.end()
    pieces.append(("text", route[position:]))
    return pieces


def _pattern_pieces(pattern: Any) -> list[tuple[str, Any]]:
    if isinstance(pattern, LocalePrefixPattern):
        return [("locale", None)]
    if isinstance(pattern, RoutePattern):
        return _route_pieces(str(pattern._route), pattern.converters)
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.lstrip("^").rstrip("$").replace(r"\Z", "")
        return [("regex", regex)] if regex else []
    raise TypeError(f"Unknown URL pattern {pattern!r}")


def site_pages(*, skip: Sequence[str] = ()) -> list[Page]:
    """Every URL pattern of the site's URLconf (``skip``: patterns whose name starts so)."""
    found: list[Page] = []

    def walk(patterns: Sequence[Any], prefix: list[tuple[str, Any]], namespace: str) -> None:
        for entry in patterns:
            pieces = prefix + _pattern_pieces(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, pieces, inner)
            elif isinstance(entry, URLPattern):
                label = f"{namespace}{entry.name or _route_label(pieces)}"
                if not any(label.startswith(s) for s in skip):
                    found.append(Page(label, tuple(pieces)))

    walk(get_resolver().url_patterns, [], "")
    return found


def _route_label(pieces: Sequence[tuple[str, Any]]) -> str:
    """A readable route for a pattern without a name: ``admin/offers/offer/<object_id>/``."""
    shown = {"text": lambda v: v, "param": lambda v: f"<{v[0]}>", "regex": lambda v: v}
    return "".join(shown[kind](value) for kind, value in pieces if kind in shown)


def parameters_read_by_code(root: Path) -> list[str]:
    """Every name the site's own code reads from ``request.GET`` or ``request.POST``."""
    names: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or ".venv" in path.parts or "migrations" in path.parts:
            continue
        names.update(_READS.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


# What a page shows: its forms' fields and its links' parameters.


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen
    files: set[str] = field(default_factory=set)  # names of its file inputs


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(attr.get("method", "get").lower(), attr.get("action", ""))
            self.forms.append(self._form)
        elif tag == "a" and "href" in attr:
            self.links.append(attr["href"])
        elif self._form is not None and tag in {"input", "textarea", "select", "button"}:
            name = attr.get("name")
            if name and tag == "input" and attr.get("type", "").lower() == "file":
                self._form.files.add(name)
            elif name:
                self._form.fields.setdefault(name, []).append(attr.get("value", ""))
                self._select = name if tag == "select" else None
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(attr.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_parameters(html: str) -> tuple[list[Form], list[str]]:
    """The page's forms and its links."""
    parser = _PageParser()
    parser.feed(html)
    return parser.forms, parser.links


# What a fuzzer sends.

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "1.5",
    "1e400",
    "-1e400",
    "Infinity",
    "NaN",
    "9" * 400,
    "9223372036854775808",
    "-9223372036854775809",
    "1,5",
    "0x1F",
    "１２３",
    "null",
    "true",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "line\nbreak",
    "\u202eevil",
    "💸",
    "x" * 5000,
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2026-02-30",
    "40817810000000000001",
    "WyJwcmljZSxpZCIsMWU0MDAsMV0",  # a catalogue cursor: ["price,id",1e400,1]
]


#: JSON values that a decoder accepts but a column may not hold.
_NASTY_JSON = [
    "1e400",
    "-1e400",
    "Infinity",
    "NaN",
    "9" * 400,
    "-1",
    "1.5",
    "true",
    "null",
    '"x"',
    '"\\u0000"',
    "{}",
    "[]",
    '{"dt":"2026-01-01T00:00:00"}',
]


def _png(width: int, height: int) -> bytes:
    """A PNG of one grey pixel whose header claims ``width`` x ``height`` (the pixel data is
    short for anything larger than 1 x 1: a decompression bomb's header, a damaged file)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


#: What a file input is sent: a name and the bytes, by a short key (a Request holds keys).
FILES: dict[str, tuple[str, bytes]] = {
    "empty": ("empty.jpg", b""),
    "text": ("notes.jpg", b"plain text, not a picture"),
    "gif": ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    "png": ("photo.png", _png(1, 1)),
    "bomb": ("bomb.png", _png(100_000, 100_000)),
    "damaged": ("broken.png", _png(64, 64)),
    "traversal": ("../../../etc/passwd.png", _png(1, 1)),
    "long-name": ("x" * 400 + ".png", _png(1, 1)),
    "odd-name": ("\u202egnp.exe", _png(1, 1)),
    "large": ("large.png", _png(1, 1) + b"\x00" * (6 * 1024 * 1024)),
}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_mutations(value: str) -> list[str]:
    """For an opaque token that is base64 of a JSON list (a page cursor, say): the same
    token with each element in turn replaced by a value its decoder may not expect."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return []
    if not isinstance(decoded, list) or not decoded:
        return []
    items = [json.dumps(item, separators=(",", ":")) for item in decoded]
    mutated = []
    for index in range(len(items)):
        for nasty in _NASTY_JSON:
            variant = [*items[:index], nasty, *items[index + 1 :]]
            mutated.append(_b64(("[" + ",".join(variant) + "]").encode()))
    return mutated


def values_for(seen: Sequence[str]) -> st.SearchStrategy[str]:
    """A value for a parameter: one the page itself offered (or a mutation of an opaque
    token it offered), a nasty one, or any text."""
    offered = [v for v in seen if v is not None]
    mutations = [m for v in dict.fromkeys(offered) for m in token_mutations(v)]
    choices = [st.sampled_from(NASTY), st.text(max_size=40)]
    if mutations:
        choices.insert(0, st.sampled_from(mutations))
    if offered:
        choices.insert(0, st.sampled_from(offered))
    return st.one_of(*choices)


def path_strategy(page: Page, known: dict[str, Sequence[str]]) -> st.SearchStrategy[str]:
    """A path for ``page``: literal parts as they are, parameters real or random."""
    parts: list[st.SearchStrategy[str]] = []
    for kind, value in page.pieces:
        if kind == "text":
            parts.append(st.just(value))
        elif kind == "locale":
            parts.append(st.sampled_from(["", "ru/"]))
        elif kind == "regex":
            parts.append(st.from_regex(value, fullmatch=True).map(lambda s: quote(s, safe="/")))
        else:
            name, regex = value
            random = st.from_regex(regex, fullmatch=True).filter(bool)
            real = [str(v) for v in known.get(name, [])]
            choice = st.one_of(st.sampled_from(real), random) if real else random
            parts.append(choice.map(lambda s: quote(s, safe="")))
    return st.tuples(*parts).map(lambda pieces: "/" + "".join(pieces))


def canonical_path(page: Page, known: dict[str, Sequence[str]]) -> str | None:
    """The page with its first real parameters, whose forms and links stand for the page's
    (None if a parameter has no real value: such a path shows only an error)."""
    parts: list[str] = []
    for kind, value in page.pieces:
        if kind == "text":
            parts.append(value)
        elif kind == "param" and known.get(value[0]):
            parts.append(quote(str(known[value[0]][0]), safe=""))
        elif kind != "locale":
            return None
    return "/" + "".join(parts)


# Running one example and judging the answer.


def table_fingerprint(*, ignore: Sequence[str] = REFUSAL_TABLES) -> dict[str, str]:
    """A hash of every row of every table (but ``ignore``), in one query."""
    tables = [t for t in connection.introspection.table_names() if t not in ignore]
    quote_name = connection.ops.quote_name
    parts = [
        # Table names from the database's own catalogue, quoted: nothing from a request.
        f"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "  # noqa: S608
        f"FROM {quote_name(t)} x"
        for t in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def _write_counters() -> tuple[tuple[str, int], ...]:
    """Rows this transaction has inserted, updated or deleted so far, per table: cheap, and
    unchanged only if nothing was written (a rolled-back savepoint still counts, so a change
    is confirmed with ``table_fingerprint``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
        )
        return tuple(cursor.fetchall())


class WriteWatch:
    """Which tables a request changed; the full fingerprint only when counters moved."""

    def __init__(self, ignore: Sequence[str]) -> None:
        self.ignore = ignore
        self._counters: tuple[tuple[str, int], ...] | None = None
        self._fingerprint: dict[str, str] = {}

    def before(self) -> None:
        counters = _write_counters()
        if self._counters is None or self._moved(counters) - set(self.ignore):
            self._fingerprint = table_fingerprint(ignore=self.ignore)
        self._counters = counters

    def _moved(self, counters: tuple[tuple[str, int], ...]) -> set[str]:
        """The tables written since the counters were last read."""
        return {t for t, n in counters} - {t for t, n in (self._counters or ())} | {
            t for t, n in counters if (t, n) not in set(self._counters or ())
        }

    def changed(self) -> list[str]:
        counters = _write_counters()
        if not self._moved(counters) - set(self.ignore):
            return []
        after = table_fingerprint(ignore=self.ignore)
        return sorted(t for t in self._fingerprint if self._fingerprint[t] != after.get(t))


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(v for k, v in self.counts.items() if not k.startswith("status "))


@dataclass(frozen=True)
class Request:
    who: str
    method: str
    path: str
    data: list[tuple[str, str]]
    #: (a file input's name, a key of ``FILES``), sent as uploads with a POST.
    files: tuple[tuple[str, str], ...] = ()


class SiteMap:
    """What each person is shown: every form and link on every page (at its canonical
    path), filed under the view it sends to, so that a form on one page (Buy on an offer's
    page, the language switch in every footer) is fuzzed at the view that takes it."""

    def __init__(
        self, pages: Sequence[Page], clients: dict[str, Client], known: dict[str, Sequence[str]]
    ) -> None:
        self.known = known
        self.fields: dict[tuple[str, str, str], dict[str, list[str]]] = {}
        self.files: dict[tuple[str, str, str], set[str]] = {}
        for person, client in clients.items():
            for page in pages:
                path = canonical_path(page, known)
                if path is None or (path.startswith("/admin/") and person == "anonymous"):
                    continue
                response = client.get(path)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    self._file(person, path, response.content.decode(errors="replace"))

    @staticmethod
    def view_of(path: str) -> str | None:
        try:
            return resolve(urlsplit(path).path or "/").view_name
        except Resolver404:
            return None

    def _add(self, key: tuple[str, str, str], name: str, values: Sequence[str]) -> None:
        if name != "csrfmiddlewaretoken":
            self.fields.setdefault(key, {}).setdefault(name, []).extend(values)

    def _file(self, person: str, path: str, html: str) -> None:
        forms, links = page_parameters(html)
        for form in forms:
            view = self.view_of(form.action or path)
            if view is not None:
                for name, values in form.fields.items():
                    self._add((person, view, form.method), name, values)
                if form.files:
                    self.files.setdefault((person, view, form.method), set()).update(form.files)
        for link in links:
            view = self.view_of(urljoin(path, link))
            for name, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
                if view is not None:
                    self._add((person, view, "get"), name, [value])

    def offered(self, person: str, page: Page, method: str) -> dict[str, list[str]]:
        path = canonical_path(page, self.known)
        view = self.view_of(path) if path else None
        return self.fields.get((person, view, method), {}) if view else {}

    def file_inputs(self, person: str, page: Page) -> list[str]:
        """The names of the file inputs of the forms that POST to ``page``."""
        path = canonical_path(page, self.known)
        view = self.view_of(path) if path else None
        return sorted(self.files.get((person, view, "post"), set())) if view else []


def _baseline(offered: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The form as a person would send it: every field with the first value it offers."""
    return [(name, next((v for v in values if v), "1")) for name, values in sorted(offered.items())]


#: The values every parameter of every page is tried with, one parameter at a time.
SWEEP = ["x" * 5000, "9" * 400, "1e400", "NaN", "-1", "a\x00b", "line\nbreak"]


def path_sweep(page: Page, known: dict[str, Sequence[str]]) -> list[str]:
    """The page's path with each parameter in turn set to each value of ``SWEEP``."""
    paths: list[str] = []
    params = [i for i, (kind, _) in enumerate(page.pieces) if kind == "param"]
    for target in params:
        for bad in SWEEP:
            parts: list[str] = []
            for i, (kind, value) in enumerate(page.pieces):
                if kind == "text":
                    parts.append(value)
                elif kind == "param":
                    real = known.get(value[0]) or ["1"]
                    parts.append(quote(bad if i == target else str(real[0]), safe=""))
                elif kind == "regex":
                    parts.append("")
            paths.append("/" + "".join(parts))
    return paths


def sweep_requests(page: Page, *, who: Sequence[str], site: SiteMap) -> list[Request]:
    """One request per parameter the page takes from a person and per value of ``SWEEP``
    (or per mutation of an opaque token), the other fields as a person would fill them."""
    canonical = canonical_path(page, site.known)
    if canonical is None:
        return []
    requests = [
        Request(person, "get", path, []) for person in who for path in path_sweep(page, site.known)
    ]
    for person in who:
        for method in ("get", "post"):
            offered = site.offered(person, page, method)
            baseline = _baseline(offered)
            for name, values in sorted(offered.items()):
                tokens = [m for v in dict.fromkeys(values) for m in token_mutations(v)]
                for bad in tokens or SWEEP:
                    data = [(n, bad if n == name else v) for n, v in baseline]
                    requests.append(Request(person, method, canonical, data))
        baseline = _baseline(site.offered(person, page, "post"))
        for name in site.file_inputs(person, page):
            cases = [((name, key),) for key in FILES] + [tuple((name, k) for k in FILES)]
            requests += [Request(person, "post", canonical, baseline, c) for c in cases]
    return requests


def request_strategy(
    page: Page, *, who: Sequence[str], site: SiteMap, code_reads: Sequence[str]
) -> st.SearchStrategy[Request]:
    """One request to ``page``: the form as the site shows it to that person, with one or
    two parameters (of the page's, or any the code reads) set to something else."""

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Request:
        person = draw(st.sampled_from(list(who)))
        method = draw(st.sampled_from(["get", "post"]))
        path = draw(path_strategy(page, site.known))
        offered = site.offered(person, page, method)
        names = sorted(offered) + [n for n in code_reads if n not in offered]
        data = dict(_baseline(offered)) if draw(st.booleans()) else {}
        for name in draw(st.lists(st.sampled_from(names), max_size=2)) if names else []:
            data[name] = draw(values_for(offered.get(name, [])))
        files: list[tuple[str, str]] = []
        if method == "post":
            for name in site.file_inputs(person, page):
                keys = draw(st.lists(st.sampled_from(sorted(FILES)), max_size=3))
                files += [(name, key) for key in keys]
        return Request(person, method, path, sorted(data.items()), tuple(files))

    return build()


def shows_form_errors(response: Any) -> bool:
    """Whether the page rendered a bound form (or formset) with errors: a refusal."""
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            value = getattr(value, "form", value)  # the admin's AdminForm wraps its form
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                return True
            if isinstance(value, BaseFormSet) and value.is_bound and value.total_error_count():
                return True
    return False


def fuzz_once(
    request: Request,
    clients: dict[str, Client],
    *,
    csrf_cookie: str,
    outcome: Outcome,
    watch: WriteWatch,
) -> None:
    """Send ``request``; fail on a server error or on a refused request that wrote."""
    client = clients[request.who]
    data: dict[str, Any] = {}
    for name, value in request.data:
        data.setdefault(name, []).append(value)
    watch.before()
    if request.method == "post":
        token = client.cookies.get(csrf_cookie)
        if token is None:
            client.get("/")
            token = client.cookies.get(csrf_cookie)
        data["csrfmiddlewaretoken"] = token.value if token is not None else ""
        for name, key in request.files:
            filename, content = FILES[key]
            data.setdefault(name, []).append(SimpleUploadedFile(filename, content))
        response = client.post(request.path, data)
    else:
        response = client.get(request.path, data)
    outcome.add(f"{request.method} {request.who}")
    if request.files:
        outcome.add("with files")
    outcome.add(f"status {response.status_code}")
    assert response.status_code < 500, (
        f"{response.status_code} for {request}: {response.content[:500]!r}"
    )
    refused = response.status_code >= 400 or (
        request.method == "post" and response.status_code == 200 and shows_form_errors(response)
    )
    if refused:
        changed = watch.changed()
        assert not changed, f"{request} was refused ({response.status_code}) but wrote {changed}"


def sign_in(client: Client, user: Any) -> None:
    """Sign ``user`` in on ``client`` unless he still is (a request may have signed him out
    or changed his password): signing in writes the session and his last sign-in, and a
    write makes the next request's ``WriteWatch`` hash every table again."""
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY

    user.refresh_from_db()
    session = client.session
    if (
        session.get(SESSION_KEY) != str(user.pk)
        or session.get(HASH_SESSION_KEY) != user.get_session_auth_hash()
    ):
        client.force_login(user)


def run_examples(
    strategy: st.SearchStrategy[Request], send: Callable[[Request], None], *, examples: int
) -> None:
    """``examples`` of ``strategy`` through ``send``, the same ones on every run."""

    @settings(
        max_examples=max(examples, 1),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=strategy)
    def run(request: Request) -> None:
        send(request)

    run()


def csrf_cookie_name() -> str:
    return str(django_settings.CSRF_COOKIE_NAME)
