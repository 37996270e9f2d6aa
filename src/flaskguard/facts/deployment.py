"""Deployment facts: how one file serves the project and which environment it sets.

Each deployment or environment file (Procfile, Dockerfile, compose file, App Engine
``app.yaml``, uWSGI ``.ini``/``uwsgi.yaml``, gunicorn config, ``.env``/``.flaskenv``) is
reduced, from its own text alone, to the commands that serve the application
(:class:`ServeCommand`) and the environment variables it sets (:class:`EnvSetting`), with
1-based positions. Rules use them to find WSGI entry points (FG100), debug mode switched on
by the environment (FG101), a disabled or fixed debugger PIN (FG103) and development servers
used in production (FG104).

Commands are read the way the program that runs them reads them. Procfile lines, shell-form
Dockerfile instructions and App Engine entrypoints go through ``/bin/sh``, so chains (``&&``,
``;``, ``|``, ``&``), redirections and comments are understood. Exec-form instructions and
compose ``command``/``entrypoint`` reach the program without a shell: there ``&&`` is just an
argument, as it is at run time. Wrappers that only start another program (``exec``, ``env``,
``sh -c``, ``poetry run``, ``python -m gunicorn``, APM launchers, init shims) are peeled,
and every program of a chain that serves the application yields one ServeCommand; a Python
script followed by ``&&`` or ``;`` and another command is a setup step (``python
manage.py migrate && gunicorn app:app``), not what serves. When a process serves nothing we
know, its last command is still reported, as server ``"other"``, so that consumers see that
the process exists. A Dockerfile CMD that completes an exec-form ENTRYPOINT is reported once,
at the CMD, with the whole command in ``argv``; an ENTRYPOINT script (``exec "$@"``) runs
CMD as the command.

The shell lexer is ours rather than :func:`shlex.split` because positions have to survive
quoting, escapes and nested ``sh -c`` strings: every character of a word remembers where it
came from in the file. Like a failed ``shlex.split``, unbalanced quotes fall back to a plain
whitespace split.

YAML is read with ``yaml.compose(..., Loader=yaml.SafeLoader)``: composing builds the node
graph without constructing any Python object, so it is as safe as ``safe_load``, and the
nodes keep exact positions, which ``safe_load``'s plain values lose. Merge keys (``<<``) are
applied by hand; a merged value points at the anchor where it is written. The parser's
messages go into FG909 diagnostics, never the offending line, which may hold a secret.

Environment files follow python-dotenv's grammar, so values are what Flask would load;
``${VAR}`` references are kept as written.

``ServeCommand.options`` keeps a few options per server, under their long names (``-b`` is
reported as ``--bind``; uWSGI options under their bare uWSGI names, as in ``.ini`` files);
flags have the value ``""``:

- flask-run: ``--app --env-file --host --port --cert --debug --no-debug --reload
  --no-reload --debugger --no-debugger``
- gunicorn: ``--bind --reload --chdir --pythonpath --config --worker-class --preload``
- uvicorn: ``--host --port --uds --reload --factory --interface --app-dir --env-file``
- hypercorn: ``--bind --insecure-bind --quic-bind --config --reload --debug``
- daphne: ``--bind --port --unix-socket --endpoint``
- waitress: ``--host --port --listen --unix-socket --call --expose-tracebacks``
- mod_wsgi: ``--host --port --reload-on-changes --debug-mode --enable-debugger``
- uwsgi: ``http https socket http-socket chdir pythonpath callable py-autoreload ini``
- any server: ``workdir``, the directory it starts in when the file says so (Dockerfile
  ``WORKDIR``, compose ``working_dir``, a ``cd DIR`` earlier in the chain).

``EnvSetting.value`` may be a secret: it is kept out of ``repr`` and must never be printed.
``ServeCommand.text`` and ``argv`` are the command as written and may contain secrets too
(``gunicorn -e SECRET_KEY=...``): redact before quoting them.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import posixpath
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional, Union

from flaskguard.findings import Diagnostic

if TYPE_CHECKING:
    import yaml

__all__ = [
    "DeploymentFacts",
    "EnvSetting",
    "ServeCommand",
    "deployment_kind",
    "extract_deployment_facts",
]


@dataclass(frozen=True)
class EnvSetting:
    path: str  # the file's relpath
    line: int  # 1-based
    column: int  # 1-based, start of the key
    end_column: int  # end (exclusive) of the whole KEY=value text on that line
    key: str
    # Unquoted and unescaped, variables not expanded. Never printed: kept out of repr().
    value: str = field(repr=False)
    # "dotenv" | "flaskenv" | "dockerfile" | "compose" | "appyaml" | "uwsgi" | "procfile"
    # | "gunicorn-conf" (raw_env)
    source: str


@dataclass(frozen=True)
class ServeCommand:
    path: str
    line: int  # span of the command text, 1-based, end exclusive
    column: int
    end_line: int
    end_column: int
    source: str  # "procfile" | "dockerfile" | "compose" | "appyaml" | "uwsgi" | "gunicorn-conf"
    process: str  # Procfile process type, compose service, "CMD"/"ENTRYPOINT", else ""
    argv: tuple[str, ...]  # the served program's words, wrappers peeled
    # "gunicorn" | "uwsgi" | "waitress" | "uvicorn" | "hypercorn" | "daphne" | "mod_wsgi"
    # | "flask-run" | "python-script" | "python-module" | "other"
    server: str
    # WSGI/ASGI app specs as written ("app:app", "app:create_app()", "app.py" for uWSGI's
    # wsgi-file); the script path for python-script; the module for python-module; for
    # flask-run exactly one, "" when neither --app nor FLASK_APP names the app.
    targets: tuple[str, ...]
    options: tuple[tuple[str, str], ...]  # see the module docstring
    text: str  # the command as written


@dataclass(frozen=True)
class DeploymentFacts:
    path: str
    # "procfile" | "dockerfile" | "compose" | "appyaml" | "uwsgi" | "gunicorn-conf"
    # | "dotenv" | "flaskenv" | "other"
    kind: str
    env: tuple[EnvSetting, ...]
    commands: tuple[ServeCommand, ...]
    diagnostics: tuple[Diagnostic, ...]


# -- file kinds ------------------------------------------------------------------------------

_COMPOSE_NAME = re.compile(r"docker-compose.*\.ya?ml|compose(?:\..*)?\.ya?ml")
_GUNICORN_CONF_NAMES = frozenset(
    {
        "gunicorn.conf.py",
        "gunicorn.config.py",
        "gunicorn_conf.py",
        "gunicorn_config.py",
        "gunicorn_cfg.py",
        "gunicorn.py",
    }
)


def deployment_kind(relpath: str) -> Optional[str]:
    """The kind of deployment or environment file ``relpath`` names, None for other files.

    ``.ini`` files are "uwsgi" and ``app.yaml`` is "appyaml" by name only; the content
    decides (:func:`extract_deployment_facts` reports "other" for a ``tox.ini`` or a
    non-App Engine ``app.yaml``).
    """
    name = relpath.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name == "procfile" or name.startswith("procfile."):
        return "procfile"
    if (
        name in ("dockerfile", "containerfile")
        or name.startswith(("dockerfile.", "containerfile."))
        or name.endswith((".dockerfile", ".containerfile"))
    ):
        return "dockerfile"
    if _COMPOSE_NAME.fullmatch(name):
        return "compose"
    if name in ("app.yaml", "app.yml"):
        return "appyaml"
    if name.endswith(".ini") or name in ("uwsgi.yml", "uwsgi.yaml"):
        return "uwsgi"
    if name in _GUNICORN_CONF_NAMES:
        return "gunicorn-conf"
    if name == ".flaskenv":
        return "flaskenv"
    if name == ".env" or name.startswith(".env."):
        return "dotenv"
    return None


def extract_deployment_facts(relpath: str, text: str) -> DeploymentFacts:
    """Facts from one file's text; never raises, unparsable content becomes FG909."""
    kind = deployment_kind(relpath)
    if kind is None:
        return DeploymentFacts(relpath, "other", (), (), ())
    # A byte order mark is not content; a space keeps every offset where it was.
    if kind != "gunicorn-conf" and text.startswith("\ufeff"):
        text = " " + text[1:]
    collector = _Collector(relpath, text, kind)
    confirmed = _READERS[kind](collector)
    return collector.facts(kind if confirmed else "other")


# -- positions -------------------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")


