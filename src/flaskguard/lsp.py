"""``flaskguard lsp``: a language server on stdio, built on pygls.

On open and save of a document, the project it belongs to is scanned with the same engine as
``flaskguard scan``; the current text of every open document of that project replaces its
content on disk, so unsaved edits are analysed. Findings (not suppressed ones) are published
as diagnostics of the open documents, and the fixes they carry are offered as quick fixes.

Positions: flaskguard spans are 1-based lines and 1-based code-point columns, end exclusive;
LSP positions are 0-based lines and 0-based UTF-16 code-unit columns. Both split lines at
``\\r\\n``, ``\\r`` and ``\\n``.
"""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse
from urllib.request import url2pathname

from lsprotocol import types as lsp
from pygls.server import LanguageServer

from flaskguard import __version__
from flaskguard.config import ConfigError, load_config
from flaskguard.discovery import find_project_root
from flaskguard.findings import Diagnostic as ScanDiagnostic
from flaskguard.findings import Finding, Severity, Span
from flaskguard.scan import run_scan

SOURCE = "flaskguard"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_SEVERITIES = {
    Severity.CRITICAL: lsp.DiagnosticSeverity.Error,
    Severity.HIGH: lsp.DiagnosticSeverity.Error,
    Severity.MEDIUM: lsp.DiagnosticSeverity.Warning,
    Severity.LOW: lsp.DiagnosticSeverity.Information,
    Severity.INFO: lsp.DiagnosticSeverity.Hint,
}


# -- positions ------------------------------------------------------------------------------


class _Lines:
    """The lines of a text, to turn flaskguard positions into LSP ones."""

    def __init__(self, text: str) -> None:
        self.lines = _LINE_BREAK.split(text)

    def position(self, line: int, column: int) -> lsp.Position:
        """LSP position of a 1-based (line, code-point column); clamped to the text."""
        if line < 1:
            return lsp.Position(line=0, character=0)
        if line > len(self.lines):
            last = len(self.lines) - 1
            return lsp.Position(line=last, character=_utf16_length(self.lines[last]))
        source = self.lines[line - 1]
        prefix = source[: max(0, column - 1)]
        return lsp.Position(line=line - 1, character=_utf16_length(prefix))

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(
            start=self.position(span.start_line, span.start_column),
            end=self.position(span.end_line, span.end_column),
        )

    def line_range(self, line: Optional[int], column: Optional[int]) -> lsp.Range:
        """From ``column`` (the line's start if unknown) to the end of ``line``."""
        number = line if line and line > 0 else 1
        start = self.position(number, column or 1)
        end = self.position(
            number, len(self.lines[number - 1]) + 1 if number <= len(self.lines) else 1
        )
        return lsp.Range(start=start, end=end)


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _before(a: lsp.Position, b: lsp.Position) -> bool:
    return (a.line, a.character) < (b.line, b.character)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    """Ranges touch (inclusive ends, so that a cursor at either end of a finding counts)."""
    return not _before(a.end, b.start) and not _before(b.end, a.start)


