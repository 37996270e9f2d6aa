from __future__ import annotations

import html
import importlib.util
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from flaskguard.findings import (
    Confidence,
    Diagnostic,
    Edit,
    Fix,
    RelatedLocation,
    ScanResult,
    ScanStats,
    Severity,
    Span,
)
from flaskguard.report.html import render_html
from flaskguard.rules.base import RuleMeta
from report_samples import sample_finding

REPO_ROOT = Path(__file__).resolve().parent.parent
XSS = "<script>alert(1)</script>"


finding = sample_finding


def rule(rule_id: str, name: str) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        name=name,
        summary="",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        cwe=(),
        owasp="",
        tags=(),
        fixable=False,
        doc="",
    )


RULES = [
    rule("FG100", "dev-server-at-import"),
    rule("FG201", "hardcoded-secret-key"),
    rule("FG301", "sql-injection"),
    rule("FG302", "xss-in-response"),
]


def sample_result() -> ScanResult:
    fixed = finding(
        fix=Fix(
            applicability="unsafe",
            description="Guard the call with a __main__ check.",
            edits=(Edit(Span(12, 1, 12, 1), 'if __name__ == "__main__":\n    '),),
        )
    )
    tainted = finding(
        rule_id="FG301",
        rule_name="sql-injection",
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        path="views/user pages/ünïcode.py",
        span=Span(30, 5, 31, 6),
        message="request.args['q'] reaches cursor.execute() as SQL text.",
        remediation="Pass the value as a query parameter.",
        cwe=(89,),
        owasp="A03:2021",
        fingerprint="a" * 32,
        snippet='    cur.execute(\n        "SELECT * FROM t WHERE n = \'" + q + "\'")',
        fix_unavailable_reason="The query is built in another function.",
        trace=(
            RelatedLocation("views/user pages/ünïcode.py", 20, 9, "request.args read here"),
            RelatedLocation("db/helpers.py", 4, 5, "passed to run_query()"),
        ),
        related_locations=(RelatedLocation("db/helpers.py", 1, 1, "run_query is defined here"),),
    )
    secret = finding(
        rule_id="FG201",
        rule_name="hardcoded-secret-key",
        severity=Severity.MEDIUM,
        confidence=Confidence.LOW,
        path="app.py",
        span=Span(4, 1, 4, 30),
        message="SECRET_KEY is a literal string.",
        cwe=(798,),
        owasp="A07:2021",
        fingerprint="b" * 32,
        snippet='SECRET_KEY = "********"',
    )
    hostile = finding(
        rule_id="FG302",
        rule_name="xss-in-response",
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        path='evil/<img src=x onerror="alert(2)">.py',
        span=Span(7, 1, 7, 40),
        message=f"Returned {XSS} unescaped \u202e and </script><!-- too.",
        remediation=f"Escape it: {XSS}",
        cwe=(79,),
        owasp="A03:2021",
        fingerprint="e" * 32,
        snippet=f'return "{XSS}"',
        trace=(RelatedLocation("evil/x.py", 3, 1, XSS),),
    )
    info = finding(
        rule_id="FG201",
        rule_name="hardcoded-secret-key",
        severity=Severity.INFO,
        path="settings.py",
        span=Span(1, 1, 1, 10),
        message="A second key-like literal.",
        fingerprint="9" * 32,
    )
    explained = finding(
        rule_id="FG100",
        severity=Severity.LOW,
        path="config.py",
        message="suppressed one",
        fingerprint="c" * 32,
        suppressed=True,
        suppression_reason="only for <b>local</b> development",
    )
    diagnostics = [
        Diagnostic("FG910", "", "The taint analysis failed: RecursionError."),
        Diagnostic("FG902", "new.py", "match statement", line=3, column=1, requires_python="3.10"),
    ]
    return ScanResult(
        root="/srv/project",
        findings=[tainted, hostile, fixed, explained, secret, info],
        diagnostics=diagnostics,
        stats=ScanStats(files_scanned=12, python_files=10, python_files_analysed=8),
        warnings=["cache dir not writable"],
    )