class _Lines:
    """Offsets to 1-based (line, column); columns count code points, like ``Span``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def content(self, line: int) -> str:
        start = self.starts[line - 1]
        stop = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:stop].rstrip("\r\n")

    def physical(self) -> Iterator[tuple[int, str]]:
        for number, start in enumerate(self.starts, 1):
            yield start, self.content(number)


@dataclass(frozen=True)
class _Word:
    """A word of a command line and where it is written."""

    value: str
    start: int  # file offsets of the word as written, quotes included, end exclusive
    end: int
    # The file offset of each character of ``value``; None when only the span is known
    # (escaped or folded YAML scalars).
    offsets: Optional[Sequence[int]] = None
    # Where each character's text ends, when one may be written as several (JSON escapes);
    # None when each is written as itself.
    ends: Optional[Sequence[int]] = None

    def offset(self, index: int) -> int:
        if self.offsets is None or index >= len(self.offsets):
            return self.start if self.offsets is None else self.end
        return self.offsets[index]

    def end_offset(self) -> int:
        """End of the value's text: before a closing quote, unlike ``end``."""
        if not self.offsets:
            return self.end
        return self.ends[-1] if self.ends else self.offsets[-1] + 1


@dataclass(frozen=True)
class _Source:
    """Text to lex, with the file offset of each character when known."""

    text: str
    offsets: Optional[Sequence[int]]
    start: int
    end: int
    ends: Optional[Sequence[int]] = None  # as in _Word

    @classmethod
    def of_word(cls, word: _Word) -> _Source:
        return cls(word.value, word.offsets, word.start, word.end, word.ends)

    @classmethod
    def of_file(cls, text: str, start: int, end: int) -> _Source:
        return cls(text[start:end], range(start, end), start, end)


# -- shell lexing ----------------------------------------------------------------------------

_REDIRECT = "<redirect>"
_Item = Union[_Word, str]  # a word or a control operator