def uri_to_path(uri: str) -> Optional[Path]:
    """The file a ``file:`` URI names; ``None`` for other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = parsed.path
    if parsed.netloc and parsed.netloc != "localhost":  # a UNC path
        path = f"//{parsed.netloc}{path}"
    return Path(url2pathname(path))


# -- the server -----------------------------------------------------------------------------


@dataclass
class _Document:
    root: Path
    relpath: str


@dataclass
class _Published:
    text: str  # the text the findings were computed on
    pairs: list[tuple[lsp.Diagnostic, Finding]]


class FlaskguardServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("flaskguard", __version__)
        self.documents: dict[str, _Document] = {}  # open documents inside a project
        self.published: dict[str, _Published] = {}
        self.config_errors: dict[Path, str] = {}  # the error last shown for each root

    # -- messages to the client

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        self.send_notification(
            lsp.WINDOW_LOG_MESSAGE, lsp.LogMessageParams(type=kind, message=message)
        )

    def show(self, message: str, kind: lsp.MessageType) -> None:
        self.send_notification(
            lsp.WINDOW_SHOW_MESSAGE, lsp.ShowMessageParams(type=kind, message=message)
        )

    def log_exception(self, what: str) -> None:
        self.log(f"flaskguard: {what} failed:\n{traceback.format_exc()}", lsp.MessageType.Error)

    def publish(self, uri: str, diagnostics: list[lsp.Diagnostic]) -> None:
        document = self.workspace.text_documents.get(uri)
        version = document.version if document is not None else None
        params = lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        self.send_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    # -- documents

    def text(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def track(self, uri: str) -> Optional[_Document]:
        """Record an open document and its project; ``None`` outside any project."""
        path = uri_to_path(uri)
        if path is None:
            return None
        cwd = Path(self.workspace.root_path) if self.workspace.root_path else Path.cwd()
        full = Path(os.path.abspath(path)).resolve()
        root = find_project_root([full], cwd).resolve()
        try:
            relpath = full.relative_to(root).as_posix()
        except ValueError:  # not inside the project (the fallback root is the cwd)
            self.documents.pop(uri, None)
            return None
        document = _Document(root, relpath)
        self.documents[uri] = document
        return document

    def forget(self, uri: str) -> None:
        self.documents.pop(uri, None)
        if self.published.pop(uri, None) is not None:
            self.publish(uri, [])

    # -- scanning

    def check(self, uri: str) -> None:
        document = self.track(uri)
        if document is None:
            return
        self.scan_project(document.root)

    def scan_project(self, root: Path) -> None:
        members = {uri: doc for uri, doc in self.documents.items() if doc.root == root}
        texts = {uri: self.text(uri) for uri in members}
        overrides = {doc.relpath: texts[uri] for uri, doc in members.items()}
        try:
            config = load_config(root)
        except ConfigError as error:
            message = f"flaskguard: {error}"
            if self.config_errors.get(root) != message:
                self.config_errors[root] = message
                self.show(message, lsp.MessageType.Error)
            for uri in members:
                self.published.pop(uri, None)
                self.publish(uri, [])
            return
        self.config_errors.pop(root, None)
        result = run_scan([root], root=root, config=config, overrides=overrides)
        for message in result.warnings:
            self.log(f"flaskguard: {message}", lsp.MessageType.Warning)
        findings: dict[str, list[Finding]] = {}
        for finding in result.active_findings:
            findings.setdefault(finding.path, []).append(finding)
        problems: dict[str, list[ScanDiagnostic]] = {}
        for problem in result.diagnostics:
            problems.setdefault(problem.path, []).append(problem)
        for uri, doc in members.items():
            lines = _Lines(texts[uri])
            pairs = [(_diagnostic(f, lines), f) for f in findings.get(doc.relpath, [])]
            extra = [_problem(p, lines) for p in problems.get(doc.relpath, [])]
            self.published[uri] = _Published(texts[uri], pairs)
            self.publish(uri, [d for d, _ in pairs] + extra)

    def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        published = self.published.get(uri)
        # Fix edits are positions in the scanned text: after an unsaved edit they may be wrong.
        if published is None or published.text != self.text(uri):
            return []
        only = params.context.only
        if only and not any(
            kind == lsp.CodeActionKind.QuickFix or lsp.CodeActionKind.QuickFix.startswith(kind)
            for kind in only
        ):
            return []
        lines = _Lines(published.text)
        actions = []
        for diagnostic, finding in published.pairs:
            fix = finding.fix
            if fix is None or not _overlaps(diagnostic.range, params.range):
                continue
            safe = fix.applicability == "safe"
            edits = [lsp.TextEdit(range=lines.range(e.span), new_text=e.content) for e in fix.edits]
            actions.append(
                lsp.CodeAction(
                    title=fix.description if safe else f"(unsafe) {fix.description}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=safe,
                    edit=lsp.WorkspaceEdit(changes={uri: edits}),
                )
            )
        return actions


def _diagnostic(finding: Finding, lines: _Lines) -> lsp.Diagnostic:
    message = finding.message
    if finding.remediation:
        message = f"{message}\n{finding.remediation}"
    return lsp.Diagnostic(
        range=lines.range(finding.span),
        severity=_SEVERITIES.get(finding.severity, lsp.DiagnosticSeverity.Warning),
        code=finding.rule_id,
        source=SOURCE,
        message=message,
        data={"fingerprint": finding.fingerprint},
    )


def _problem(problem: ScanDiagnostic, lines: _Lines) -> lsp.Diagnostic:
    """A file flaskguard could not analyse (fully), e.g. a syntax error."""
    return lsp.Diagnostic(
        range=lines.line_range(problem.line, problem.column),
        severity=lsp.DiagnosticSeverity.Warning,
        code=problem.code,
        source=SOURCE,
        message=f"not analysed: {problem.message}",
    )


def create_server() -> FlaskguardServer:
    server = FlaskguardServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FlaskguardServer, params: lsp.DidOpenTextDocumentParams) -> None:
        try:
            ls.check(params.text_document.uri)
        except Exception:
            ls.log_exception("scan on open")

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    def did_save(ls: FlaskguardServer, params: lsp.DidSaveTextDocumentParams) -> None:
        try:
            ls.check(params.text_document.uri)
        except Exception:
            ls.log_exception("scan on save")

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FlaskguardServer, params: lsp.DidCloseTextDocumentParams) -> None:
        try:
            ls.forget(params.text_document.uri)
        except Exception:
            ls.log_exception("closing a document")

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: FlaskguardServer, params: lsp.CodeActionParams
    ) -> Optional[list[lsp.CodeAction]]:
        try:
            return ls.code_actions(params) or None
        except Exception:
            ls.log_exception("code actions")
            return None

    return server


def main() -> int:
    """Serve on stdin/stdout until the client says ``exit``."""
    server = create_server()
    try:
        server.start_io()
    except SystemExit as stop:  # pygls exits the process on the ``exit`` notification
        return stop.code if isinstance(stop.code, int) else 0
    return 0
