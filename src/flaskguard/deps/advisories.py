"""Advisory data (OSV records) and version matching for the dependency audit.

Three sources share one parser:

* the bundled data (``deps/data``): a PyPA advisory database subset in OSV/YAML plus
  hand-written OSV records for advisories the snapshot lacks (see ``data/README.md``);
* an OSV export given by path: a folder of ``.json``/``.yaml`` records (searched
  recursively) or a ``.zip`` such as OSV's PyPI ``all.zip``;
* the OSV API (``online_advisories``), with the HTTP call injected so tests stay offline.

Only ``PyPI`` entries and ``ECOSYSTEM`` ranges are used (``GIT`` ranges name commits, not
releases). Matching follows the OSV specification's evaluation algorithm with PEP 440
versions from ``packaging``. Withdrawn records are skipped, as the OSV API does.

When one source holds the same vulnerability under several ids (a full export has both
``PYSEC-…`` and ``GHSA-…`` records, each listing the other as an alias), the records of a
package are merged into one advisory so that a vulnerability yields one finding: the
``PYSEC`` record is kept (its id is the one the bundled data uses, so fingerprints stay
stable across sources), the other ids become aliases, and a missing severity is taken
from the duplicate.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from flaskguard.deps.cvss import cvss3_severity

__all__ = [
    "OSV_QUERY_URL",
    "Advisory",
    "OnlineQueryError",
    "bundled_snapshot_date",
    "is_affected",
    "load_advisories",
    "lowest_fixed_above",
    "online_advisories",
    "parse_record",
    "specifier_exposure",
    "urllib_fetch",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
OSV_QUERY_URL = "https://api.osv.dev/v1/query"

_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
# At equal versions, "introduced" is applied before "fixed" so that a fixed event wins.
_EVENT_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}
_SEVERITY_WORDS = {
    "CRITICAL": "critical",
    "HIGH": "high",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "LOW": "low",
}
_RECORD_SUFFIXES = (".json", ".yaml", ".yml")
_MAX_PAGES = 20


@dataclass(frozen=True)
class Advisory:
    """One advisory as it applies to one PyPI package."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    package: str  # canonicalized name (PEP 503)
    # One entry per ECOSYSTEM range: its events as (kind, version) in record order.
    ranges: tuple[tuple[tuple[str, str], ...], ...]
    versions: tuple[str, ...]  # the record's explicit list of affected versions
    fixed_versions: tuple[str, ...]  # every "fixed" event, sorted by Version
    severity: Optional[str]  # "critical" | "high" | "medium" | "low" | None (unknown)
    severity_source: str  # "database_specific" | "cvss_v3" | "cvss_v4" | "unknown"
    references: tuple[str, ...]


class _Malformed(Exception):
    """A record that does not follow the OSV schema closely enough to use."""


class OnlineQueryError(ValueError):
    """The OSV API answered with something that is not a query result."""


# --------------------------------------------------------------------------- versions


@functools.lru_cache(maxsize=8192)
def _version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _is_zero(text: str) -> bool:
    """OSV's ``introduced: "0"`` means "from the first release on"."""
    return text.strip() == "0"


def _sort_key(version: str) -> tuple[int, Version]:
    parsed = _version(version)
    # Unparsable versions sort first; callers drop them before relying on the order.
    return (0, Version("0")) if parsed is None else (1, parsed)