class _Lexer:
    """POSIX shell words and operators (``shell``), or plain shell-like word splitting."""

    def __init__(self, source: _Source, shell: bool) -> None:
        self.source = source
        self.shell = shell
        self.items: list[_Item] = []
        self.chars: list[str] = []
        self.char_offsets: list[int] = []
        self.char_ends: list[int] = []
        self.word_start: Optional[int] = None  # index in source.text

    def run(self) -> Optional[list[_Item]]:
        """The items, or None when a quote is not closed."""
        text = self.source.text
        n = len(text)
        i = 0
        while i < n:
            c = text[i]
            if c in " \t\r\f\v" or (c == "\n" and not self.shell):
                self._close(i)
                i += 1
            elif c == "\n":
                self._close(i)
                self.items.append(";")
                i += 1
            elif c == "#" and self.shell and self.word_start is None:
                while i < n and text[i] != "\n":
                    i += 1
            elif c == "\\":
                if i + 1 >= n:
                    self._add(c, i)
                    i += 1
                elif text[i + 1] == "\n":
                    i += 2
                else:
                    self._open(i)
                    self._add(text[i + 1], i + 1)
                    i += 2
            elif c == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    return None
                self._open(i)
                for j in range(i + 1, close):
                    self._add(text[j], j)
                i = close + 1
            elif c == '"':
                self._open(i)
                j = i + 1
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\$`\n':
                        if text[j + 1] != "\n":
                            self._add(text[j + 1], j + 1)
                        j += 2
                    else:
                        self._add(text[j], j)
                        j += 1
                if j >= n:
                    return None
                i = j + 1
            elif self.shell and (c in "&|;<>" or self._paren_operator(c)):
                i = self._operator(i)
            else:
                self._add(c, i)
                i += 1
        self._close(n)
        return self.items

    def _paren_operator(self, c: str) -> bool:
        """Whether a parenthesis groups commands. Inside a word it is kept: sh would reject
        ``gunicorn app:create_app()``, but that is what the author meant to serve."""
        if c == "(":
            return self.word_start is None
        return c == ")" and self.chars.count("(") <= self.chars.count(")")

    def _at(self, index: int) -> int:
        offsets = self.source.offsets
        return offsets[index] if offsets is not None else self.source.start

    def _end_at(self, index: int) -> int:
        if self.source.offsets is None:
            return self.source.end
        if self.source.ends is not None:
            return self.source.ends[index]
        return self.source.offsets[index] + 1

    def _open(self, index: int) -> None:
        if self.word_start is None:
            self.word_start = index

    def _add(self, char: str, index: int) -> None:
        self._open(index)
        self.chars.append(char)
        self.char_offsets.append(self._at(index))
        self.char_ends.append(self._end_at(index))

    def _close(self, index: int) -> None:
        if self.word_start is None:
            return
        offsets = self.source.offsets
        if offsets is None:
            word = _Word("".join(self.chars), self.source.start, self.source.end)
        else:
            word = _Word(
                "".join(self.chars),
                offsets[self.word_start],
                self._end_at(index - 1),
                tuple(self.char_offsets),
                tuple(self.char_ends) if self.source.ends is not None else None,
            )
        self.items.append(word)
        self.chars, self.char_offsets, self.char_ends = [], [], []
        self.word_start = None

    def _operator(self, i: int) -> int:
        text = self.source.text
        n = len(text)
        c = text[i]
        if c in "<>" or (c == "&" and text[i + 1 : i + 2] == ">"):
            # A descriptor number written against the redirection (2>&1) belongs to it.
            pending = "".join(self.chars)
            if (
                self.word_start is not None
                and pending.isdigit()
                and self.word_start == i - len(pending)
            ):
                self.chars, self.char_offsets, self.char_ends = [], [], []
                self.word_start = None
            self._close(i)
            j = i + 1
            while j < n and text[j] in "<>&|":
                j += 1
            self.items.append(_REDIRECT)
            return j
        self._close(i)
        pair = text[i : i + 2]
        if pair in ("&&", "||", ";;", "|&"):
            self.items.append(pair)
            return i + 2
        self.items.append(c)
        return i + 1


def _split_whitespace(source: _Source) -> list[_Item]:
    words: list[_Item] = []
    for m in re.finditer(r"\S+", source.text):
        if source.offsets is None:
            words.append(_Word(m.group(), source.start, source.end))
        else:
            offsets = source.offsets[m.start() : m.end()]
            ends = source.ends[m.start() : m.end()] if source.ends is not None else None
            end = ends[-1] if ends is not None else offsets[-1] + 1
            words.append(_Word(m.group(), offsets[0], end, offsets, ends))
    return words


def _lex(source: _Source, shell: bool) -> list[_Item]:
    items = _Lexer(source, shell).run()
    return items if items is not None else _split_whitespace(source)


def _lex_words(source: _Source) -> list[_Word]:
    return [item for item in _lex(source, shell=False) if isinstance(item, _Word)]


def _segments(items: Sequence[_Item]) -> list[tuple[list[_Word], str]]:
    """Simple commands with the operator that follows each; redirections dropped."""
    segments: list[tuple[list[_Word], str]] = []
    words: list[_Word] = []
    redirected = False
    for item in items:
        if isinstance(item, _Word):
            if redirected:
                redirected = False
            else:
                words.append(item)
        elif item == _REDIRECT:
            redirected = True
        else:
            if words:
                segments.append((words, item))
            words = []
            redirected = False
    if words:
        segments.append((words, ""))
    return segments


# -- interpreting commands -------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?|pypy\d*(?:\.\d+)?")
_APP_SPEC = re.compile(r"[A-Za-z_][\w.]*(?::[A-Za-z_]\w*(?:\.\w+)*(?:\(.*\))?)?", re.S)
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
_SHELL_KEYWORDS = frozenset(
    {"!", "{", "}", "if", "then", "elif", "else", "fi", "do", "done", "while", "until", "time"}
)
_SCRIPT_SERVERS = frozenset({"python-script", "python-module"})
_SETUP_OPERATORS = frozenset({"&&", ";", ";;"})
_MAX_DEPTH = 16  # nested ``sh -c`` strings; real commands nest two or three


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class _Wrapper:
    """A program that runs the rest of its command line (``poetry run CMD``)."""

    subcommand: str = ""
    valued: frozenset[str] = frozenset()  # options that take the next word
    long_options_take_values: bool = False
    operands: int = 0  # words before the command (gosu USER CMD)


_WRAPPERS: Mapping[str, _Wrapper] = {
    "exec": _Wrapper(valued=frozenset({"-a"})),
    "nohup": _Wrapper(),
    "env": _Wrapper(valued=frozenset({"-u", "--unset", "-C", "--chdir"})),
    "poetry": _Wrapper(subcommand="run"),
    "pipenv": _Wrapper(subcommand="run"),
    "pdm": _Wrapper(subcommand="run", valued=frozenset({"-p", "--project", "--venv"})),
    "uv": _Wrapper(
        subcommand="run",
        valued=_names(
            "--with --with-editable --with-requirements --python -p --extra --group "
            "--only-group --no-group --env-file --directory --project --package --index "
            "--default-index --index-url --extra-index-url"
        ),
    ),
    "newrelic-admin": _Wrapper(subcommand="run-program"),
    "ddtrace-run": _Wrapper(),
    "opentelemetry-instrument": _Wrapper(long_options_take_values=True),
    "tini": _Wrapper(valued=frozenset({"-p", "-e"})),
    "dumb-init": _Wrapper(valued=frozenset({"-r", "--rewrite"})),
    "gosu": _Wrapper(operands=1),
    "su-exec": _Wrapper(operands=1),
    # Heroku buildpacks start a sidecar, then run the rest of the line.
    "start-nginx": _Wrapper(),
    "start-nginx-solo": _Wrapper(),
    "start-pgbouncer": _Wrapper(),
    "start-pgbouncer-stunnel": _Wrapper(),
}


def _skip_options(words: Sequence[_Word], i: int, wrapper: _Wrapper) -> int:
    """The index of the first word after the options that start at ``i``."""
    while i < len(words):
        value = words[i].value
        if value == "--":
            return i + 1
        if not value.startswith("-") or value == "-":
            break
        takes_value = value in wrapper.valued or (
            wrapper.long_options_take_values and value.startswith("--")
        )
        i += 2 if takes_value and "=" not in value else 1
    return i


def _unwrap(wrapper: _Wrapper, words: Sequence[_Word], i: int) -> Optional[int]:
    """Where the wrapped command starts when the wrapper's arguments start at ``i``;
    None when this use of the program does not run a command."""
    i = _skip_options(words, i, wrapper)
    if wrapper.subcommand:
        if i >= len(words) or words[i].value != wrapper.subcommand:
            return None
        i = _skip_options(words, i + 1, wrapper)
    return i + wrapper.operands


def _program_name(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _is_python(word: str) -> bool:
    return _PYTHON.fullmatch(_program_name(word)) is not None


@dataclass(frozen=True)
class _Options:
    """How a server's command line is read."""

    valued: Mapping[str, str]  # every spelling of an option that takes a value -> long name
    flags: Mapping[str, str]
    keep: frozenset[str]  # long names reported in ServeCommand.options
    # uWSGI and mod_wsgi-express have hundreds of options, nearly all with a value: an
    # unknown ``--name`` takes the next word unless that word is an option itself.
    guess_values: bool = False


def _table(spellings: str) -> dict[str, str]:
    """``"-b/--bind --threads"`` -> each spelling mapped to its long name."""
    table: dict[str, str] = {}
    for group in spellings.split():
        names = group.split("/")
        canonical = next((n for n in names if n.startswith("--")), names[0])
        for name in names:
            table[name] = canonical
    return table


_GUNICORN = _Options(
    valued=_table(
        "-b/--bind -w/--workers -k/--worker-class -c/--config -t/--timeout --graceful-timeout "
        "--keep-alive --threads --worker-connections --max-requests --max-requests-jitter "
        "--backlog --chdir --pythonpath -e/--env -n/--name -p/--pid -u/--user -g/--group "
        "-m/--umask --worker-tmp-dir --log-level --access-logfile --access-logformat "
        "--error-logfile/--log-file --log-config --log-config-json --log-syslog-to "
        "--log-syslog-prefix --log-syslog-facility --logger-class --statsd-host "
        "--statsd-prefix --dogstatsd-tags --certfile --keyfile --ca-certs --ssl-version "
        "--cert-reqs --ciphers --limit-request-line --limit-request-fields "
        "--limit-request-field_size --forwarded-allow-ips --proxy-allow-from --paste/--paster "
        "--reload-engine --reload-extra-file --header-map --forwarder-headers"
    ),
    flags=_table(
        "--reload --preload -D/--daemon -R/--enable-stdio-inheritance --capture-output "
        "--check-config --print-config --spew --no-sendfile --reuse-port --initgroups "
        "--proxy-protocol --log-syslog --do-handshake-on-connect --suppress-ragged-eofs "
        "--strip-header-spaces"
    ),
    keep=frozenset(
        {"--bind", "--reload", "--chdir", "--pythonpath", "--config", "--worker-class", "--preload"}
    ),
)
_FLASK = _Options(
    valued=_table(
        "-A/--app -e/--env-file -h/--host -p/--port --cert --key --extra-files --exclude-patterns"
    ),
    flags=_table(
        "--debug --no-debug --reload --no-reload --debugger --no-debugger --with-threads "
        "--without-threads --eager-loading --lazy-loading"
    ),
    keep=_names(
        "--app --env-file --host --port --cert --debug --no-debug --reload --no-reload "
        "--debugger --no-debugger"
    ),
)
_UVICORN = _Options(
    valued=_table(
        "--host --port --uds --fd --reload-dir --reload-include --reload-exclude --reload-delay "
        "--workers --loop --http --ws --ws-max-size --ws-max-queue --ws-ping-interval "
        "--ws-ping-timeout --ws-per-message-deflate --lifespan --interface --env-file "
        "--log-config --log-level --root-path --limit-concurrency --backlog "
        "--limit-max-requests --timeout-keep-alive --timeout-graceful-shutdown --ssl-keyfile "
        "--ssl-certfile --ssl-keyfile-password --ssl-version --ssl-cert-reqs --ssl-ca-certs "
        "--ssl-ciphers -H/--header --app-dir --h11-max-incomplete-event-size "
        "--forwarded-allow-ips"
    ),
    flags=_table(
        "--reload --factory --use-colors --no-use-colors --access-log --no-access-log "
        "--proxy-headers --no-proxy-headers --server-header --no-server-header --date-header "
        "--no-date-header"
    ),
    keep=frozenset(
        {
            "--host",
            "--port",
            "--uds",
            "--reload",
            "--factory",
            "--interface",
            "--app-dir",
            "--env-file",
        }
    ),
)
_HYPERCORN = _Options(
    valued=_table(
        "-b/--bind --insecure-bind --quic-bind -c/--config -w/--workers -k/--worker-class "
        "--root-path --access-logfile --error-logfile/--log-file --log-config --log-level "
        "--access-logformat --keyfile --keyfile-password --certfile --ca-certs --ciphers "
        "--keep-alive --graceful-timeout --read-timeout -p/--pid -u/--user -g/--group "
        "-m/--umask --backlog --server-name --max-requests --max-requests-jitter --statsd-host "
        "--statsd-prefix --websocket-ping-interval"
    ),
    flags=_table("--debug --reload"),
    keep=frozenset({"--bind", "--insecure-bind", "--quic-bind", "--config", "--reload", "--debug"}),
)
_DAPHNE = _Options(
    valued=_table(
        "-b/--bind -p/--port -u/--unix-socket --fd -e/--endpoint --access-log --log-fmt "
        "-v/--verbosity -t/--http-timeout --websocket_timeout --websocket_connect_timeout "
        "--application-close-timeout --root-path --proxy-headers-host --proxy-headers-port "
        "--ping-interval --ping-timeout -s/--server-name"
    ),
    flags=_table("--proxy-headers --no-server-name"),
    keep=frozenset({"--bind", "--port", "--unix-socket", "--endpoint"}),
)
_WAITRESS = _Options(
    valued=_table(
        "--app --host --port --listen --unix-socket --unix-socket-perms --url-scheme "
        "--url-prefix --ident --threads --backlog --recv-bytes --send-bytes --outbuf-overflow "
        "--outbuf-high-watermark --inbuf-overflow --connection-limit --cleanup-interval "
        "--channel-timeout --max-request-header-size --max-request-body-size "
        "--asyncore-loop-timeout --trusted-proxy --trusted-proxy-count --trusted-proxy-headers"
    ),
    flags=_table(
        "--call --expose-tracebacks --no-expose-tracebacks --ipv4 --no-ipv4 --ipv6 --no-ipv6 "
        "--log-untrusted-proxy-headers --clear-untrusted-proxy-headers "
        "--no-clear-untrusted-proxy-headers --asyncore-use-poll"
    ),
    keep=frozenset(
        {"--host", "--port", "--listen", "--unix-socket", "--call", "--expose-tracebacks"}
    ),
)
_MOD_WSGI = _Options(
    valued=_table("--host --port --application-type"),
    flags=_table(
        "--reload-on-changes --debug-mode --enable-debugger --log-to-terminal --access-log "
        "--startup-log --https-only --setup-only --compress-responses --server-status "
        "--enable-coverage --enable-profiler --enable-recorder --enable-gdb --rotate-logs "
        "--allow-localhost --enable-docs --enable-sendfile"
    ),
    keep=frozenset(
        {"--host", "--port", "--reload-on-changes", "--debug-mode", "--enable-debugger"}
    ),
    guess_values=True,
)
_UWSGI = _Options(
    valued=_table(
        "-w/--module -s/--socket -p/--processes -H/--home -b/--buffer-size -t/--harakiri"
    ),
    flags=_table(
        "-M/--master -T/--enable-threads -L/--disable-logging --lazy-apps --lazy --vacuum "
        "--die-on-term --need-app --single-interpreter --strict --no-orphans --thunder-lock "
        "--harakiri-verbose --honour-stdin --log-master --memory-report --no-default-app "
        "--auto-procname --catch-exceptions"
    ),
    keep=frozenset(),  # uWSGI keeps every option; see _uwsgi_settings
    guess_values=True,
)
_UWSGI_KEEP = frozenset(
    {
        "http",
        "https",
        "socket",
        "http-socket",
        "chdir",
        "pythonpath",
        "callable",
        "py-autoreload",
        "ini",
    }
)
_UWSGI_ALIASES = {
    "wsgi": "module",
    "file": "wsgi-file",
    "python-path": "pythonpath",
    "pp": "pythonpath",
}

_Found = tuple[str, str, _Word, int]  # long name, value, word holding the value, its index


def _parse_options(args: Sequence[_Word], spec: _Options) -> tuple[list[_Word], list[_Found]]:
    """Positional words, and the options that were recognised (or guessed) in order."""
    positionals: list[_Word] = []
    found: list[_Found] = []
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        following = args[i + 1] if i + 1 < len(args) else None
        i += 1
        if value == "--":
            positionals.extend(args[i:])
            break
        if value.startswith("--"):
            name, eq, attached = value.partition("=")
            known = spec.valued.get(name) or spec.flags.get(name)
            if eq:
                if known or spec.guess_values:
                    found.append((known or name, attached, word, len(name) + 1))
            elif name in spec.valued or (
                spec.guess_values
                and name not in spec.flags
                and following is not None
                and not following.value.startswith("-")
            ):
                if following is not None:
                    found.append((spec.valued.get(name, name), following.value, following, 0))
                    i += 1
            elif known or spec.guess_values:
                found.append((known or name, "", word, len(value)))
        elif value.startswith("-") and len(value) > 1:
            short = value[:2]
            if short in spec.valued:
                if len(value) > 2:
                    found.append((spec.valued[short], value[2:], word, 2))
                elif following is not None:
                    found.append((spec.valued[short], following.value, following, 0))
                    i += 1
            elif short in spec.flags and len(value) == 2:
                found.append((spec.flags[short], "", word, len(value)))
        else:
            positionals.append(word)
    return positionals, found


def _kept(found: Sequence[_Found], spec: _Options) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value, _, _ in found if name in spec.keep)


def _first_app_spec(words: Sequence[_Word]) -> tuple[str, ...]:
    for word in words:
        if _APP_SPEC.fullmatch(word.value):
            return (word.value,)
    return ()


@dataclass
class _Program:
    server: str
    argv: tuple[str, ...]
    targets: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    start: int = 0
    end: int = 0
    depth: int = 0  # 0 for the file's own command, +1 per nested ``sh -c`` string
    setup: bool = False  # followed by ``&&``/``;`` and another command


@dataclass
class _Chain:
    """Shell state that carries from one command of a chain to the next."""

    env: dict[str, str]
    workdir: Optional[str]


_Served = tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]  # server, targets, options
_Handler = Callable[[Sequence[_Word], "_Collector", Mapping[str, str]], _Served]


def _gunicorn(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _GUNICORN)
    for name, _, word, index in found:
        if name == "--env":
            c.env_from_word(word, index)
    return "gunicorn", _first_app_spec(positionals), _kept(found, _GUNICORN)


def _uvicorn(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _UVICORN)
    return "uvicorn", _first_app_spec(positionals), _kept(found, _UVICORN)


def _hypercorn(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _HYPERCORN)
    return "hypercorn", _first_app_spec(positionals), _kept(found, _HYPERCORN)


def _daphne(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _DAPHNE)
    return "daphne", _first_app_spec(positionals), _kept(found, _DAPHNE)


def _waitress(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _WAITRESS)
    apps = [value for name, value, _, _ in found if name == "--app"]
    targets = (apps[-1],) if apps else _first_app_spec(positionals)
    return "waitress", targets, _kept(found, _WAITRESS)


def _mod_wsgi(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _MOD_WSGI)
    if not positionals or positionals[0].value not in ("start-server", "setup-server"):
        return "other", (), ()
    targets = (positionals[1].value,) if len(positionals) > 1 else ()
    return "mod_wsgi", targets, _kept(found, _MOD_WSGI)


def _flask(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _FLASK)
    if not positionals or positionals[0].value != "run":
        return "other", (), ()
    apps = [value for name, value, _, _ in found if name == "--app"]
    target = apps[-1] if apps else env.get("FLASK_APP", "")
    return "flask-run", (target,), _kept(found, _FLASK)


def _uwsgi(args: Sequence[_Word], c: _Collector, env: Mapping[str, str]) -> _Served:
    positionals, found = _parse_options(args, _UWSGI)
    settings = [(_uwsgi_key(name), value, word, index) for name, value, word, index in found]
    # uWSGI loads a lone config file argument by its extension.
    settings += [("ini", w.value, w, 0) for w in positionals if w.value.endswith(".ini")]
    return ("uwsgi", *_uwsgi_settings(settings, c))


def _uwsgi_key(name: str) -> str:
    key = name.lstrip("-").replace("_", "-")
    return _UWSGI_ALIASES.get(key, key)


def _uwsgi_settings(
    settings: Sequence[_Found], c: _Collector
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    modules: list[str] = []
    files: list[str] = []
    mounts: list[str] = []
    callable_name: Optional[str] = None
    options: list[tuple[str, str]] = []
    for key, value, word, index in settings:
        if key == "module":
            modules.append(value)
        elif key == "wsgi-file":
            files.append(value)
        elif key == "mount":
            mounts.append(value.partition("=")[2] or value)
        elif key == "callable":
            callable_name = value
        elif key == "env":
            c.env_from_word(word, index)
        if key in _UWSGI_KEEP:
            options.append((key, value))
    # A module without a callable serves uWSGI's default callable, ``application``.
    specs = [m if ":" in m or callable_name is None else f"{m}:{callable_name}" for m in modules]
    return tuple(dict.fromkeys(specs + files + mounts)), tuple(options)


def _shell_operands(words: Sequence[_Word], i: int) -> tuple[bool, int]:
    """Whether the shell at ``words[i]`` runs a ``-c`` string, and where its operands start."""
    i += 1
    command = False
    while i < len(words):
        value = words[i].value
        if value == "--":
            return command, i + 1
        if value in ("--rcfile", "--init-file"):
            i += 2
        elif value.startswith("--"):
            i += 1
        elif len(value) > 1 and value[0] in "-+":
            letters = value[1:]
            command = command or "c" in letters
            # -o and -O name an option in the next word (bash -o pipefail -c ...).
            i += 2 if "o" in letters or "O" in letters else 1
        else:
            break
    return command, i


_SERVERS: Mapping[str, _Handler] = {
    "gunicorn": _gunicorn,
    "uvicorn": _uvicorn,
    "hypercorn": _hypercorn,
    "daphne": _daphne,
    "waitress-serve": _waitress,
    "uwsgi": _uwsgi,
    "mod_wsgi-express": _mod_wsgi,
    "flask": _flask,
}
_SERVER_MODULES: Mapping[str, str] = {  # python -m NAME -> the program it is
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "daphne": "daphne",
    "waitress": "waitress-serve",
    "flask": "flask",
}
_KNOWN_PROGRAMS = frozenset(_SERVERS) | frozenset(_WRAPPERS) | _SHELLS


class _Interpreter:
    """Turns command words into the programs they run."""

    def __init__(self, collector: _Collector) -> None:
        self.c = collector

    def shell(self, source: _Source, chain: _Chain, depth: int) -> list[_Program]:
        programs: list[_Program] = []
        segments = _segments(_lex(source, shell=True))
        for index, (words, operator) in enumerate(segments):
            found = self.words(words, chain, depth)
            if operator in _SETUP_OPERATORS and index < len(segments) - 1:
                for program in found:
                    program.setup = program.setup or program.depth == depth
            programs.extend(found)
        return programs

    def words(self, words: Sequence[_Word], chain: _Chain, depth: int) -> list[_Program]:
        i = 0
        while i < len(words) and words[i].value in _SHELL_KEYWORDS:
            i += 1
        if i >= len(words):
            return []
        start, end = words[i].start, words[-1].end
        env: Mapping[str, str] = chain.env
        local: Optional[dict[str, str]] = None  # VAR=value before the command
        while i < len(words):
            head = words[i].value
            name = _program_name(head)
            if _ASSIGNMENT.match(head):
                pair = self.c.env_from_word(words[i], 0)
                if pair is not None:
                    local = dict(chain.env) if local is None else local
                    local[pair[0]] = pair[1]
                    env = local
                i += 1
            elif name == "export":
                for word in words[i + 1 :]:
                    pair = self.c.env_from_word(word, 0) if _ASSIGNMENT.match(word.value) else None
                    if pair is not None:
                        chain.env[pair[0]] = pair[1]
                return []
            elif name == "cd":
                operands = [w.value for w in words[i + 1 :] if not w.value.startswith("-")]
                if operands:
                    chain.workdir = posixpath.normpath(
                        posixpath.join(chain.workdir or "", operands[0])
                    )
                return []
            elif name in _SHELLS:
                command, i = _shell_operands(words, i)
                if command:
                    if i >= len(words) or depth >= _MAX_DEPTH:
                        return []
                    inner = _Chain(dict(env), chain.workdir)
                    return self.shell(_Source.of_word(words[i]), inner, depth + 1)
                # Otherwise ``sh script.sh``: the script is the program.
            elif (
                name == "newrelic-admin"
                and words[i + 1 : i + 2]
                and words[i + 1].value == "run-python"
            ):
                return [self._python(words[i + 1 :], env, chain, depth, start, end)]
            elif name in _WRAPPERS:
                unwrapped = _unwrap(_WRAPPERS[name], words, i + 1)
                if unwrapped is None:
                    break
                i = unwrapped
            elif _is_python(head):
                return [self._python(words[i:], env, chain, depth, start, end)]
            elif name in _SERVERS:
                args = words[i + 1 :]
                served = _SERVERS[name](args, self.c, env)
                argv = (name, *(w.value for w in args))
                return [self._program(served, argv, chain, depth, start, end)]
            else:
                break
        if i >= len(words):
            return []
        argv = tuple(w.value for w in words[i:])
        return [self._program(("other", (), ()), argv, chain, depth, start, end)]

    def _python(
        self,
        rest: Sequence[_Word],
        env: Mapping[str, str],
        chain: _Chain,
        depth: int,
        start: int,
        end: int,
    ) -> _Program:
        args = rest[1:]
        argv = tuple(w.value for w in rest)
        i = 0
        while i < len(args):
            value = args[i].value
            if value == "-" or not value.startswith("-"):
                break
            i += 1
            if value.startswith("--"):
                if value == "--check-hash-based-pycs":
                    i += 1
                continue
            for j in range(1, len(value)):
                letter = value[j]
                if letter not in "cmWX":
                    continue
                attached = value[j + 1 :]
                if not attached and i < len(args):
                    attached = args[i].value
                    i += 1
                if letter == "c" or (letter == "m" and not attached):
                    return self._program(("other", (), ()), argv, chain, depth, start, end)
                if letter == "m":
                    return self._module(attached, args[i:], env, chain, depth, start, end)
                break
        if i < len(args) and args[i].value != "-":
            served: _Served = ("python-script", (args[i].value,), ())
            return self._program(served, argv, chain, depth, start, end)
        return self._program(("other", (), ()), argv, chain, depth, start, end)

    def _module(
        self,
        module: str,
        args: Sequence[_Word],
        env: Mapping[str, str],
        chain: _Chain,
        depth: int,
        start: int,
        end: int,
    ) -> _Program:
        program = _SERVER_MODULES.get(module)
        argv = (module, *(w.value for w in args))
        if program is None:
            served: _Served = ("python-module", (module,), ())
        else:
            served = _SERVERS[program](args, self.c, env)
        return self._program(served, argv, chain, depth, start, end)

    @staticmethod
    def _program(
        served: _Served,
        argv: tuple[str, ...],
        chain: _Chain,
        depth: int,
        start: int,
        end: int,
    ) -> _Program:
        server, targets, options = served
        if chain.workdir and server != "other":
            options = (*options, ("workdir", chain.workdir))
        return _Program(server, argv, targets, options, start, end, depth)

    def is_script(self, words: Sequence[_Word]) -> bool:
        """Whether an exec-form ENTRYPOINT is a script that runs CMD (``exec "$@"``),
        rather than the start of the command CMD completes (``["gunicorn"]``)."""
        programs = self.words(words, _Chain({}, None), 0)
        if not programs:
            return False
        last = programs[-1]
        name = _program_name(last.argv[0])
        return last.server == "other" and name not in _KNOWN_PROGRAMS and not _is_python(name)


# -- collecting facts ------------------------------------------------------------------------


class _Collector:
    def __init__(self, path: str, text: str, source: str) -> None:
        self.path = path
        self.text = text
        self.source = source
        self.lines = _Lines(text)
        self.env: list[EnvSetting] = []
        self.commands: list[ServeCommand] = []
        self.diagnostics: list[Diagnostic] = []
        self.interpreter = _Interpreter(self)

    def add_env(self, key: str, value: str, start: int, end: int) -> None:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(max(end, start))
        if end_line != line:
            end_column = len(self.lines.content(line)) + 1
        self.env.append(EnvSetting(self.path, line, column, end_column, key, value, self.source))

    def env_from_word(self, word: _Word, index: int) -> Optional[tuple[str, str]]:
        """Records ``KEY=value`` written in ``word`` from ``index`` on."""
        key, eq, value = word.value[index:].partition("=")
        if not eq or not key:
            return None
        # FOO="a b" ends after its closing quote; in "FOO=a b" the quotes surround the key too.
        quoted = word.offset(0) != word.start
        self.add_env(key, value, word.offset(index), word.end_offset() if quoted else word.end)
        return key, value

    def diagnostic(self, message: str, offset: Optional[int] = None) -> None:
        line = column = None
        if offset is not None:
            line, column = self.lines.position(min(max(offset, 0), len(self.text)))
        self.diagnostics.append(Diagnostic("FG909", self.path, message, line, column))

    def command(
        self,
        start: int,
        end: int,
        process: str,
        server: str,
        argv: tuple[str, ...],
        targets: tuple[str, ...] = (),
        options: tuple[tuple[str, str], ...] = (),
    ) -> None:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(max(end, start))
        self.commands.append(
            ServeCommand(
                self.path, line, column, end_line, end_column, self.source, process,
                argv, server, targets, options, self.text[start:end],
            )
        )  # fmt: skip

    def emit(
        self,
        programs: Sequence[_Program],
        process: str,
        span: Optional[tuple[int, int]] = None,
    ) -> None:
        """Reports the programs that serve; ``span`` replaces the span of the file's own
        command (an exec-form array, a YAML node, a CMD completing an ENTRYPOINT)."""
        served = [
            p
            for p in programs
            if p.server != "other" and not (p.setup and p.server in _SCRIPT_SERVERS)
        ]
        if not served and programs:
            served = [dataclasses.replace(programs[-1], server="other", targets=(), options=())]
        for p in served:
            start, end = span if span is not None and p.depth == 0 else (p.start, p.end)
            self.command(start, end, process, p.server, p.argv, p.targets, p.options)

    def facts(self, kind: str) -> DeploymentFacts:
        def where(item: Union[EnvSetting, ServeCommand]) -> tuple[int, int]:
            return item.line, item.column

        return DeploymentFacts(
            self.path,
            kind,
            tuple(sorted(dict.fromkeys(self.env), key=where)),
            tuple(sorted(dict.fromkeys(self.commands), key=where)),
            tuple(self.diagnostics),
        )


# -- Procfile --------------------------------------------------------------------------------

_PROCFILE_LINE = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)[ \t]*")


def _read_procfile(c: _Collector) -> bool:
    for start, line in c.lines.physical():
        m = _PROCFILE_LINE.fullmatch(line)
        if m is None or not m.group(2):
            continue
        source = _Source.of_file(c.text, start + m.start(2), start + m.end(2))
        c.emit(c.interpreter.shell(source, _Chain({}, None), 0), m.group(1))
    return True


# -- Dockerfile ------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*")
_INSTRUCTION = re.compile(r"\s*(\S+)\s*")
_HEREDOC = re.compile(r"<<(-?)[ \t]*([\"']?)([A-Za-z_][\w.-]*)\2")


@dataclass(frozen=True)
class _DockerCommand:
    words: Optional[list[_Word]]  # exec form
    source: _Source  # the instruction's arguments as written

    def as_words(self) -> list[_Word]:
        if self.words is not None:
            return self.words
        # Docker runs the shell form as ``/bin/sh -c "<text>"``.
        at = self.source.start
        return [
            _Word("/bin/sh", at, at),
            _Word("-c", at, at),
            _Word(self.source.text, self.source.start, self.source.end, self.source.offsets),
        ]


@dataclass
class _Stage:
    env: dict[str, str]
    workdir: Optional[str]
    entrypoint: Optional[_DockerCommand]
    commands: list[tuple[str, _DockerCommand]] = field(default_factory=list)


def _dockerfile_instructions(c: _Collector) -> Iterator[tuple[str, _Source]]:
    physical = list(c.lines.physical())
    escape = "\\"
    # Parser directives are only read before anything else in the file.
    for _, line in physical:
        m = _DIRECTIVE.fullmatch(line)
        if m is None:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("\\", "`"):
            escape = m.group(2)

    def skippable(line: str) -> bool:
        stripped = line.strip()
        return not stripped or stripped.startswith("#")

    i = 0
    while i < len(physical):
        start, line = physical[i]
        i += 1
        if skippable(line):
            continue
        chars: list[str] = []
        offsets: list[int] = []
        while True:
            body = line.rstrip()
            if not body.endswith(escape):
                chars.append(line)
                offsets.extend(range(start, start + len(line)))
                break
            body = body[:-1]
            chars.append(body)
            offsets.extend(range(start, start + len(body)))
            # Comment and empty lines inside a continued instruction are dropped.
            while i < len(physical) and skippable(physical[i][1]):
                i += 1
            if i >= len(physical):
                break
            start, line = physical[i]
            i += 1
        logical = "".join(chars)
        m = _INSTRUCTION.match(logical)
        if m is None or not offsets:
            continue
        keyword = m.group(1).upper()
        rest = logical[m.end() :]
        rest_offsets = offsets[m.end() :]
        begin = rest_offsets[0] if rest_offsets else offsets[-1] + 1
        yield keyword, _Source(rest, rest_offsets, begin, offsets[-1] + 1)
        if keyword in ("RUN", "COPY", "ADD"):
            # A heredoc body is data, not instructions.
            for doc in _HEREDOC.finditer(rest):
                while i < len(physical):
                    body_line = physical[i][1]
                    i += 1
                    if (body_line.lstrip("\t") if doc.group(1) else body_line) == doc.group(3):
                        break


