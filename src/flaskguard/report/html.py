"""The HTML report: one self-contained page to read, filter and sort findings in a browser.

The page loads nothing: styles and script are inline and a Content-Security-Policy allows
exactly those two blocks (by hash) and nothing else, so that the report can be opened from
a CI artifact or an e-mail without touching the network. Scanned repositories are untrusted
input: every string from the scan result is HTML-escaped where it is printed, control and
bidirectional characters are shown escaped, and the data the script reads is JSON in a
``<script type="application/json">`` block whose ``<`` are written as ``\\u003c``, so that
no message, path or snippet can close the block or run code.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from flaskguard.findings import (
    DIAGNOSTIC_CODES,
    Diagnostic,
    Finding,
    RelatedLocation,
    ScanResult,
    Severity,
)
from flaskguard.report import sorted_diagnostics, sorted_findings
from flaskguard.rules.base import OWASP_2021, RuleMeta

# C0 and C1 controls (tab and newline aside), lone surrogates from undecodable file names,
# and the Unicode bidi controls behind "Trojan Source" (CVE-2021-42574).
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SEVERITIES = sorted(Severity, reverse=True)

_CSS = """
:root { color-scheme: light; --border: #d0d7de; --muted: #57606a; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 0 auto; max-width: 1280px; padding: 16px 24px 48px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--border);
  padding-bottom: 4px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
code, pre { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: var(--bg-alt); border: 1px solid var(--border); border-radius: 6px;
  padding: 8px 10px; overflow-x: auto; white-space: pre; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
  border-bottom: 1px solid var(--border); }
th { background: var(--bg-alt); white-space: nowrap; }
.summary { display: flex; flex-wrap: wrap; gap: 24px; }
.summary table { width: auto; min-width: 220px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.sev { display: inline-block; min-width: 64px; text-align: center; border-radius: 10px;
  padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.sev-critical { background: #8250df; }
.sev-high { background: #cf222e; }
.sev-medium { background: #bc4c00; }
.sev-low { background: #0969da; }
.sev-info { background: #6e7781; }
.controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center;
  margin: 8px 0 12px; padding: 8px 10px; background: var(--bg-alt);
  border: 1px solid var(--border); border-radius: 6px; }
.controls fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 10px; }
.controls legend { float: left; margin-right: 6px; font-weight: 600; }
#search { min-width: 260px; padding: 3px 6px; }
#shown-count { color: var(--muted); margin-left: auto; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"]::after { content: " \\25B2"; color: inherit; }
th[aria-sort="descending"]::after { content: " \\25BC"; color: inherit; }
tr.row { cursor: pointer; }
tr.row:hover { background: #f3f8ff; }
button.toggle { border: 0; background: none; cursor: pointer; font-size: 12px;
  width: 20px; padding: 0; }
button.toggle[aria-expanded="true"] { transform: rotate(90deg); }
tr.details > td { background: #fcfcfd; padding: 8px 16px 14px 36px; }
.details dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px;
  margin: 8px 0; }
.details dt { font-weight: 600; color: var(--muted); }
.details dd { margin: 0; }
.details ol { margin: 4px 0; padding-left: 22px; }
.loc { white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fg-data").textContent);
  var table = document.getElementById("findings");
  if (!table) { return; }
  var bodies = [];
  Array.prototype.forEach.call(table.querySelectorAll("tbody.finding"), function (b) {
    bodies[Number(b.getAttribute("data-index"))] = b;
  });
  var sevBoxes = document.querySelectorAll("input.sev-filter");
  var ruleSelect = document.getElementById("rule-filter");
  var search = document.getElementById("search");
  var counter = document.getElementById("shown-count");
  var haystacks = data.findings.map(function (f) { return f.text.toLowerCase(); });

  function applyFilters() {
    var severities = {};
    Array.prototype.forEach.call(sevBoxes, function (box) {
      if (box.checked) { severities[box.value] = true; }
    });
    var rule = ruleSelect.value;
    var query = search.value.trim().toLowerCase();
    var shown = 0;
    data.findings.forEach(function (f, i) {
      var visible = severities[f.severity_label] === true &&
        (rule === "" || f.rule === rule) &&
        (query === "" || haystacks[i].indexOf(query) !== -1);
      bodies[i].hidden = !visible;
      if (visible) { shown += 1; }
    });
    counter.textContent = "Showing " + shown + " of " + data.findings.length + " findings";
  }

  var sortKeys = {
    severity: function (f) { return [f.severity, f.confidence]; },
    rule: function (f) { return [f.rule]; },
    location: function (f) { return [f.path, f.line, f.column]; },
    message: function (f) { return [f.message.toLowerCase()]; },
    confidence: function (f) { return [f.confidence, f.severity]; }
  };
  var firstDirection = { severity: -1, confidence: -1 };

  function compare(a, b) {
    for (var k = 0; k < a.length; k += 1) {
      if (a[k] < b[k]) { return -1; }
      if (a[k] > b[k]) { return 1; }
    }
    return 0;
  }

  function sortBy(th) {
    var key = th.getAttribute("data-sort");
    var current = th.getAttribute("aria-sort");
    var direction;
    if (current === "ascending") { direction = -1; }
    else if (current === "descending") { direction = 1; }
    else { direction = firstDirection[key] || 1; }
    Array.prototype.forEach.call(table.querySelectorAll("th.sortable"), function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
    var keyOf = sortKeys[key];
    var order = data.findings.map(function (f, i) { return i; });
    order.sort(function (i, j) {
      return direction * compare(keyOf(data.findings[i]), keyOf(data.findings[j])) || i - j;
    });
    order.forEach(function (i) { table.appendChild(bodies[i]); });
  }

  function toggle(body) {
    var button = body.querySelector("button.toggle");
    var details = body.querySelector("tr.details");
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    details.hidden = !open;
  }

  Array.prototype.forEach.call(sevBoxes, function (box) {
    box.addEventListener("change", applyFilters);
  });
  ruleSelect.addEventListener("change", applyFilters);
  search.addEventListener("input", applyFilters);
  Array.prototype.forEach.call(table.querySelectorAll("th.sortable"), function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
  });
  bodies.forEach(function (body) {
    body.querySelector("tr.row").addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      toggle(body);
    });
  });
  var expandAll = document.getElementById("expand-all");
  expandAll.addEventListener("click", function () {
    var open = expandAll.getAttribute("aria-pressed") !== "true";
    expandAll.setAttribute("aria-pressed", open ? "true" : "false");
    expandAll.textContent = open ? "Collapse all" : "Expand all";
    bodies.forEach(function (body) {
      body.querySelector("button.toggle").setAttribute("aria-expanded", open ? "true" : "false");
      body.querySelector("tr.details").hidden = !open;
    });
  });
  applyFilters();
})();
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(_CSS)}; "
    f"script-src {_csp_hash(_JS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with unsafe characters (and newlines unless ``multiline``) shown escaped."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    text = _UNSAFE.sub(escape, text)
    if not multiline:
        text = text.replace("\n", "\\n")
    return text


def _e(text: str, *, multiline: bool = False) -> str:
    return html.escape(_visible(text, multiline=multiline), quote=True)


def _location(path: str, line: int | None, column: int | None = None) -> str:
    text = path or "(project)"
    if line:
        text += f":{line}"
        if column:
            text += f":{column}"
    return text


def _owasp_title(code: str) -> str:
    return OWASP_2021.get(code, code)


def _severity_badge(severity: Severity) -> str:
    return f'<span class="sev sev-{severity.label}">{severity.label}</span>'


def render_html(result: ScanResult, rules: Sequence[RuleMeta], *, tool_version: str) -> str:
    active = sorted_findings(result.active_findings)
    suppressed = sorted_findings(result.suppressed_findings)
    diagnostics = sorted_diagnostics(result.diagnostics)
    rule_names = {rule.id: rule.name for rule in rules}
    for finding in active + suppressed:
        rule_names.setdefault(finding.rule_id, finding.rule_name)

    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>flaskguard report — {_e(result.root)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>flaskguard report</h1>",
        f'<p class="meta">flaskguard {_e(tool_version)} · <code>{_e(result.root)}</code> · '
        f"{result.stats.files_scanned} files scanned "
        f"({result.stats.python_files_analysed} of {result.stats.python_files} Python files "
        f"analysed) · {len(active)} findings · {len(suppressed)} suppressed · "
        f"{len(diagnostics)} diagnostics</p>",
        "</header>",
    ]
    parts.extend(_warnings(result.warnings))
    parts.extend(_summary(active, rule_names))
    parts.extend(_findings_section(active, rule_names))
    parts.extend(_suppressed_section(suppressed))
    parts.extend(_diagnostics_section(diagnostics))
    parts.append('<script type="application/json" id="fg-data">' + _data_json(active) + "</script>")
    parts.append(f"<script>{_JS}</script>")
    parts.extend(["</body>", "</html>"])
    return "\n".join(parts) + "\n"


def _warnings(warnings: Sequence[str]) -> list[str]:
    if not warnings:
        return []
    items = "".join(f"<li>{_e(w)}</li>" for w in warnings)
    return ['<section id="warnings">', "<h2>Warnings</h2>", f"<ul>{items}</ul>", "</section>"]


def _summary(active: Sequence[Finding], rule_names: dict[str, str]) -> list[str]:
    by_severity = Counter(f.severity for f in active)
    by_rule = Counter(f.rule_id for f in active)
    worst: dict[str, Severity] = {}
    for finding in active:
        worst[finding.rule_id] = max(worst.get(finding.rule_id, Severity.INFO), finding.severity)
    out = [
        '<section id="summary">',
        "<h2>Summary</h2>",
        '<div class="summary">',
        '<table id="summary-severity"><thead><tr><th>Severity</th><th>Findings</th></tr>'
        "</thead><tbody>",
    ]
    for severity in _SEVERITIES:
        out.append(
            f'<tr data-severity="{severity.label}"><td>{_severity_badge(severity)}</td>'
            f'<td class="num">{by_severity.get(severity, 0)}</td></tr>'
        )
    out.append(
        f'<tr><th>Total</th><td class="num" id="total-findings">{len(active)}</td></tr>'
        "</tbody></table>"
    )
    out.append(
        '<table id="summary-rule"><thead><tr><th>Rule</th><th>Name</th><th>Severity</th>'
        "<th>Findings</th></tr></thead><tbody>"
    )
    if not by_rule:
        out.append('<tr><td colspan="4" class="empty">No findings.</td></tr>')
    for rule_id in sorted(by_rule):
        out.append(
            f'<tr data-rule="{_e(rule_id)}"><td><code>{_e(rule_id)}</code></td>'
            f"<td>{_e(rule_names[rule_id])}</td><td>{_severity_badge(worst[rule_id])}</td>"
            f'<td class="num">{by_rule[rule_id]}</td></tr>'
        )
    out.extend(["</tbody></table>", "</div>", "</section>"])
    return out


def _findings_section(active: Sequence[Finding], rule_names: dict[str, str]) -> list[str]:
    out = ['<section id="findings-section">', f"<h2>Findings ({len(active)})</h2>"]
    if not active:
        out.extend(['<p class="empty">No findings.</p>', "</section>"])
        return out
    present = Counter(f.severity for f in active)
    boxes = "".join(
        f'<label><input type="checkbox" class="sev-filter" value="{s.label}" '
        f'id="sev-{s.label}" checked> {s.label} ({present.get(s, 0)})</label>'
        for s in _SEVERITIES
    )
    options = "".join(
        f'<option value="{_e(rule_id)}">{_e(rule_id)} {_e(rule_names[rule_id])}</option>'
        for rule_id in sorted({f.rule_id for f in active})
    )
    out.append(
        '<div class="controls">'
        f"<fieldset><legend>Severity</legend>{boxes}</fieldset>"
        '<label>Rule <select id="rule-filter"><option value="">All rules</option>'
        f"{options}</select></label>"
        '<label>Search <input type="search" id="search" '
        'placeholder="path, rule, message, code…" autocomplete="off"></label>'
        '<button type="button" id="expand-all" aria-pressed="false">Expand all</button>'
        '<span id="shown-count" aria-live="polite"></span>'
        "</div>"
    )
    out.append(
        '<table id="findings"><thead><tr><th></th>'
        '<th class="sortable" data-sort="severity" tabindex="0">Severity</th>'
        '<th class="sortable" data-sort="rule" tabindex="0">Rule</th>'
        '<th class="sortable" data-sort="location" tabindex="0">Location</th>'
        '<th class="sortable" data-sort="message" tabindex="0">Message</th>'
        '<th class="sortable" data-sort="confidence" tabindex="0">Confidence</th>'
        "</tr></thead>"
    )
    for index, finding in enumerate(active):
        out.append(_finding_body(index, finding))
    out.extend(["</table>", "</section>"])
    return out


def _finding_body(index: int, finding: Finding) -> str:
    span = finding.span
    row = (
        f'<tbody class="finding" id="finding-{index}" data-index="{index}" '
        f'data-severity="{finding.severity.label}" data-rule="{_e(finding.rule_id)}">'
        '<tr class="row">'
        f'<td><button type="button" class="toggle" aria-expanded="false" '
        f'aria-controls="details-{index}" aria-label="Show details">&#9654;</button></td>'
        f"<td>{_severity_badge(finding.severity)}</td>"
        f"<td><code>{_e(finding.rule_id)}</code> {_e(finding.rule_name)}</td>"
        f'<td class="loc"><code>{_e(_location(finding.path, span.start_line))}</code></td>'
        f'<td class="message">{_e(finding.message)}</td>'
        f"<td>{finding.confidence.label}</td>"
        "</tr>"
        f'<tr class="details" id="details-{index}" hidden><td colspan="6">'
        f"{_details(finding)}</td></tr>"
        "</tbody>"
    )
    return row


def _details(finding: Finding) -> str:
    span = finding.span
    out: list[str] = []
    location = _location(finding.path, span.start_line, span.start_column)
    if span.end_line != span.start_line:
        location += f" (to line {span.end_line})"
    out.append(f"<h3><code>{_e(location)}</code></h3>")
    if finding.snippet:
        out.append(f'<pre class="snippet"><code>{_e(finding.snippet, multiline=True)}</code></pre>')
    out.append("<dl>")
    if finding.remediation:
        out.append(f"<dt>Remediation</dt><dd>{_e(finding.remediation)}</dd>")
    if finding.fix is not None:
        out.append(
            f"<dt>Fix ({_e(finding.fix.applicability)})</dt>"
            f"<dd>{_e(finding.fix.description)} "
            '<span class="empty">(apply with <code>flaskguard fix</code>)</span></dd>'
        )
    elif finding.fix_unavailable_reason:
        out.append(f"<dt>No automatic fix</dt><dd>{_e(finding.fix_unavailable_reason)}</dd>")
    if finding.cwe:
        links = ", ".join(
            f'<a href="https://cwe.mitre.org/data/definitions/{int(n)}.html" '
            f'rel="noopener noreferrer" target="_blank">CWE-{int(n)}</a>'
            for n in finding.cwe
        )
        out.append(f"<dt>CWE</dt><dd>{links}</dd>")
    if finding.owasp:
        out.append(f"<dt>OWASP</dt><dd>{_e(_owasp_title(finding.owasp))}</dd>")
    out.append(f"<dt>Confidence</dt><dd>{finding.confidence.label}</dd>")
    out.append(f"<dt>Fingerprint</dt><dd><code>{_e(finding.fingerprint)}</code></dd>")
    out.append("</dl>")
    if finding.trace:
        out.append("<h3>Trace</h3>")
        out.append(_steps(finding.trace, "trace"))
    if finding.related_locations:
        out.append("<h3>Related locations</h3>")
        out.append(_steps(finding.related_locations, "related"))
    return "".join(out)


def _steps(locations: Sequence[RelatedLocation], kind: str) -> str:
    items = "".join(
        f"<li><code>{_e(_location(loc.path, loc.line, loc.column))}</code> {_e(loc.message)}</li>"
        for loc in locations
    )
    return f'<ol class="{kind}">{items}</ol>'


def _suppressed_section(suppressed: Sequence[Finding]) -> list[str]:
    out = ['<section id="suppressed">', f"<h2>Suppressed findings ({len(suppressed)})</h2>"]
    if not suppressed:
        out.extend(['<p class="empty">No suppressed findings.</p>', "</section>"])
        return out
    out.append(
        "<table><thead><tr><th>Severity</th><th>Rule</th><th>Location</th><th>Message</th>"
        "<th>Reason</th></tr></thead><tbody>"
    )
    for finding in suppressed:
        reason = (
            _e(finding.suppression_reason)
            if finding.suppression_reason
            else '<span class="empty">no reason given</span>'
        )
        out.append(
            f'<tr data-severity="{finding.severity.label}">'
            f"<td>{_severity_badge(finding.severity)}</td>"
            f"<td><code>{_e(finding.rule_id)}</code> {_e(finding.rule_name)}</td>"
            f'<td class="loc"><code>{_e(_location(finding.path, finding.span.start_line))}'
            f"</code></td><td>{_e(finding.message)}</td><td>{reason}</td></tr>"
        )
    out.extend(["</tbody></table>", "</section>"])
    return out


def _diagnostics_section(diagnostics: Sequence[Diagnostic]) -> list[str]:
    out = ['<section id="diagnostics">', f"<h2>Diagnostics ({len(diagnostics)})</h2>"]
    if not diagnostics:
        out.extend(['<p class="empty">Every file was analysed.</p>', "</section>"])
        return out
    out.append(
        "<table><thead><tr><th>Code</th><th>Location</th><th>Message</th></tr></thead><tbody>"
    )
    for diagnostic in diagnostics:
        name = DIAGNOSTIC_CODES.get(diagnostic.code, ("", ""))[0]
        message = _e(diagnostic.message)
        if diagnostic.requires_python:
            message += f" (requires Python {_e(diagnostic.requires_python)})"
        out.append(
            f"<tr><td><code>{_e(diagnostic.code)}</code> {_e(name)}</td>"
            f'<td class="loc"><code>'
            f"{_e(_location(diagnostic.path, diagnostic.line, diagnostic.column))}</code></td>"
            f"<td>{message}</td></tr>"
        )
    out.extend(["</tbody></table>", "</section>"])
    return out


def _data_json(active: Sequence[Finding]) -> str:
    findings: list[dict[str, Any]] = []
    for finding in active:
        findings.append(
            {
                "severity": int(finding.severity),
                "severity_label": finding.severity.label,
                "confidence": int(finding.confidence),
                "rule": finding.rule_id,
                "path": finding.path,
                "line": finding.span.start_line,
                "column": finding.span.start_column,
                "message": finding.message,
                "text": " ".join(
                    (
                        finding.rule_id,
                        finding.rule_name,
                        _location(finding.path, finding.span.start_line),
                        finding.message,
                        finding.snippet,
                    )
                ),
            }
        )
    text = json.dumps({"findings": findings}, ensure_ascii=True, sort_keys=True)
    # ``<`` never appears raw, so neither ``</script>`` nor ``<!--`` can end or bend the block.
    return text.replace("<", "\\u003c")