# --------------------------------------------------------------------------- parsing


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _summary(record: Mapping[str, Any]) -> str:
    summary = _text(record.get("summary"))
    if summary:
        return summary
    details = _text(record.get("details"))
    first = details.split("\n\n", 1)[0].replace("\n", " ").strip()
    # PyPA records often open with the project's own description ("Werkzeug is a
    # comprehensive WSGI web application library."); the first sentence after it says what
    # the advisory is about.
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", first) if s]
    about = [s for s in sentences if not re.match(r"^[\w.-]+ (is|are) (a|an|the) ", s)]
    text = (about or sentences or [first])[0] if sentences or first else ""
    if len(text) <= 200:
        return text
    return text[:197].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _events(range_: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = range_.get("events")
    if not isinstance(raw, list) or not raw:
        raise _Malformed("range without events")
    events: list[tuple[str, str]] = []
    for event in raw:
        if not isinstance(event, dict) or len(event) != 1:
            raise _Malformed("event is not a single-key mapping")
        ((kind, value),) = event.items()
        if kind not in _EVENT_KINDS or not isinstance(value, (str, int, float)):
            raise _Malformed(f"unknown event {kind!r}")
        events.append((str(kind), str(value).strip()))
    return tuple(events)


def _severity(
    record: Mapping[str, Any], affected: Sequence[Mapping[str, Any]]
) -> tuple[Optional[str], str]:
    for holder in (record, *affected):
        specific = holder.get("database_specific")
        if isinstance(specific, dict):
            word = _SEVERITY_WORDS.get(_text(specific.get("severity")).upper())
            if word is not None:
                return word, "database_specific"
    scores: list[tuple[str, str]] = []
    for holder in (record, *affected):
        entries = holder.get("severity")
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict):
                    scores.append((_text(entry.get("type")), _text(entry.get("score"))))
    for kind, score in scores:
        if kind == "CVSS_V3":
            rating = cvss3_severity(score)
            if rating is not None:
                return rating, "cvss_v3"
    if any(kind == "CVSS_V4" for kind, _ in scores):
        # The v4 score is table-driven (macro vectors); it is not computed here.
        return None, "cvss_v4"
    return None, "unknown"