_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


def _exec_form(source: _Source) -> Optional[list[_Word]]:
    """The words of a JSON array of strings; None when Docker would use the shell form."""
    text = source.text
    offsets = source.offsets
    if offsets is None:
        return None
    body = text.strip(" \t\r\n")
    if not (body.startswith("[") and body.endswith("]")):
        return None
    i = len(text) - len(text.lstrip(" \t\r\n")) + 1
    stop = len(text.rstrip(" \t\r\n")) - 1
    words: list[_Word] = []
    expect_value = False
    while True:
        while i < stop and text[i] in " \t\r\n":
            i += 1
        if i >= stop:
            return words if not expect_value else None
        if text[i] != '"':
            return None
        parsed = _json_string(text, i, offsets)
        if parsed is None:
            return None
        word, i = parsed
        words.append(word)
        while i < stop and text[i] in " \t\r\n":
            i += 1
        if i >= stop:
            return words
        if text[i] != ",":
            return None
        i += 1
        expect_value = True


def _json_string(text: str, i: int, offsets: Sequence[int]) -> Optional[tuple[_Word, int]]:
    chars: list[str] = []
    char_offsets: list[int] = []
    char_ends: list[int] = []
    j = i + 1
    while j < len(text):
        ch = text[j]
        first = j
        if ch == '"':
            word = _Word("".join(chars), offsets[i], offsets[j] + 1, char_offsets, char_ends)
            return word, j + 1
        if ch < " ":
            return None
        if ch != "\\":
            j += 1
        elif text[j + 1 : j + 2] in _JSON_ESCAPES:
            ch = _JSON_ESCAPES[text[j + 1]]
            j += 2
        elif text[j + 1 : j + 2] == "u" and _HEX4.fullmatch(text, j + 2, j + 6):
            code = int(text[j + 2 : j + 6], 16)
            j += 6
            # A surrogate pair is one character, as json.loads reads it.
            if text[j : j + 2] == "\\u" and _HEX4.fullmatch(text, j + 2, j + 6):
                low = int(text[j + 2 : j + 6], 16)
                if 0xD800 <= code < 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    j += 6
            ch = chr(code)
        else:
            return None
        chars.append(ch)
        char_offsets.append(offsets[first])
        char_ends.append(offsets[j - 1] + 1)
    return None


