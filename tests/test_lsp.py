"""The language server, driven by a scripted LSP client over stdio."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Callable, Optional

import pytest

pytest.importorskip("pygls")

from flaskguard.findings import Span
from flaskguard.lsp import _Lines, uri_to_path

UNGUARDED = "from flask import Flask\n\napp = Flask(__name__)\n\napp.run(debug=True)\n"
GUARDED = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n"
    'if __name__ == "__main__":\n    app.run(debug=True)\n'
)
BUDGET_S = 20.0

Message = dict[str, Any]


class Client:
    """Speaks JSON-RPC with Content-Length framing to a server subprocess."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from flaskguard.lsp import main; raise SystemExit(main())"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.deadline = time.monotonic() + BUDGET_S
        self.messages: queue.Queue[Optional[Message]] = queue.Queue()
        self.seen: list[Message] = []
        self.next_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                headers: dict[str, str] = {}
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self.messages.put(json.loads(body.decode("utf-8")))
        finally:
            self.messages.put(None)

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        reply = self.wait_for(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in reply, reply
        return reply.get("result")

    def wait_for(self, predicate: Callable[[Message], bool]) -> Message:
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; messages so far: {self.seen}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"the server closed its output; messages: {self.seen}")
            self.seen.append(message)
            if "id" in message and "method" in message:  # a request from the server
                self._send({"id": message["id"], "result": None})
                continue
            if predicate(message):
                return message

    def diagnostics(self, uri: str) -> list[Message]:
        message = self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            )
        )
        diagnostics: list[Message] = message["params"]["diagnostics"]
        return diagnostics

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _apply(text: str, edits: list[Message]) -> str:
    lines = text.splitlines(keepends=True)

    def offset(position: Message) -> int:
        return sum(len(line) for line in lines[: position["line"]]) + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def test_diagnostics_code_action_and_fix_over_stdio(tmp_path: Path) -> None:
    project = tmp_path.resolve() / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    app = project / "app.py"
    app.write_text(UNGUARDED, encoding="utf-8")
    uri = app.as_uri()

    client = Client(project)
    try:
        result = client.request(
            "initialize",
            {"processId": None, "rootUri": project.as_uri(), "capabilities": {}},
        )
        capabilities = result["capabilities"]
        assert capabilities["codeActionProvider"]
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": UNGUARDED}},
        )

        diagnostics = client.diagnostics(uri)
        fg100 = [d for d in diagnostics if d["code"] == "FG100"]
        assert len(fg100) == 1, diagnostics
        diagnostic = fg100[0]
        assert diagnostic["source"] == "flaskguard"
        assert diagnostic["severity"] == 1
        assert diagnostic["range"] == {
            "start": {"line": 4, "character": 0},
            "end": {"line": 4, "character": 19},
        }

        actions = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]},
            },
        )
        assert actions, "no code action offered"
        action = actions[0]
        assert action["kind"] == "quickfix"
        assert action["isPreferred"] is True
        assert "__main__" in action["title"]
        edits = action["edit"]["changes"][uri]
        fixed = _apply(UNGUARDED, edits)
        assert 'if __name__ == "__main__":\n    app.run(debug=True)' in fixed

        # The editor applies the fix, the user also drops debug=True (an FG101 hint under the
        # guard) and saves.
        fixed = fixed.replace("app.run(debug=True)", "app.run()")
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": fixed}],
            },
        )
        app.write_text(fixed, encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert client.diagnostics(uri) == []

        assert client.request("shutdown", None) is None
        client.notify("exit", None)
        assert client.process.wait(timeout=max(1.0, client.deadline - time.monotonic())) == 0
    finally:
        client.close()


def test_unsaved_text_is_analysed_and_bad_config_is_reported(tmp_path: Path) -> None:
    project = tmp_path.resolve()
    (project / "pyproject.toml").write_text("[tool.flaskguard\n", encoding="utf-8")
    app = project / "app.py"
    app.write_text(GUARDED, encoding="utf-8")
    uri = app.as_uri()

    client = Client(project)
    try:
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": UNGUARDED}},
        )
        shown = client.wait_for(lambda m: m.get("method") == "window/showMessage")
        assert shown["params"]["type"] == 1
        assert "pyproject.toml" in shown["params"]["message"]

        # Once the configuration is repaired, the open (unsaved) text is what is analysed.
        (project / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        while True:
            diagnostics = client.diagnostics(uri)
            if diagnostics:
                break
        assert [d["code"] for d in diagnostics] == ["FG100"]
        client.request("shutdown", None)
        client.notify("exit", None)
        client.process.wait(timeout=5)
    finally:
        client.close()


def test_positions_are_utf16_and_zero_based() -> None:
    lines = _Lines("x = 1\r\ns = '\U0001f600é' + y\n")
    # "y" is code point 12 (1-based) on line 2; the emoji takes two UTF-16 units.
    rng = lines.range(Span(2, 12, 2, 13))
    assert (rng.start.line, rng.start.character, rng.end.character) == (1, 12, 13)
    clamped = lines.position(9, 1)
    assert (clamped.line, clamped.character) == (2, 0)


def test_uri_to_path(tmp_path: Path) -> None:
    target = tmp_path / "a dir" / "app.py"
    assert uri_to_path(target.as_uri()) == target
    assert uri_to_path("untitled:Untitled-1") is None
