"""Advisory data, CVSS scoring and version matching for the dependency audit (FG7xx)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from flaskguard.deps import advisories as adv_module
from flaskguard.deps.advisories import (
    OSV_QUERY_URL,
    Advisory,
    OnlineQueryError,
    is_affected,
    load_advisories,
    lowest_fixed_above,
    online_advisories,
    parse_record,
    specifier_exposure,
)
from flaskguard.deps.cvss import cvss3_base_score, cvss3_severity, qualitative_rating

FIXTURES = Path(__file__).parent / "fixtures" / "osv"
EXPORT = FIXTURES / "export"
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "flaskguard" / "deps" / "data"


@pytest.fixture(scope="module")
def bundled() -> dict[str, list[Advisory]]:
    return load_advisories()[0]


def find(db: dict[str, list[Advisory]], package: str, ident: str) -> Advisory:
    for advisory in db[package]:
        if advisory.id == ident:
            return advisory
    raise AssertionError(f"{ident} not in {package}: {[a.id for a in db[package]]}")


def record(
    events: list[dict[str, str]],
    versions: tuple[str, ...] = (),
    more: tuple[list[dict[str, str]], ...] = (),
) -> Advisory:
    data = {
        "id": "TEST-1",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "demo"},
                "ranges": [{"type": "ECOSYSTEM", "events": e} for e in (events, *more)],
                "versions": list(versions),
            }
        ],
    }
    (advisory,) = parse_record(data)
    return advisory


# --------------------------------------------------------------------------- CVSS


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        # Temporal metrics are accepted and do not change the base score.
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", 9.8),
    ],
)
def test_cvss3_base_scores(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score


@pytest.mark.parametrize(
    "vector",
    [
        "",
        "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # no version prefix
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",  # A missing
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # bad value
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L",  # duplicate metric
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    ],
)
def test_cvss3_invalid_vectors(vector: str) -> None:
    assert cvss3_base_score(vector) is None
    assert cvss3_severity(vector) is None


def test_qualitative_ratings() -> None:
    assert [qualitative_rating(s) for s in (0.0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0)] == [
        None,
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]


# --------------------------------------------------------------------------- bundled data


def test_bundled_load_describes_itself(bundled: dict[str, list[Advisory]]) -> None:
    _, description = load_advisories()
    assert description.startswith("bundled PyPA advisory database snapshot 2024-10-10 + ")
    count = len(list((DATA / "extra").rglob("*.yaml")))
    assert f"+ {count} hand-written records" in description
    assert "malformed" not in description
    assert (DATA / "SNAPSHOT").read_text(encoding="utf-8").strip() == "2024-10-10"
    assert (DATA / "osv" / "LICENSE").read_text(encoding="utf-8").startswith("Attribution 4.0")
    assert (DATA / "osv" / "README.md").is_file()
    assert "2024-10-10" in (DATA / "README.md").read_text(encoding="utf-8")


def test_bundled_contains_snapshot_and_hand_written_records(
    bundled: dict[str, list[Advisory]],
) -> None:
    flask = find(bundled, "flask", "PYSEC-2023-62")
    assert "CVE-2023-30861" in flask.aliases
    assert flask.fixed_versions == ("2.2.5", "2.3.2")
    debugger = find(bundled, "werkzeug", "GHSA-2g68-c3qc-8985")
    assert debugger.aliases == ("CVE-2024-34069",)
    assert debugger.ranges == ((("introduced", "0"), ("fixed", "3.0.3")),)
    assert debugger.severity is None and debugger.severity_source == "unknown"
    assert is_affected(debugger, "3.0.2") and not is_affected(debugger, "3.0.3")
    # Package names are canonical; 24 of the 25 snapshot packages (flask-caching's only
    # record is withdrawn).
    assert {"flask-cors", "flask-security-too", "python-engineio", "pyyaml"} <= set(bundled)
    assert len(bundled) == 24


def test_hand_written_records_follow_the_schema_and_do_not_duplicate(
    bundled: dict[str, list[Advisory]],
) -> None:
    snapshot_ids: set[str] = set()
    for path in (DATA / "osv").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        snapshot_ids.update([data["id"], *data.get("aliases", [])])
    for path in sorted((DATA / "extra").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == data["id"]
        assert path.parent.name == data["affected"][0]["package"]["name"]
        assert set(data) <= {
            "id",
            "aliases",
            "summary",
            "details",
            "affected",
            "references",
            "database_specific",
        }, path
        assert not ({data["id"], *data["aliases"]} & snapshot_ids), path
        assert parse_record(data), path
    # Only the knowledge base's "(Low)" for CVE-2026-27205 gives a severity.
    with_severity = [
        a.id
        for items in bundled.values()
        for a in items
        if a.severity_source == "database_specific"
    ]
    assert with_severity == ["GHSA-68rp-wp8r-4726"]


def test_hand_written_ranges(bundled: dict[str, list[Advisory]]) -> None:
    gunicorn = find(bundled, "gunicorn", "GHSA-hc5x-x2vx-497g")  # sources disagree: < 23.0.0
    assert is_affected(gunicorn, "22.0.0") and not is_affected(gunicorn, "23.0.0")
    jinja = find(bundled, "jinja2", "GHSA-gmj6-6f8f-6699")  # 3.0.0a1 .. 3.1.4
    assert not is_affected(jinja, "2.11.3")
    assert is_affected(jinja, "3.0.0a1") and is_affected(jinja, "3.1.4")
    assert not is_affected(jinja, "3.1.5")
    secret = find(bundled, "flask", "GHSA-4grg-w6v8-c28g")  # 3.1.0 only
    assert [v for v in ("3.0.3", "3.1.0", "3.1.1") if is_affected(secret, v)] == ["3.1.0"]
    assert find(bundled, "flask", "GHSA-68rp-wp8r-4726").severity == "low"


def test_withdrawn_snapshot_records_are_skipped(bundled: dict[str, list[Advisory]]) -> None:
    # PyPA withdrew CVE-2021-33026 (Flask-Caching, disputed) and PYSEC-2022-43059 (aiohttp).
    assert "flask-caching" not in bundled
    assert all(a.id != "PYSEC-2022-43059" for a in bundled["aiohttp"])
    assert "2 withdrawn record(s) skipped" in load_advisories()[1]


def test_cvss_severity_from_snapshot(bundled: dict[str, list[Advisory]]) -> None:
    # PYSEC-2024-71 (Flask-CORS CVE-2024-6221) carries CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N.
    cors = find(bundled, "flask-cors", "PYSEC-2024-71")
    assert (cors.severity, cors.severity_source) == ("high", "cvss_v3")


# --------------------------------------------------------------------------- matching


def test_is_affected_flask_session_cookie(bundled: dict[str, list[Advisory]]) -> None:
    advisory = find(bundled, "flask", "PYSEC-2023-62")
    assert is_affected(advisory, "2.2.2")
    assert not is_affected(advisory, "2.2.5")
    assert is_affected(advisory, "2.3.1")
    assert not is_affected(advisory, "2.3.2")
    assert is_affected(advisory, "0.12")
    assert not is_affected(advisory, "3.0.0")
    assert not is_affected(advisory, "not a version")


def test_is_affected_event_semantics() -> None:
    last = record([{"introduced": "1.0"}, {"last_affected": "1.4"}])
    assert [is_affected(last, v) for v in ("0.9", "1.0", "1.4", "1.4.1")] == [
        False,
        True,
        True,
        False,
    ]
    open_ended = record([{"introduced": "2.0"}])
    assert not is_affected(open_ended, "1.9") and is_affected(open_ended, "99.0")
    limited = record([{"introduced": "0"}, {"limit": "3.0"}])
    assert is_affected(limited, "2.9") and not is_affected(limited, "3.0")
    # Events out of order are sorted first (OSV evaluation).
    unordered = record([{"fixed": "1.5"}, {"introduced": "1.0"}])
    assert is_affected(unordered, "1.2") and not is_affected(unordered, "1.5")
    # Pre-releases and PEP 440 normalisation.
    assert is_affected(unordered, "1.5rc1")
    assert not is_affected(unordered, "1.5.0")
    # An explicit versions list counts on its own, compared as versions.
    listed = record([{"introduced": "5.0"}, {"fixed": "5.1"}], versions=("4.2",))
    assert is_affected(listed, "4.2.0") and not is_affected(listed, "4.3")
    # A range whose versions do not parse is not evidence of exposure.
    weird = record([{"introduced": "0"}, {"fixed": "not-a-version"}])
    assert not is_affected(weird, "1.0")


def test_lowest_fixed_above(bundled: dict[str, list[Advisory]]) -> None:
    advisory = find(bundled, "flask", "PYSEC-2023-62")
    assert lowest_fixed_above(advisory, "2.2.2") == "2.2.5"
    assert lowest_fixed_above(advisory, "2.3.0") == "2.3.2"
    assert lowest_fixed_above(advisory, "2.3.2") is None
    assert lowest_fixed_above(advisory, "garbage") is None
    # A fixed version inside another affected range is skipped.
    overlapping = record(
        [{"introduced": "0"}, {"fixed": "1.1"}], more=([{"introduced": "1.0"}, {"fixed": "1.3"}],)
    )
    assert lowest_fixed_above(overlapping, "1.0") == "1.3"
    assert lowest_fixed_above(record([{"introduced": "0"}]), "1.0") is None


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("==2.2.2", "all"),
        (">=2.2,<2.2.5", "all"),
        ("<2.2.5", "all"),
        ("==2.3.*", "some"),  # 2.3.0/2.3.1 affected, 2.3.2 not
        ("~=2.3.0", "some"),
        (">=2.0", "some"),
        ("", "some"),
        (">=2.2.5,<2.3", "none"),
        (">=2.3.2", "none"),
        ("==3.0.0", "none"),
    ],
)
def test_specifier_exposure(
    bundled: dict[str, list[Advisory]], specifier: str, expected: str
) -> None:
    advisory = find(bundled, "flask", "PYSEC-2023-62")
    assert specifier_exposure(advisory, specifier, []) == expected


def test_specifier_exposure_uses_known_versions_and_probes() -> None:
    advisory = record([{"introduced": "1.0"}, {"fixed": "1.4"}])
    # 1.3.x is only reachable through the probe below the fix; 0.9 through known_versions.
    assert specifier_exposure(advisory, ">1.3,<1.4", []) == "all"
    assert specifier_exposure(advisory, "<1.4", []) == "some"  # the release below 1.0
    assert specifier_exposure(advisory, ">=1.4", ["1.4", "2.0"]) == "none"
    open_ended = record([{"introduced": "2.0"}])
    assert specifier_exposure(open_ended, ">=3", []) == "all"
    assert specifier_exposure(open_ended, ">=1", []) == "some"
    with pytest.raises(ValueError):
        specifier_exposure(advisory, "=>1.0", [])


# --------------------------------------------------------------------------- parsing


def test_parse_record_rejects_malformed() -> None:
    for bad in (
        [],
        {"affected": []},
        {"id": "X", "affected": "no"},
        {"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}}]},
        {
            "id": "X",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "a"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"broken": "1"}]}],
                }
            ],
        },
    ):
        with pytest.raises(ValueError):
            parse_record(bad)
    assert parse_record({"id": "X", "affected": [{"package": {"ecosystem": "npm"}}]}) == []


def test_load_folder(tmp_path: Path) -> None:
    db, description = load_advisories(EXPORT)
    assert set(db) == {"fg-demo"}
    ids = [a.id for a in db["fg-demo"]]
    # PYSEC-0000-1 and GHSA-test-0001 are one vulnerability: merged, PYSEC kept.
    assert ids == ["GHSA-test-0002", "GHSA-test-0003", "PYSEC-0000-1"]
    merged = db["fg-demo"][2]
    assert merged.aliases == ("CVE-0000-0001", "GHSA-test-0001")
    assert (merged.severity, merged.severity_source) == ("medium", "database_specific")
    assert merged.summary == "Test record: fg-demo before 1.2.3 mishandles input."
    assert merged.ranges == ((("introduced", "0"), ("fixed", "1.2.3")),)  # GIT range ignored
    assert merged.versions == ("1.0", "1.2.2")
    assert merged.references == (
        "https://example.invalid/pysec-0000-1",
        "https://example.invalid/ghsa-test-0001",
    )
    cvss = db["fg-demo"][0]
    assert (cvss.severity, cvss.severity_source) == ("critical", "cvss_v3")
    v4 = db["fg-demo"][1]
    assert (v4.severity, v4.severity_source) == (None, "cvss_v4")
    assert description == (
        f"OSV export {EXPORT} (folder, 4 PyPI records)"
        " (2 malformed record(s) skipped; 1 withdrawn record(s) skipped)"
    )


def test_load_zip(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(EXPORT.glob("*.json")):
            out.write(path, path.name)
    db, description = load_advisories(archive)
    assert [a.id for a in db["fg-demo"]] == ["GHSA-test-0002", "PYSEC-0000-1"]
    assert description.startswith(f"OSV export {archive} (zip, 3 PyPI records)")
    assert "2 malformed" in description


def test_load_bad_paths_never_raise(tmp_path: Path) -> None:
    db, description = load_advisories(tmp_path / "missing")
    assert db == {} and "not a folder" in description
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 truncated")
    db, _ = load_advisories(tmp_path / "bad.zip")
    assert db == {}
    (tmp_path / "empty").mkdir()
    assert load_advisories(tmp_path / "empty") == (
        {},
        f"OSV export {tmp_path / 'empty'} (folder, 0 PyPI records)",
    )


# --------------------------------------------------------------------------- online


def test_online_advisories_with_fake_fetch() -> None:
    calls: list[tuple[str, dict[str, object]]] = []
    answer = (FIXTURES / "online" / "fg-demo-1.0.json").read_bytes()

    def fetch(url: str, body: bytes) -> bytes:
        calls.append((url, json.loads(body)))
        return answer

    found = online_advisories("FG_Demo", "1.0", fetch=fetch)
    assert calls == [
        (OSV_QUERY_URL, {"package": {"name": "FG_Demo", "ecosystem": "PyPI"}, "version": "1.0"})
    ]
    assert [a.id for a in found] == ["PYSEC-0000-1"]
    assert found[0].severity == "high"
    assert "GHSA-test-0001" in found[0].aliases


def test_online_pagination_and_errors() -> None:
    pages = [
        {"vulns": [], "next_page_token": "t1"},
        {"vulns": []},
    ]
    bodies: list[dict[str, object]] = []

    def fetch(url: str, body: bytes) -> bytes:
        bodies.append(json.loads(body))
        return json.dumps(pages[len(bodies) - 1]).encode()

    assert online_advisories("flask", "2.0", fetch=fetch) == []
    assert bodies[1]["page_token"] == "t1"
    assert online_advisories("flask", "2.0", fetch=lambda url, body: b"{}") == []
    with pytest.raises(OnlineQueryError):
        online_advisories("flask", "2.0", fetch=lambda url, body: b"<html>")
    with pytest.raises(OnlineQueryError):
        online_advisories("flask", "2.0", fetch=lambda url, body: b'{"vulns": 3}')


def test_urllib_fetch_refuses_plain_http() -> None:
    with pytest.raises(ValueError):
        adv_module.urllib_fetch("http://api.osv.dev/v1/query", b"{}")


# --------------------------------------------------------------------------- convert script


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "convert_osv", ROOT / "scripts" / "convert_osv.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["convert_osv"] = module
    spec.loader.exec_module(module)
    return module


def test_convert_osv_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    convert = load_script()
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(EXPORT.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(EXPORT).as_posix())
    out_dir = tmp_path / "osv"
    assert convert.main([str(archive), "--packages", "fg-demo,flask", "--out", str(out_dir)]) == 0
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*.yaml"))
    assert written == [
        "fg-demo/GHSA-test-0001.yaml",
        "fg-demo/GHSA-test-0002.yaml",
        "fg-demo/GHSA-test-0003.yaml",
        "fg-demo/PYSEC-0000-1.yaml",
        "fg-demo/PYSEC-0000-5.yaml",
    ]
    assert "wrote 5 record file(s)" in capsys.readouterr().out
    # Converted records keep their content and load like the source.
    source = json.loads((EXPORT / "PYSEC-0000-1.json").read_text(encoding="utf-8"))
    assert yaml.safe_load((out_dir / "fg-demo" / "PYSEC-0000-1.yaml").read_text()) == source
    assert load_advisories(out_dir)[0] == load_advisories(EXPORT)[0]


def test_convert_osv_folder_filters_packages(tmp_path: Path) -> None:
    convert = load_script()
    out_dir = tmp_path / "osv"
    counts = convert.convert(EXPORT, out_dir, ["flask"])
    # The script only needs an id and PyPI entries: a bad "affected" is just not selected.
    assert counts == {"written": 0, "skipped": 7, "malformed": 1}
    assert not out_dir.exists()
    shutil.copytree(EXPORT, tmp_path / "copy")
    counts = convert.convert(tmp_path / "copy", out_dir, ["FG.Demo"])
    assert counts["written"] == 5


def test_convert_osv_defaults_match_bundled_packages() -> None:
    convert = load_script()
    bundled = sorted(p.name for p in (DATA / "osv").iterdir() if p.is_dir())
    assert sorted(convert.DEFAULT_PACKAGES) == bundled