def render(result: ScanResult | None = None) -> str:
    return render_html(result or sample_result(), RULES, tool_version="0.1.0")


def test_is_one_self_contained_document() -> None:
    page = render()
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page
    # Nothing is loaded: no src/href to anything but the CWE pages, which are plain anchors.
    assert not re.search(r"\bsrc\s*=\s*[\"']?(?:https?:)?//", page, re.I)
    assert "<link" not in page
    assert "@import" not in page
    assert "url(" not in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs
    for href in hrefs:
        assert re.fullmatch(r"https://cwe\.mitre\.org/data/definitions/\d+\.html", href)
    for match in re.finditer(r"<(\w+)[^>]*href=", page):
        assert match.group(1) == "a"


def test_untrusted_text_is_escaped() -> None:
    page = render()
    # Only the report's own two script blocks exist.
    assert page.count("<script") == 2
    assert XSS not in page
    assert "<img" not in page
    assert "<b>local</b>" not in page
    assert html.escape(XSS) in page
    assert "&lt;b&gt;local&lt;/b&gt; development" in page
    assert html.escape('evil/<img src=x onerror="alert(2)">.py:7') in page
    # The bidi override is shown, not applied.
    assert "\u202e" not in page
    assert "\\u202e" in page
    # The JSON block can be neither closed nor commented out by the data.
    data_block = page.split('<script type="application/json" id="fg-data">', 1)[1]
    data_text = data_block.split("</script>", 1)[0]
    assert "<" not in data_text
    data = json.loads(data_text)
    assert any(XSS in f["message"] for f in data["findings"])


def test_counts_by_severity_and_rule() -> None:
    page = render()

    def cell(row_attr: str) -> int:
        match = re.search(rf'<tr {row_attr}>.*?<td class="num">(\d+)</td></tr>', page)
        assert match, row_attr
        return int(match.group(1))

    assert cell('data-severity="critical"') == 1
    assert cell('data-severity="high"') == 1
    assert cell('data-severity="medium"') == 1
    assert cell('data-severity="low"') == 1  # the suppressed low finding is not counted
    assert cell('data-severity="info"') == 1
    assert cell('data-rule="FG201"') == 2
    assert cell('data-rule="FG100"') == 1
    assert 'id="total-findings">5<' in page
    assert page.count('<tbody class="finding"') == 5
    assert "Suppressed findings (1)" in page
    assert "Diagnostics (2)" in page


def test_details_hold_snippet_fix_links_and_trace() -> None:
    page = render()
    assert "https://cwe.mitre.org/data/definitions/89.html" in page
    assert "A03:2021 Injection" in page
    assert "Guard the call with a __main__ check." in page
    assert "The query is built in another function." in page
    assert html.escape('SECRET_KEY = "********"') in page
    # Multi-line snippets keep their lines.
    assert "    cur.execute(\n" in page
    traces = [t for t in re.findall(r'<ol class="trace">(.*?)</ol>', page) if "helpers" in t]
    assert len(traces) == 1
    steps = re.findall(r"<li>(.*?)</li>", traces[0])
    assert len(steps) == 2
    assert "ünïcode.py:20:9" in steps[0]
    assert "db/helpers.py:4:5" in steps[1]
    assert "run_query is defined here" in page
    assert "requires Python 3.10" in page
    assert "cache dir not writable" in page


def test_is_deterministic() -> None:
    result = sample_result()
    shuffled = sample_result()
    shuffled.findings.reverse()
    shuffled.diagnostics.reverse()
    assert render(result) == render(result) == render(shuffled)


def test_empty_result() -> None:
    page = render(ScanResult(root="/empty"))
    assert "No findings." in page
    assert "No suppressed findings." in page
    assert "Every file was analysed." in page


def test_lone_surrogates_do_not_break_encoding() -> None:
    result = ScanResult(root="/r", findings=[finding(path="bad\udcff.py", message="m\udc80")])
    page = render(result)
    page.encode("utf-8")
    assert "bad\\udcff.py" in page