def _read_dockerfile(c: _Collector) -> bool:
    stage = _Stage({}, None, None)
    # Instructions before the first FROM are an error for Docker; they are still reported.
    stages = [stage]
    named: dict[str, _Stage] = {}
    for keyword, source in _dockerfile_instructions(c):
        if keyword == "FROM":
            words = [w for w in source.text.split() if not w.startswith("--")]
            parent = named.get(words[0].lower()) if words else None
            stage = _Stage(
                dict(parent.env) if parent else {},
                parent.workdir if parent else None,
                parent.entrypoint if parent else None,
            )
            stages.append(stage)
            if len(words) >= 3 and words[1].lower() == "as":
                named[words[2].lower()] = stage
        elif keyword == "ENV":
            _docker_env(c, source, stage)
        elif keyword == "WORKDIR":
            paths = _lex_words(source)
            if paths:
                stage.workdir = posixpath.normpath(
                    posixpath.join(stage.workdir or "/", paths[0].value)
                )
        elif keyword in ("CMD", "ENTRYPOINT"):
            command = _DockerCommand(_exec_form(source), source)
            stage.commands.append((keyword, command))
            if keyword == "ENTRYPOINT":
                stage.entrypoint = command
    for stage in stages:
        _docker_stage_commands(c, stage)
    return True