def parse_record(record: object) -> list[Advisory]:
    """The PyPI advisories of one OSV record (one per package); ``ValueError`` if malformed.

    Withdrawn records and records without a PyPI entry give an empty list.
    """
    try:
        return _parse_record(record)
    except (_Malformed, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed OSV record: {exc}") from exc


def _parse_record(record: object) -> list[Advisory]:
    if not isinstance(record, dict):
        raise _Malformed("not a mapping")
    ident = _text(record.get("id"))
    if not ident:
        raise _Malformed("no id")
    affected = record.get("affected")
    if not isinstance(affected, list):
        raise _Malformed("no affected list")
    if record.get("withdrawn"):
        return []
    aliases_raw = record.get("aliases") or []
    if not isinstance(aliases_raw, list):
        raise _Malformed("aliases is not a list")
    aliases = tuple(_text(alias) for alias in aliases_raw if _text(alias) and alias != ident)
    references_raw = record.get("references") or []
    references = tuple(
        _text(ref.get("url"))
        for ref in (references_raw if isinstance(references_raw, list) else [])
        if isinstance(ref, dict) and _text(ref.get("url"))
    )

    by_package: dict[str, list[Mapping[str, Any]]] = {}
    for entry in affected:
        if not isinstance(entry, dict):
            raise _Malformed("affected entry is not a mapping")
        package = entry.get("package")
        if not isinstance(package, dict):
            raise _Malformed("affected entry without package")
        if _text(package.get("ecosystem")) != "PyPI":
            continue
        name = _text(package.get("name"))
        if not name:
            raise _Malformed("package without name")
        by_package.setdefault(canonicalize_name(name), []).append(entry)

    advisories: list[Advisory] = []
    for package_name, entries in by_package.items():
        ranges: list[tuple[tuple[str, str], ...]] = []
        versions: list[str] = []
        for entry in entries:
            for range_ in entry.get("ranges") or []:
                if not isinstance(range_, dict):
                    raise _Malformed("range is not a mapping")
                if range_.get("type") == "ECOSYSTEM":
                    ranges.append(_events(range_))
            listed = entry.get("versions") or []
            if not isinstance(listed, list):
                raise _Malformed("versions is not a list")
            versions.extend(str(v).strip() for v in listed if str(v).strip())
        if not ranges and not versions:
            raise _Malformed(f"no ECOSYSTEM range or versions for {package_name}")
        fixed = {v for events in ranges for kind, v in events if kind == "fixed"}
        severity, source = _severity(record, entries)
        advisories.append(
            Advisory(
                id=ident,
                aliases=aliases,
                summary=_summary(record),
                package=package_name,
                ranges=tuple(ranges),
                versions=tuple(dict.fromkeys(versions)),
                fixed_versions=tuple(sorted(fixed, key=_sort_key)),
                severity=severity,
                severity_source=source,
                references=references,
            )
        )
    return advisories


# --------------------------------------------------------------------------- loading


def _decode(name: str, data: bytes) -> object:
    """The record in ``data``; ValueError if it is not JSON or YAML."""
    if name.lower().endswith(".json"):
        return json.loads(data.decode("utf-8"))
    # Imported here: scans without declared dependencies never read advisories, and the
    # YAML parser is a noticeable part of start-up.
    import yaml

    # The C loader is much faster on a full export; same safety as safe_load.
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data.decode("utf-8"), Loader=loader)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def _iter_folder(folder: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in _RECORD_SUFFIXES:
            yield str(path), path.read_bytes()


def _iter_zip(path: Path) -> Iterator[tuple[str, bytes]]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.is_dir() and info.filename.lower().endswith(_RECORD_SUFFIXES):
                yield info.filename, archive.read(info)


class _Collector:
    def __init__(self) -> None:
        self.by_package: dict[str, list[Advisory]] = {}
        self.records = 0
        self.malformed = 0
        self.withdrawn = 0

    def add_files(self, files: Iterable[tuple[str, bytes]]) -> None:
        for name, data in files:
            try:
                record = _decode(name, data)
            except ValueError:  # as are JSONDecodeError and UnicodeDecodeError
                self.malformed += 1
                continue
            self.add_record(record)

    def add_record(self, record: object) -> None:
        try:
            advisories = parse_record(record)
        except ValueError:
            self.malformed += 1
            return
        if isinstance(record, dict) and record.get("withdrawn"):
            self.withdrawn += 1
            return
        if advisories:
            self.records += 1
        for advisory in advisories:
            self.by_package.setdefault(advisory.package, []).append(advisory)

    def result(self) -> dict[str, list[Advisory]]:
        return {name: _merge_duplicates(items) for name, items in sorted(self.by_package.items())}

    def notes(self) -> str:
        notes = []
        if self.malformed:
            notes.append(f"{self.malformed} malformed record(s) skipped")
        if self.withdrawn:
            notes.append(f"{self.withdrawn} withdrawn record(s) skipped")
        return f" ({'; '.join(notes)})" if notes else ""


def _id_rank(ident: str) -> tuple[int, str]:
    prefix = ident.split("-", 1)[0]
    return ({"PYSEC": 0, "GHSA": 1, "CVE": 2}.get(prefix, 3), ident)


def _merge_duplicates(advisories: list[Advisory]) -> list[Advisory]:
    """Merge a package's records that describe one vulnerability (linked by id/aliases)."""
    ordered = sorted(advisories, key=lambda adv: _id_rank(adv.id))
    groups: list[tuple[set[str], list[Advisory]]] = []
    for advisory in ordered:
        names = {advisory.id, *advisory.aliases}
        matches = [group for group in groups if group[0] & names]
        if not matches:
            groups.append((names, [advisory]))
            continue
        first = matches[0]
        first[0].update(names)
        first[1].append(advisory)
        for other in matches[1:]:  # this record links two groups: join them
            first[0].update(other[0])
            first[1].extend(other[1])
            groups.remove(other)
    merged: list[Advisory] = []
    for _names, members in groups:
        members.sort(key=lambda adv: _id_rank(adv.id))
        primary = members[0]
        if len(members) > 1:
            aliases = [primary.id, *primary.aliases]
            for duplicate in members[1:]:
                aliases.extend([duplicate.id, *duplicate.aliases])
            severity, source = primary.severity, primary.severity_source
            if severity is None:
                for duplicate in members[1:]:
                    if duplicate.severity is not None:
                        severity, source = duplicate.severity, duplicate.severity_source
                        break
            references = dict.fromkeys(ref for member in members for ref in member.references)
            primary = replace(
                primary,
                aliases=tuple(a for a in dict.fromkeys(aliases) if a != primary.id),
                summary=primary.summary or next((m.summary for m in members if m.summary), ""),
                severity=severity,
                severity_source=source,
                references=tuple(references),
            )
        merged.append(primary)
    merged.sort(key=lambda adv: adv.id)
    return merged


def bundled_snapshot_date() -> str:
    """The date of the bundled PyPA snapshot (``data/SNAPSHOT``)."""
    try:
        return (DATA_DIR / "SNAPSHOT").read_text(encoding="utf-8").strip() or "unknown date"
    except OSError:
        return "unknown date"


def load_advisories(source: Optional[Path] = None) -> tuple[dict[str, list[Advisory]], str]:
    """Advisories by canonical package name, and a one-line description of the data.

    ``source`` None loads the bundled data (PyPA snapshot + hand-written records); a path
    loads an OSV export: a folder of ``.json``/``.yaml`` records (recursive) or a ``.zip``.
    Non-PyPI entries are ignored; malformed and withdrawn records are skipped and counted in
    the description. Never raises for bad data; an unreadable path gives no advisories and
    says so in the description.
    """
    collector = _Collector()
    if source is None:
        collector.add_files(_iter_folder(DATA_DIR / "osv"))
        pypa = collector.records
        collector.add_files(_iter_folder(DATA_DIR / "extra"))
        extra = collector.records - pypa
        description = (
            f"bundled PyPA advisory database snapshot {bundled_snapshot_date()}"
            f" + {extra} hand-written record{'s' if extra != 1 else ''}"
        )
        return collector.result(), description + collector.notes()

    import zipfile  # only OSV exports given by path can be archives

    path = Path(source)
    try:
        if path.is_dir():
            collector.add_files(_iter_folder(path))
            kind = "folder"
        elif zipfile.is_zipfile(path):
            collector.add_files(_iter_zip(path))
            kind = "zip"
        elif path.is_file() and path.suffix.lower() in _RECORD_SUFFIXES:
            collector.add_files([(str(path), path.read_bytes())])
            kind = "file"
        else:
            return {}, f"OSV export {path}: not a folder, .zip or OSV record file"
    except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
        return collector.result(), f"OSV export {path}: unreadable ({exc}){collector.notes()}"
    count = collector.records
    description = f"OSV export {path} ({kind}, {count} PyPI record{'s' if count != 1 else ''})"
    return collector.result(), description + collector.notes()


# --------------------------------------------------------------------------- matching


def _in_range(version: Version, events: tuple[tuple[str, str], ...]) -> bool:
    """OSV's evaluation of one ECOSYSTEM range (events sorted; limits bound the range)."""
    parsed: list[tuple[Optional[Version], str]] = []
    limits: list[Version] = []
    for kind, text in events:
        if kind == "introduced" and _is_zero(text):
            parsed.append((None, kind))  # None: below every version
            continue
        if kind == "limit" and text == "*":
            continue  # "*" is the default, unbounded limit
        value = _version(text)
        if value is None:
            return False  # a range we cannot order is not evidence of exposure
        if kind == "limit":
            limits.append(value)
        else:
            parsed.append((value, kind))
    if limits and not any(version < limit for limit in limits):
        return False
    parsed.sort(
        key=lambda item: (
            (0, Version("0")) if item[0] is None else (1, item[0]),
            _EVENT_ORDER[item[1]],
        )
    )
    affected = False
    for value, kind in parsed:
        if kind == "introduced":
            if value is None or version >= value:
                affected = True
        elif kind == "fixed":
            if value is not None and version >= value:
                affected = False
        elif kind == "last_affected" and value is not None and version > value:
            affected = False
    return affected


def is_affected(advisory: Advisory, version: str) -> bool:
    """Whether ``version`` is affected: in an ECOSYSTEM range or in the explicit list.

    An unparsable version is never affected (it cannot be ordered), except when it appears
    verbatim in the advisory's explicit versions list.
    """
    text = version.strip()
    parsed = _version(text)
    if parsed is None:
        return text in advisory.versions
    if any(_in_range(parsed, events) for events in advisory.ranges):
        return True
    return any(_version(listed) == parsed for listed in advisory.versions)


def lowest_fixed_above(advisory: Advisory, version: str) -> Optional[str]:
    """The lowest "fixed" version above ``version`` that the advisory does not affect.

    If every fixed version above ``version`` is itself affected (possible when ranges
    overlap), the lowest fixed version above it is returned; None when there is none (no
    fix released, or ``version`` is unparsable).
    """
    current = _version(version.strip())
    if current is None:
        return None
    above = [f for f in advisory.fixed_versions if (p := _version(f)) is not None and p > current]
    for candidate in above:
        if not is_affected(advisory, candidate):
            return candidate
    return above[0] if above else None


def _release_neighbours(text: str) -> list[str]:
    """Probe versions around ``text``: the release just below and just above it."""
    parsed = _version(text)
    if parsed is None:
        return []
    release = list(parsed.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    probes: list[str] = []
    if release[-1] > 0:
        below = [*release[:-1], release[-1] - 1]
        probes.append(".".join(map(str, below)))
        probes.append(".".join(map(str, [*below, 999])))
    if parsed.is_prerelease or parsed.is_devrelease:
        probes.append(parsed.base_version)
    above = [*parsed.release[:-1], parsed.release[-1] + 1]
    probes.append(".".join(map(str, above)))
    probes.append(".".join(map(str, [*parsed.release, 1])))
    return probes


def _spec_versions(specifier: SpecifierSet) -> list[str]:
    versions = []
    for spec in specifier:
        text = spec.version
        if text.endswith(".*"):
            text = text[:-2]
        versions.append(text)
    return versions


def _candidates(advisory: Advisory, specifier: SpecifierSet, known: Sequence[str]) -> list[str]:
    seeds: list[str] = []
    for events in advisory.ranges:
        seeds.extend(v for kind, v in events if not (kind == "introduced" and _is_zero(v)))
    seeds.extend(_spec_versions(specifier))
    candidates = [*known, *advisory.versions, *seeds]
    for seed in seeds:
        candidates.extend(_release_neighbours(seed))
    # Above every event: exposed when the last range is open-ended.
    top = max((p for p in map(_version, seeds) if p is not None), default=None)
    if top is not None:
        candidates.append(f"{top.release[0] + 1}.0")
    else:
        candidates.append("1.0")
    seen: dict[Version, str] = {}
    for text in candidates:
        parsed = _version(text.strip())
        if parsed is not None and parsed not in seen:
            seen[parsed] = text.strip()
    return list(seen.values())


def specifier_exposure(advisory: Advisory, specifier: str, known_versions: Sequence[str]) -> str:
    """How much of a requirement range is affected: ``"all"``, ``"some"`` or ``"none"``.

    Without a package index the set of real releases is unknown, so the range is judged on
    a candidate set: ``known_versions`` (whatever the caller knows, e.g. locked versions),
    the advisory's event versions and explicit versions list, the versions named in the
    specifier, and probes derived from all of these (the release just below and just above
    each, e.g. ``2.2.4``/``2.2.4.999`` below a fix ``2.2.5``, and a major release above the
    highest event). Pre-releases count only when the specifier itself admits them.

    This is an approximation: "all" means every candidate the specifier admits is affected
    (a release outside the candidate set could still be safe), and "some" may rest on a probe
    version that was never released. Raises ``InvalidSpecifier`` (a ``ValueError``) for a
    specifier that does not parse.
    """
    spec = SpecifierSet(specifier)
    candidates = _candidates(advisory, spec, known_versions)
    admitted = [v for v in candidates if spec.contains(v)]
    if not admitted:
        admitted = [v for v in candidates if spec.contains(v, prereleases=True)]
    if not admitted:
        return "none"
    flags = [is_affected(advisory, v) for v in admitted]
    if all(flags):
        return "all"
    return "some" if any(flags) else "none"


# --------------------------------------------------------------------------- online


def online_advisories(
    name: str, version: str, *, fetch: Callable[[str, bytes], bytes]
) -> list[Advisory]:
    """Advisories affecting ``name==version`` according to the OSV API.

    ``fetch(url, body)`` performs the POST and returns the response body (see
    ``urllib_fetch``); its exceptions propagate. A response that is not a query result
    raises ``OnlineQueryError``. Results are restricted to ``name`` and merged by aliases.
    """
    package = canonicalize_name(name)
    query: dict[str, Any] = {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}
    collector = _Collector()
    for _ in range(_MAX_PAGES):
        try:
            response = json.loads(fetch(OSV_QUERY_URL, json.dumps(query).encode("utf-8")))
        except ValueError as exc:
            raise OnlineQueryError(f"OSV API answer is not JSON: {exc}") from exc
        if not isinstance(response, dict):
            raise OnlineQueryError("OSV API answer is not a JSON object")
        vulns = response.get("vulns", [])
        if not isinstance(vulns, list):
            raise OnlineQueryError("OSV API answer has no list of vulns")
        for record in vulns:
            collector.add_record(record)
        token = response.get("next_page_token")
        if not isinstance(token, str) or not token:
            break
        query["page_token"] = token
    return list(collector.result().get(package, []))


def urllib_fetch(url: str, body: bytes, timeout: float = 30.0) -> bytes:
    """POST ``body`` as JSON to ``url`` with the standard library (the default ``fetch``)."""
    import urllib.request

    if not url.startswith("https://"):
        raise ValueError(f"refusing a non-HTTPS URL: {url}")
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "User-Agent": "flaskguard"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
    return data