# --- A real browser ------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _browser_skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium"
    if not CHROMEDRIVER.exists():
        return (
            "Debian's chromedriver is not installed (/usr/bin/chromedriver); "
            "apt-get install chromium-driver"
        )
    if importlib.util.find_spec("selenium") is None:
        return "the selenium module is not installed (pip install selenium)"
    return None


@pytest.mark.skipif(_browser_skip_reason() is not None, reason=str(_browser_skip_reason()))
def test_report_in_headless_chromium(tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    report = tmp_path / "report.html"
    report.write_text(render(), encoding="utf-8")

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chrome-profile'}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(10)
        driver.get(report.as_uri())

        def visible_rows() -> list[Any]:
            return [
                body
                for body in driver.find_elements(By.CSS_SELECTOR, "tbody.finding")
                if body.is_displayed()
            ]

        def wait_for(count: int) -> list[Any]:
            deadline = time.monotonic() + 3
            rows = visible_rows()
            while len(rows) != count and time.monotonic() < deadline:
                time.sleep(0.05)
                rows = visible_rows()
            return rows

        # The injected script did not run (an alert would make every call fail).
        assert driver.execute_script("return document.querySelectorAll('script').length") == 2
        assert len(wait_for(5)) == 5
        shown = driver.find_element(By.ID, "shown-count").text
        assert shown == "Showing 5 of 5 findings"

        # Severity filter hides rows.
        driver.find_element(By.ID, "sev-critical").click()
        driver.find_element(By.ID, "sev-info").click()
        rows = wait_for(3)
        assert {r.get_attribute("data-severity") for r in rows} == {"high", "medium", "low"}
        driver.find_element(By.ID, "sev-critical").click()
        driver.find_element(By.ID, "sev-info").click()
        assert len(wait_for(5)) == 5

        # Rule filter.
        Select(driver.find_element(By.ID, "rule-filter")).select_by_value("FG201")
        rows = wait_for(2)
        assert {r.get_attribute("data-rule") for r in rows} == {"FG201"}
        Select(driver.find_element(By.ID, "rule-filter")).select_by_value("")
        assert len(wait_for(5)) == 5

        # Text search (case-insensitive, over path, message and code).
        search = driver.find_element(By.ID, "search")
        search.send_keys("SELECT * FROM")
        rows = wait_for(1)
        assert [r.get_attribute("data-rule") for r in rows] == ["FG301"]
        search.clear()
        search.send_keys("<SCRIPT>")
        rows = wait_for(1)
        assert [r.get_attribute("data-rule") for r in rows] == ["FG302"]
        search.clear()
        search.send_keys("x")  # clear() does not fire "input"; typing does
        search.send_keys("\b")
        assert len(wait_for(5)) == 5

        # Sorting: severity (most severe first), then reversed; location ascending.
        def order(attr: str) -> list[str]:
            return [
                str(b.get_attribute(attr))
                for b in driver.find_elements(By.CSS_SELECTOR, "tbody.finding")
            ]

        severity_header = driver.find_element(By.CSS_SELECTOR, 'th[data-sort="severity"]')
        severity_header.click()
        assert order("data-severity") == ["critical", "high", "medium", "low", "info"]
        assert severity_header.get_attribute("aria-sort") == "descending"
        severity_header.click()
        assert order("data-severity") == ["info", "low", "medium", "high", "critical"]
        driver.find_element(By.CSS_SELECTOR, 'th[data-sort="rule"]').click()
        assert order("data-rule") == ["FG100", "FG201", "FG201", "FG301", "FG302"]

        # Expanding a finding shows its details.
        details = driver.find_element(
            By.CSS_SELECTOR, "tbody.finding[data-rule='FG301'] tr.details"
        )
        assert not details.is_displayed()
        driver.find_element(
            By.CSS_SELECTOR, "tbody.finding[data-rule='FG301'] button.toggle"
        ).click()
        assert details.is_displayed()
        assert "passed to run_query()" in details.text
        assert "CWE-89" in details.text

        screenshots = REPO_ROOT / "test-artifacts"
        screenshots.mkdir(exist_ok=True)
        driver.save_screenshot(str(screenshots / "html-report.png"))

        logs: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
        errors = [e for e in logs if e.get("level") == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()