def _docker_env(c: _Collector, source: _Source, stage: _Stage) -> None:
    words = _lex_words(source)
    if not words:
        return
    if "=" in words[0].value:
        for word in words:
            pair = c.env_from_word(word, 0)
            if pair is not None:
                stage.env[pair[0]] = pair[1]
    elif len(words) > 1:
        # Legacy ``ENV KEY value with spaces``: one variable, the rest of the line.
        key = words[0]
        value = " ".join(w.value for w in words[1:])
        c.add_env(key.value, value, key.offset(0), words[-1].end_offset())
        stage.env[key.value] = value


def _docker_stage_commands(c: _Collector, stage: _Stage) -> None:
    has_cmd = any(keyword == "CMD" for keyword, _ in stage.commands)
    entrypoint = stage.entrypoint
    prefix = (
        entrypoint.words
        if entrypoint is not None
        and entrypoint.words is not None
        and not c.interpreter.is_script(entrypoint.words)
        else None
    )
    for keyword, command in stage.commands:
        span = (command.source.start, command.source.end)
        chain = _Chain(dict(stage.env), stage.workdir)
        if keyword == "ENTRYPOINT":
            if has_cmd and command.words is not None:
                continue  # Docker appends CMD to it: reported with the CMD
            programs = (
                c.interpreter.words(command.words, chain, 0)
                if command.words is not None
                else c.interpreter.shell(command.source, chain, 0)
            )
        elif prefix is not None:
            programs = c.interpreter.words(prefix + command.as_words(), chain, 0)
        elif command.words is not None:
            programs = c.interpreter.words(command.words, chain, 0)
        else:
            programs = c.interpreter.shell(command.source, chain, 0)
        c.emit(programs, keyword, span)


# -- YAML: compose and App Engine ------------------------------------------------------------
# The functions below import yaml themselves: most projects have no YAML deployment file, and
# the parser is a noticeable part of the start-up of a small scan.

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
_SERVICE_KEYS = frozenset({"image", "build", "command", "entrypoint", "environment"})


def _load_yaml(c: _Collector) -> tuple[bool, Optional[yaml.Node]]:
    import yaml

    try:
        return True, yaml.compose(c.text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # Only the parser's own words: str(exc) would quote the offending source line.
        what = "; ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        mark = exc.problem_mark or exc.context_mark
        c.diagnostic(
            f"Not valid YAML ({what}); what the file configures is unknown.",
            mark.index if mark else None,
        )
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        c.diagnostic(
            "Not valid YAML (it contains a character YAML does not allow); what the file "
            "configures is unknown.",
            position if isinstance(position, int) else None,
        )
    except RecursionError:
        c.diagnostic("Nested too deeply to be read as YAML; what the file configures is unknown.")
    return False, None


if TYPE_CHECKING:
    _Pairs = dict[str, tuple[yaml.Node, yaml.Node]]


def _pairs(
    node: yaml.MappingNode, depth: int = 0, done: Optional[dict[int, _Pairs]] = None
) -> _Pairs:
    """Key -> (key node, value node), with ``<<`` merges applied (own keys win)."""
    import yaml

    # Aliases make the graph a DAG (or a cycle): each mapping is merged once, and chains of
    # merges are cut where no real file goes.
    done = {} if done is None else done
    if id(node) in done or depth > 64:
        return done.get(id(node), {})
    done[id(node)] = {}
    own: _Pairs = {}
    merged: _Pairs = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.tag == _MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for merge in sources:
                if isinstance(merge, yaml.MappingNode):
                    for name, pair in _pairs(merge, depth + 1, done).items():
                        merged.setdefault(name, pair)
        else:
            own[str(key.value)] = (key, value)
    done[id(node)] = {**merged, **own}
    return done[id(node)]


def _scalar(node: yaml.Node) -> Optional[str]:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return None
    return "" if node.tag == _NULL_TAG else str(node.value)


def _scalar_word(c: _Collector, node: yaml.ScalarNode) -> _Word:
    start, end = node.start_mark.index, node.end_mark.index
    value = _scalar(node) or ""
    quoted = node.style in ("'", '"')
    inner = start + 1 if quoted else start
    closing = end - 1 if quoted else end
    verbatim = c.text[inner:closing] == value
    return _Word(value, start, end, range(inner, inner + len(value)) if verbatim else None)


def _yaml_env(c: _Collector, node: Optional[yaml.Node]) -> dict[str, str]:
    """A compose ``environment`` / App Engine ``env_variables``: mapping or KEY=value list."""
    import yaml

    env: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for key, (key_node, value_node) in _pairs(node).items():
            # ``KEY:`` without a value passes the variable through from where compose runs;
            # its value is unknown here and recorded as "".
            value = _scalar(value_node)
            if value is None:
                continue
            end = max(key_node.end_mark.index, value_node.end_mark.index)
            c.add_env(key, value, key_node.start_mark.index, end)
            env[key] = value
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                continue
            word = _scalar_word(c, item)
            pair = c.env_from_word(word, 0)
            if pair is None and word.value:
                c.add_env(word.value, "", word.offset(0), word.end_offset())
                pair = (word.value, "")
            if pair is not None:
                env[pair[0]] = pair[1]
    return env


def _yaml_command(
    c: _Collector, node: Optional[yaml.Node]
) -> Optional[tuple[list[_Word], int, int]]:
    """Words of a compose ``command``/``entrypoint``: a list, or a string split like a
    shell would split it, without a shell running it."""
    import yaml

    if isinstance(node, yaml.ScalarNode) and _scalar(node):
        words = _lex_words(_Source.of_word(_scalar_word(c, node)))
    elif isinstance(node, yaml.SequenceNode):
        items = [item for item in node.value if isinstance(item, yaml.ScalarNode)]
        words = [_scalar_word(c, item) for item in items]
    else:
        return None
    if not words:
        return None
    return words, node.start_mark.index, node.end_mark.index


def _read_compose(c: _Collector) -> bool:
    import yaml

    ok, root = _load_yaml(c)
    if not ok or root is None:
        return True
    if not isinstance(root, yaml.MappingNode):
        c.diagnostic("The top level of the compose file is not a mapping.", root.start_mark.index)
        return True
    top = _pairs(root)
    if "services" in top:
        services_node = top["services"][1]
        if isinstance(services_node, yaml.MappingNode):
            services = {name: pair[1] for name, pair in _pairs(services_node).items()}
        else:
            if _scalar(services_node) != "":
                c.diagnostic(
                    "`services` is not a mapping of services.", services_node.start_mark.index
                )
            return True
    else:
        # Compose file format 1: services at the top level.
        services = {
            name: value
            for name, (_, value) in top.items()
            if isinstance(value, yaml.MappingNode) and _SERVICE_KEYS & set(_pairs(value))
        }
    for name, service in services.items():
        if isinstance(service, yaml.MappingNode):
            _compose_service(c, name, _pairs(service))
    return True


def _compose_service(c: _Collector, name: str, fields: _Pairs) -> None:
    def field_node(key: str) -> Optional[yaml.Node]:
        pair = fields.get(key)
        return pair[1] if pair is not None else None

    env = _yaml_env(c, field_node("environment"))
    working_dir = field_node("working_dir")
    workdir = _scalar(working_dir) if working_dir is not None else None
    entrypoint = _yaml_command(c, field_node("entrypoint"))
    command = _yaml_command(c, field_node("command"))
    chain = _Chain(env, workdir or None)
    if entrypoint is not None and command is not None:
        words = command[0]
        if not c.interpreter.is_script(entrypoint[0]):
            words = entrypoint[0] + words
        c.emit(c.interpreter.words(words, chain, 0), name, command[1:])
    elif entrypoint is not None or command is not None:
        words, start, end = entrypoint or command or ([], 0, 0)
        c.emit(c.interpreter.words(words, chain, 0), name, (start, end))


def _read_appyaml(c: _Collector) -> bool:
    import yaml

    ok, root = _load_yaml(c)
    if not ok:
        return True
    if not isinstance(root, yaml.MappingNode):
        return False
    top = _pairs(root)
    if "runtime" not in top and "entrypoint" not in top:
        return False
    env_node = top.get("env_variables")
    env = _yaml_env(c, env_node[1] if env_node is not None else None)
    entry = top.get("entrypoint")
    if entry is not None and isinstance(entry[1], yaml.ScalarNode) and _scalar(entry[1]):
        # App Engine runs the entrypoint through a shell ($PORT is expanded).
        source = _Source.of_word(_scalar_word(c, entry[1]))
        c.emit(c.interpreter.shell(source, _Chain(env, None), 0), "")
    return True


# -- uWSGI ini -------------------------------------------------------------------------------

_UWSGI_TARGET_KEYS = frozenset({"module", "wsgi-file", "mount"})


def _read_uwsgi(c: _Collector) -> bool:
    if c.path.lower().endswith((".yml", ".yaml")):
        return _read_uwsgi_yaml(c)
    section = ""
    header: Optional[tuple[int, int]] = None
    anchor: Optional[tuple[int, int]] = None
    settings: list[_Found] = []
    for start, line in c.lines.physical():
        stripped = line.strip()
        if not stripped or stripped[0] in ";#":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            if section == "uwsgi" and header is None:
                begin = start + line.index("[")
                header = (begin, begin + len(stripped))
            continue
        key, eq, _ = line.partition("=")
        if section != "uwsgi" or not eq or not key.strip():
            continue
        name = _uwsgi_key(key.strip())
        value_text = line[len(key) + 1 :]
        value = value_text.strip()
        begin = start + len(key) + 1 + len(value_text) - len(value_text.lstrip())
        word = _Word(value, begin, begin + len(value), range(begin, begin + len(value)))
        settings.append((name, value, word, 0))
        if name in _UWSGI_TARGET_KEYS and anchor is None:
            anchor = (start + len(line) - len(line.lstrip()), start + len(line.rstrip()))
    if header is None:
        return False
    _uwsgi_command(c, settings, anchor or header)
    return True


def _read_uwsgi_yaml(c: _Collector) -> bool:
    import yaml

    ok, root = _load_yaml(c)
    if not ok:
        return True
    section = _pairs(root).get("uwsgi") if isinstance(root, yaml.MappingNode) else None
    if section is None or not isinstance(section[1], yaml.MappingNode):
        return False
    header = (section[0].start_mark.index, section[0].end_mark.index)
    anchor: Optional[tuple[int, int]] = None
    settings: list[_Found] = []
    for key, (key_node, value_node) in _pairs(section[1]).items():
        name = _uwsgi_key(key)
        # A repeated option (env, mount) is a list.
        items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                word = _scalar_word(c, item)
                settings.append((name, word.value, word, 0))
        if name in _UWSGI_TARGET_KEYS and anchor is None:
            anchor = (key_node.start_mark.index, value_node.end_mark.index)
    _uwsgi_command(c, settings, anchor or header)
    return True


def _uwsgi_command(c: _Collector, settings: Sequence[_Found], span: tuple[int, int]) -> None:
    """One command for a uWSGI config; argv is the equivalent command line."""
    argv = ["uwsgi"]
    for name, value, _, _ in settings:
        argv += [f"--{name}", value]
    targets, options = _uwsgi_settings(settings, c)
    c.command(*span, "", "uwsgi", tuple(argv), targets, options)


# -- gunicorn config -------------------------------------------------------------------------

_LITERAL = re.compile(r"([rRuU]?)('''|\"\"\"|'|\")(.*)\2", re.S)
_GUNICORN_SETTINGS = {
    "bind": "--bind",
    "chdir": "--chdir",
    "pythonpath": "--pythonpath",
    "worker_class": "--worker-class",
    "reload": "--reload",
    "preload_app": "--preload",
}


def _module_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run when the config is loaded, inside top-level if/try/with too."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _module_statements(stmt.body)
            for handler in stmt.handlers:
                yield from _module_statements(handler.body)
            yield from _module_statements(stmt.orelse)
            yield from _module_statements(stmt.finalbody)
        elif isinstance(stmt, ast.With):
            yield from _module_statements(stmt.body)


def _strings(node: ast.expr) -> list[ast.Constant]:
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    return [i for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]


def _read_gunicorn_conf(c: _Collector) -> bool:
    try:
        with warnings.catch_warnings():
            # The Python parser reports the file's problems once, not this second parse.
            warnings.simplefilter("ignore")
            tree = ast.parse(c.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    targets: list[str] = []
    options: list[tuple[str, str]] = []
    # The command points at the first wsgi_app assignment, else at the first setting.
    app_span: Optional[tuple[int, int]] = None
    setting_span: Optional[tuple[int, int]] = None
    for stmt in _module_statements(tree.body):
        if isinstance(stmt, ast.Assign):
            names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            value = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            names, value = [stmt.target.id], stmt.value
        else:
            continue
        for name in names:
            if name == "raw_env":
                for item in _strings(value):
                    c.env_from_word(_ast_string_word(c, item), 0)
            elif name == "wsgi_app":
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    targets.append(value.value)
                    app_span = app_span or _ast_span(c, stmt)
            elif name in ("reload", "preload_app"):
                if isinstance(value, ast.Constant) and value.value is True:
                    options.append((_GUNICORN_SETTINGS[name], ""))
                    setting_span = setting_span or _ast_span(c, stmt)
            elif name in _GUNICORN_SETTINGS:
                items = _strings(value)
                options += [(_GUNICORN_SETTINGS[name], str(i.value)) for i in items]
                if items:
                    setting_span = setting_span or _ast_span(c, stmt)
    span = app_span or setting_span
    if span is not None:
        argv = ["gunicorn"]
        for option, setting in options:
            argv += [option, setting] if setting else [option]
        c.command(*span, "", "gunicorn", (*argv, *targets), tuple(targets), tuple(options))
    return True


def _ast_offset(c: _Collector, line: int, byte_column: int) -> int:
    if line > len(c.lines.starts):
        return len(c.text)
    content = c.lines.content(line)
    prefix = content.encode("utf-8", "surrogatepass")[:byte_column]
    return c.lines.starts[line - 1] + len(prefix.decode("utf-8", "replace"))


def _ast_span(c: _Collector, node: Union[ast.stmt, ast.expr]) -> tuple[int, int]:
    start = _ast_offset(c, node.lineno, node.col_offset)
    if node.end_lineno is None or node.end_col_offset is None:
        return start, start + len(c.lines.content(node.lineno)) - node.col_offset
    return start, _ast_offset(c, node.end_lineno, node.end_col_offset)


def _ast_string_word(c: _Collector, node: ast.Constant) -> _Word:
    start, end = _ast_span(c, node)
    m = _LITERAL.fullmatch(c.text, start, end)
    value = str(node.value)
    if m is not None and m.group(3) == value:
        return _Word(value, start, end, range(m.start(3), m.end(3)))
    return _Word(value, start, end)


# -- .env and .flaskenv ----------------------------------------------------------------------

# python-dotenv's grammar (dotenv/parser.py), so that values are what Flask would load.
_DOTENV_SPACE = re.compile(r"\s*")
_DOTENV_EXPORT = re.compile(r"(?:export[^\S\r\n]+)?")
_DOTENV_QUOTED_KEY = re.compile(r"'([^']+)'")
_DOTENV_KEY = re.compile(r"([^=\#\s]+)")
_DOTENV_BLANK = re.compile(r"[^\S\r\n]*")
_DOTENV_EQUALS = re.compile(r"=[^\S\r\n]*")
_DOTENV_SINGLE = re.compile(r"'((?:\\'|[^'])*)'")
_DOTENV_DOUBLE = re.compile(r'"((?:\\"|[^"])*)"')
_DOTENV_UNQUOTED = re.compile(r"([^\r\n]*)")
_DOTENV_COMMENT = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?")
_DOTENV_END = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_DOTENV_REST = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_DOTENV_INLINE_COMMENT = re.compile(r"\s+#.*")
_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_ESCAPED = {
    "\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b",
    "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v",
}  # fmt: skip


def _read_dotenv(c: _Collector) -> bool:
    text = c.text
    pos = 0
    bad: list[int] = []
    while True:
        pos = _match(_DOTENV_SPACE, text, pos)
        if pos >= len(text):
            break
        statement = pos
        ok, pos = _dotenv_statement(c, pos)
        if not ok:
            bad.append(statement)
            # python-dotenv skips the rest of the line where reading failed.
            pos = max(_match(_DOTENV_REST, text, pos), statement + 1)
    if bad:
        line = c.lines.position(bad[0])[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        c.diagnostic(
            f"Line {line}{more} is not a `KEY=value` statement; python-dotenv skips it.",
            bad[0],
        )
    return True


def _match(pattern: re.Pattern[str], text: str, pos: int) -> int:
    m = pattern.match(text, pos)
    return m.end() if m is not None else pos


def _dotenv_statement(c: _Collector, pos: int) -> tuple[bool, int]:
    text = c.text
    pos = _match(_DOTENV_EXPORT, text, pos)
    key_start = pos
    key: Optional[str] = None
    if text[pos : pos + 1] != "#":
        m = (_DOTENV_QUOTED_KEY if text[pos : pos + 1] == "'" else _DOTENV_KEY).match(text, pos)
        if m is None:
            return False, pos
        key, pos = m.group(1), m.end()
    end = pos
    pos = _match(_DOTENV_BLANK, text, pos)
    value = ""
    if text[pos : pos + 1] == "=":
        end = pos + 1
        pos = _match(_DOTENV_EQUALS, text, pos)
        quote = text[pos : pos + 1]
        if quote in ("'", '"'):
            m = (_DOTENV_SINGLE if quote == "'" else _DOTENV_DOUBLE).match(text, pos)
            if m is None:
                return False, pos
            escapes = _SINGLE_ESCAPES if quote == "'" else _DOUBLE_ESCAPES
            value = escapes.sub(lambda e: _ESCAPED[e.group()], m.group(1))
            pos = end = m.end()
        elif quote not in ("", "\n", "\r"):
            m = _DOTENV_UNQUOTED.match(text, pos)
            part = m.group(1) if m is not None else ""
            value = _DOTENV_INLINE_COMMENT.sub("", part, count=1).rstrip()
            if value:
                end = pos + len(value)
            pos += len(part)
    pos = _match(_DOTENV_COMMENT, text, pos)
    m = _DOTENV_END.match(text, pos)
    if m is None:
        return False, pos
    if key is not None:
        c.add_env(key, value, key_start, end)
    return True, m.end()


_READERS: Mapping[str, Callable[[_Collector], bool]] = {
    "procfile": _read_procfile,
    "dockerfile": _read_dockerfile,
    "compose": _read_compose,
    "appyaml": _read_appyaml,
    "uwsgi": _read_uwsgi,
    "gunicorn-conf": _read_gunicorn_conf,
    "dotenv": _read_dotenv,
    "flaskenv": _read_dotenv,
}
