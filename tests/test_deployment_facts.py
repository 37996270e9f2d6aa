"""Deployment facts: Procfile, Dockerfile, compose, app.yaml, uWSGI, gunicorn config, dotenv."""

from __future__ import annotations

import pickle
import random
import re
import textwrap

import pytest

from flaskguard.facts.deployment import (
    DeploymentFacts,
    EnvSetting,
    ServeCommand,
    deployment_kind,
    extract_deployment_facts,
)


def facts(path: str, text: str) -> DeploymentFacts:
    return extract_deployment_facts(path, textwrap.dedent(text))


def commands(path: str, text: str) -> list[ServeCommand]:
    return list(facts(path, text).commands)


def only(path: str, text: str) -> ServeCommand:
    found = commands(path, text)
    assert len(found) == 1, found
    return found[0]


def env(result: DeploymentFacts) -> dict[str, str]:
    return {s.key: s.value for s in result.env}


def setting(result: DeploymentFacts, key: str) -> EnvSetting:
    matches = [s for s in result.env if s.key == key]
    assert len(matches) == 1, result.env
    return matches[0]


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def written(text: str, line: int, column: int, end_line: int, end_column: int) -> str:
    starts = line_starts(text)
    return text[starts[line - 1] + column - 1 : starts[end_line - 1] + end_column - 1]


def env_text(text: str, s: EnvSetting) -> str:
    return written(text, s.line, s.column, s.line, s.end_column)


def command_text(text: str, c: ServeCommand) -> str:
    return written(text, c.line, c.column, c.end_line, c.end_column)


# -- file kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("Procfile", "procfile"),
        ("deploy/Procfile.dev", "procfile"),
        ("Dockerfile", "dockerfile"),
        ("docker/Dockerfile.prod", "dockerfile"),
        ("web.Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("docker-compose.yml", "compose"),
        ("docker-compose.prod.yaml", "compose"),
        ("docker-compose-dev.yml", "compose"),
        ("compose.yaml", "compose"),
        ("compose.override.yml", "compose"),
        ("app.yaml", "appyaml"),
        ("deploy/uwsgi.ini", "uwsgi"),
        ("uwsgi.yaml", "uwsgi"),
        ("tox.ini", "uwsgi"),  # by name; the content decides
        ("gunicorn.conf.py", "gunicorn-conf"),
        ("config/gunicorn.py", "gunicorn-conf"),
        ("gunicorn_config.py", "gunicorn-conf"),
        (".env", "dotenv"),
        ("backend/.env.production", "dotenv"),
        (".flaskenv", "flaskenv"),
    ],
)
def test_deployment_kind(path: str, kind: str) -> None:
    assert deployment_kind(path) == kind


@pytest.mark.parametrize(
    "path",
    ["app.py", "requirements.txt", "docker-compose.yml.bak", "environment.yml", ".envrc", "x.json"],
)
def test_not_a_deployment_file(path: str) -> None:
    assert deployment_kind(path) is None
    result = extract_deployment_facts(path, "web: gunicorn app:app\nFLASK_DEBUG=1\n")
    assert result == DeploymentFacts(path, "other", (), (), ())


# -- Procfile --------------------------------------------------------------------------------

HEROKU = """\
# Heroku
web: gunicorn app:app --log-file -
release: flask db upgrade

worker: celery -A app.celery worker --loglevel=info
"""


def test_heroku_procfile() -> None:
    web, release, worker = commands("Procfile", HEROKU)
    assert (web.process, web.server, web.targets) == ("web", "gunicorn", ("app:app",))
    assert web.argv == ("gunicorn", "app:app", "--log-file", "-")
    assert (web.line, web.column, web.end_line, web.end_column) == (2, 6, 2, 35)
    assert web.text == "gunicorn app:app --log-file -" == command_text(HEROKU, web)
    assert web.source == "procfile"
    # Processes that serve nothing known are still reported, as "other".
    assert (release.server, release.argv, release.targets) == (
        "other",
        ("flask", "db", "upgrade"),
        (),
    )
    assert (worker.process, worker.server) == ("worker", "other")


def test_chain_reports_only_the_server() -> None:
    c = only("Procfile", "web: flask db upgrade && gunicorn wsgi:application -w 3\n")
    assert (c.server, c.targets, c.text) == (
        "gunicorn",
        ("wsgi:application",),
        "gunicorn wsgi:application -w 3",
    )


def test_flask_run_with_inline_environment() -> None:
    text = "web: FLASK_APP=hello.py FLASK_DEBUG=1 flask run --host=0.0.0.0 --port $PORT\n"
    result = facts("Procfile", text)
    (c,) = result.commands
    assert (c.server, c.targets) == ("flask-run", ("hello.py",))
    assert c.options == (("--host", "0.0.0.0"), ("--port", "$PORT"))
    assert c.text == "FLASK_APP=hello.py FLASK_DEBUG=1 flask run --host=0.0.0.0 --port $PORT"
    debug = setting(result, "FLASK_DEBUG")
    assert (debug.value, debug.source, debug.line) == ("1", "procfile", 1)
    assert env_text(text, debug) == "FLASK_DEBUG=1"


@pytest.mark.parametrize(
    ("line", "target", "options"),
    [
        ("flask --app hello run", "hello", (("--app", "hello"),)),
        ("flask run -A 'pkg:create_app()' -h 0.0.0.0", "pkg:create_app()", (("--app", "pkg:create_app()"), ("--host", "0.0.0.0"))),
        ("flask --debug run --no-debugger", "", (("--debug", ""), ("--no-debugger", ""))),
        ("python3 -m flask run --reload", "", (("--reload", ""),)),
        ("export FLASK_APP=web.py && flask run", "web.py", ()),
    ],
)  # fmt: skip
def test_flask_run_target(line: str, target: str, options: tuple[tuple[str, str], ...]) -> None:
    c = only("Procfile", f"web: {line}\n")
    assert (c.server, c.targets, c.options) == ("flask-run", (target,), options)


@pytest.mark.parametrize(
    ("line", "server", "target"),
    [
        ("python app.py", "python-script", "app.py"),
        ("python3 -u src/main.py --port 80", "python-script", "src/main.py"),
        ("/usr/local/bin/python3.12 -X dev -W ignore run.py", "python-script", "run.py"),
        ("python -m myproj", "python-module", "myproj"),
        ("python -um myproj.server", "python-module", "myproj.server"),
    ],
)
def test_python_commands(line: str, server: str, target: str) -> None:
    c = only("Procfile", f"web: {line}\n")
    assert (c.server, c.targets) == (server, (target,))


def test_python_without_script_is_other() -> None:
    c = only("Procfile", "web: python -c 'import app; app.main()'\n")
    assert (c.server, c.targets) == ("other", ())


@pytest.mark.parametrize(
    "line",
    [
        "exec gunicorn app:app",
        "env FLASK_ENV=production gunicorn app:app",
        "python -m gunicorn app:app",
        "poetry run gunicorn app:app",
        "pipenv run gunicorn app:app",
        "uv run --with gunicorn gunicorn app:app",
        "newrelic-admin run-program gunicorn app:app",
        "ddtrace-run gunicorn app:app",
        "opentelemetry-instrument --traces_exporter console gunicorn app:app",
        "bin/start-nginx gunicorn app:app",
        "sh -c 'gunicorn app:app'",
        "bash -euo pipefail -c 'exec gunicorn app:app'",
        '/bin/sh -c "cd . && gunicorn app:app"',
    ],
)
def test_wrappers_are_peeled(line: str) -> None:
    c = only("Procfile", f"web: {line}\n")
    assert (c.server, c.targets) == ("gunicorn", ("app:app",))
    assert c.argv == ("gunicorn", "app:app")


def test_sh_c_points_inside_the_string() -> None:
    text = "web: sh -c \"flask db upgrade && exec gunicorn -b 0.0.0.0:$PORT 'app:create_app()'\"\n"
    c = only("Procfile", text)
    assert (c.server, c.targets) == ("gunicorn", ("app:create_app()",))
    assert c.options == (("--bind", "0.0.0.0:$PORT"),)
    assert c.text == "exec gunicorn -b 0.0.0.0:$PORT 'app:create_app()'" == command_text(text, c)


def test_setup_scripts_before_the_server_are_not_served() -> None:
    assert [
        (c.server, c.targets)
        for c in commands("Procfile", "web: python manage.py db upgrade && gunicorn app:app\n")
    ] == [("gunicorn", ("app:app",))]
    c = only("Procfile", "web: python seed.py; python app.py\n")
    assert c.targets == ("app.py",)


def test_background_programs_are_all_served() -> None:
    found = commands("Procfile", "web: gunicorn api:app & python worker.py\n")
    assert [(c.server, c.targets) for c in found] == [
        ("gunicorn", ("api:app",)),
        ("python-script", ("worker.py",)),
    ]


def test_redirections_and_comments() -> None:
    c = only("Procfile", "web: python app.py > /var/log/app.log 2>&1 # log\n")
    assert (c.argv, c.targets) == (("python", "app.py"), ("app.py",))


def test_cd_sets_the_working_directory() -> None:
    c = only("Procfile", "web: cd src && gunicorn app:app\n")
    assert c.options == (("workdir", "src"),)


def test_gunicorn_options() -> None:
    text = (
        "web: gunicorn -w 4 --bind=0.0.0.0:8000 -b [::]:8000 -k gevent --reload --preload "
        "--chdir src --pythonpath lib -c gunicorn.conf.py --timeout 30 -e FLASK_DEBUG=1 "
        "--env=WERKZEUG_DEBUG_PIN=off myproj.wsgi:application\n"
    )
    result = facts("Procfile", text)
    (c,) = result.commands
    assert c.targets == ("myproj.wsgi:application",)
    assert c.options == (
        ("--bind", "0.0.0.0:8000"),
        ("--bind", "[::]:8000"),
        ("--worker-class", "gevent"),
        ("--reload", ""),
        ("--preload", ""),
        ("--chdir", "src"),
        ("--pythonpath", "lib"),
        ("--config", "gunicorn.conf.py"),
    )
    assert env(result) == {"FLASK_DEBUG": "1", "WERKZEUG_DEBUG_PIN": "off"}
    assert env_text(text, setting(result, "FLASK_DEBUG")) == "FLASK_DEBUG=1"
    assert env_text(text, setting(result, "WERKZEUG_DEBUG_PIN")) == "WERKZEUG_DEBUG_PIN=off"


@pytest.mark.parametrize(
    ("line", "server", "targets", "options"),
    [
        ("uvicorn --host 0.0.0.0 --port 80 --interface wsgi app.main:app", "uvicorn", ("app.main:app",), (("--host", "0.0.0.0"), ("--port", "80"), ("--interface", "wsgi"))),
        ("uvicorn --factory app:create_app --reload", "uvicorn", ("app:create_app",), (("--factory", ""), ("--reload", ""))),
        ("hypercorn -b 0.0.0.0:80 --debug app:app", "hypercorn", ("app:app",), (("--bind", "0.0.0.0:80"), ("--debug", ""))),
        ("daphne -b 0.0.0.0 -p 8000 proj.asgi:application", "daphne", ("proj.asgi:application",), (("--bind", "0.0.0.0"), ("--port", "8000"))),
        ("waitress-serve --listen=*:8080 --call app:create_app", "waitress", ("app:create_app",), (("--listen", "*:8080"), ("--call", ""))),
        ("waitress-serve --port 8080 --app=hello:app --expose-tracebacks", "waitress", ("hello:app",), (("--port", "8080"), ("--expose-tracebacks", ""))),
        ("python -m waitress --host 127.0.0.1 app:app", "waitress", ("app:app",), (("--host", "127.0.0.1"),)),
        ("uwsgi --http :9090 --wsgi-file app.py --callable app --master", "uwsgi", ("app.py",), (("http", ":9090"), ("callable", "app"))),
        ("uwsgi --socket /tmp/s.sock -w app:app --processes 4", "uwsgi", ("app:app",), (("socket", "/tmp/s.sock"),)),
        ("uwsgi --http-socket=:80 --module myproj.wsgi --callable application", "uwsgi", ("myproj.wsgi:application",), (("http-socket", ":80"), ("callable", "application"))),
        ("uwsgi uwsgi.ini", "uwsgi", (), (("ini", "uwsgi.ini"),)),
        ("mod_wsgi-express start-server wsgi.py --port 80 --reload-on-changes", "mod_wsgi", ("wsgi.py",), (("--port", "80"), ("--reload-on-changes", ""))),
    ],
)  # fmt: skip
def test_other_servers(
    line: str, server: str, targets: tuple[str, ...], options: tuple[tuple[str, str], ...]
) -> None:
    c = only("Procfile", f"web: {line}\n")
    assert (c.server, c.targets, c.options) == (server, targets, options)


def test_uwsgi_env_option() -> None:
    result = facts("Procfile", "web: uwsgi --http :80 --module app:app --env FLASK_DEBUG=1\n")
    assert env(result) == {"FLASK_DEBUG": "1"}


def test_unbalanced_quotes_fall_back_to_whitespace() -> None:
    c = only("Procfile", "web: gunicorn -b :80 'app:app\n")
    assert c.server == "gunicorn"
    assert c.argv == ("gunicorn", "-b", ":80", "'app:app")


def test_unquoted_factory_call() -> None:
    # sh would reject the parentheses; what the author meant is still what is reported.
    c = only("Procfile", "web: gunicorn app:create_app()\n")
    assert c.targets == ("app:create_app()",)


# -- Dockerfile ------------------------------------------------------------------------------

MULTI_STAGE = """\
FROM python:3.12 AS builder
ARG FLASK_DEBUG=1
RUN pip wheel -r requirements.txt -w /wheels
CMD ["python", "build.py"]

FROM python:3.12-slim
WORKDIR /app
COPY --from=builder /wheels /wheels
ENV FLASK_APP=myapp \\
    PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]
"""


def test_multi_stage_dockerfile() -> None:
    result = facts("Dockerfile", MULTI_STAGE)
    build, serve = result.commands
    assert (build.process, build.server, build.targets) == ("CMD", "python-script", ("build.py",))
    assert (serve.server, serve.targets) == ("gunicorn", ("wsgi:app",))
    assert serve.options == (("--bind", "0.0.0.0:8000"), ("workdir", "/app"))
    assert serve.argv == ("gunicorn", "-b", "0.0.0.0:8000", "wsgi:app")
    assert serve.text == '["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]'
    assert (serve.line, serve.column, serve.end_column) == (12, 5, 51)
    assert serve.source == "dockerfile"
    # ARG is a build argument, not the container's environment.
    assert env(result) == {"FLASK_APP": "myapp", "PYTHONUNBUFFERED": "1"}
    unbuffered = setting(result, "PYTHONUNBUFFERED")
    assert (unbuffered.line, env_text(MULTI_STAGE, unbuffered)) == (10, "PYTHONUNBUFFERED=1")


def test_shell_form_flask_run_uses_env_from_the_file() -> None:
    text = """\
    FROM python:3.12
    ENV FLASK_DEBUG=1
    CMD flask run --host=0.0.0.0
    ENV FLASK_APP=hello:app
    """
    result = facts("Dockerfile", text)
    (c,) = result.commands
    assert (c.server, c.targets, c.options) == (
        "flask-run",
        ("hello:app",),
        (("--host", "0.0.0.0"),),
    )
    assert c.text == "flask run --host=0.0.0.0"
    assert setting(result, "FLASK_DEBUG").source == "dockerfile"


def test_cmd_python_app() -> None:
    c = only("Dockerfile", "FROM python\nCMD python app.py\n")
    assert (c.server, c.targets, c.text) == ("python-script", ("app.py",), "python app.py")


def test_env_forms() -> None:
    text = textwrap.dedent(
        """\
        FROM python
        ENV A=1 B="v 2" C=three\\ words D=
        ENV FLASK_DEBUG 1
        ENV MESSAGE hello world
        env lower=yes
        """
    )
    result = facts("Dockerfile", text)
    assert env(result) == {
        "A": "1",
        "B": "v 2",
        "C": "three words",
        "D": "",
        "FLASK_DEBUG": "1",
        "MESSAGE": "hello world",
        "lower": "yes",
    }
    assert env_text(text, setting(result, "B")) == 'B="v 2"'
    assert env_text(text, setting(result, "FLASK_DEBUG")) == "FLASK_DEBUG 1"


def test_continuation_lines() -> None:
    text = textwrap.dedent(
        """\
        FROM python
        CMD gunicorn \\
            # a comment inside the instruction
            --bind 0.0.0.0:80 \\

            app:app
        """
    )
    c = only("Dockerfile", text)
    assert (c.server, c.targets, c.options) == (
        "gunicorn",
        ("app:app",),
        (("--bind", "0.0.0.0:80"),),
    )
    assert (c.line, c.end_line) == (2, 6)


def test_escape_directive() -> None:
    c = only("Dockerfile", "# escape=`\nFROM windows\nCMD flask run `\n    --host 0.0.0.0\n")
    assert (c.server, c.options) == ("flask-run", (("--host", "0.0.0.0"),))


def test_entrypoint_script_runs_cmd() -> None:
    text = """\
    FROM python
    COPY docker-entrypoint.sh /
    ENTRYPOINT ["/docker-entrypoint.sh"]
    CMD ["gunicorn", "app:app"]
    """
    c = only("Dockerfile", text)
    assert (c.process, c.server, c.targets) == ("CMD", "gunicorn", ("app:app",))


def test_exec_entrypoint_is_completed_by_cmd() -> None:
    text = """\
    FROM python
    ENTRYPOINT ["gunicorn", "--bind", ":80"]
    CMD ["app:app"]
    """
    c = only("Dockerfile", text)
    assert (c.server, c.targets, c.argv) == (
        "gunicorn",
        ("app:app",),
        ("gunicorn", "--bind", ":80", "app:app"),
    )
    assert (c.process, c.text) == ("CMD", '["app:app"]')


@pytest.mark.parametrize(
    ("entrypoint", "cmd", "server", "target"),
    [
        ('["python"]', '["app.py"]', "python-script", "app.py"),
        ('["tini", "--"]', "gunicorn app:app", "gunicorn", "app:app"),
        ('["sh", "-c"]', '["flask run"]', "flask-run", ""),
        ('["poetry", "run"]', '["python", "-m", "myproj"]', "python-module", "myproj"),
    ],
)
def test_entrypoint_prefixes(entrypoint: str, cmd: str, server: str, target: str) -> None:
    c = only("Dockerfile", f"FROM python\nENTRYPOINT {entrypoint}\nCMD {cmd}\n")
    assert (c.server, c.targets) == (server, (target,))


def test_entrypoint_alone() -> None:
    found = commands("Dockerfile", "FROM python\nENTRYPOINT exec gunicorn app:app\n")
    assert [(c.process, c.server, c.targets) for c in found] == [
        ("ENTRYPOINT", "gunicorn", ("app:app",))
    ]
    found = commands("Dockerfile", 'FROM python\nENTRYPOINT ["./start.sh"]\n')
    assert [(c.process, c.server, c.argv) for c in found] == [
        ("ENTRYPOINT", "other", ("./start.sh",))
    ]


def test_stage_inherits_from_named_stage() -> None:
    text = """\
    FROM python:3.12 AS base
    ENV FLASK_APP=svc
    WORKDIR /srv
    ENTRYPOINT ["tini", "--"]

    FROM base AS final
    WORKDIR app
    CMD flask run
    """
    c = only("Dockerfile", text)
    assert (c.server, c.targets, c.options) == ("flask-run", ("svc",), (("workdir", "/srv/app"),))


def test_exec_form_sh_c() -> None:
    text = 'FROM x\nCMD ["sh", "-c", "flask db upgrade && gunicorn -w 2 \\"app:create_app()\\""]\n'
    c = only("Dockerfile", text)
    assert (c.server, c.targets) == ("gunicorn", ("app:create_app()",))
    assert c.text == 'gunicorn -w 2 \\"app:create_app()\\"' == command_text(text, c)


def test_invalid_json_is_shell_form() -> None:
    # Docker runs /bin/sh -c "['gunicorn', 'app:app']", which fails: nothing is served.
    c = only("Dockerfile", "FROM x\nCMD ['gunicorn', 'app:app']\n")
    assert c.server == "other"


def test_heredoc_and_healthcheck_are_not_commands() -> None:
    text = """\
    FROM python
    RUN <<EOF
    CMD this is a heredoc line
    EOF
    HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    cmd ["waitress-serve", "--port=8080", "app:app"]
    """
    c = only("Dockerfile", text)
    assert (c.server, c.targets) == ("waitress", ("app:app",))


def test_json_escapes_in_exec_form() -> None:
    c = only("Dockerfile", 'FROM x\nCMD ["python", "caf\\u00e9.py"]\n')
    assert c.targets == ("café.py",)


# -- compose ---------------------------------------------------------------------------------

COMPOSE = """\
x-debug: &debug
  FLASK_DEBUG: "1"

services:
  web:
    build: .
    command: sh -c "flask db upgrade && gunicorn -w 4 -b 0.0.0.0:8000 app:app"
    env_file: .env.web
    environment:
      <<: *debug
      FLASK_APP: app
      DATABASE_URL:
  dev:
    image: app
    working_dir: /code
    command: ["flask", "run", "--host", "0.0.0.0"]
    environment:
      - FLASK_APP=dev.py
      - "WERKZEUG_DEBUG_PIN=off"
      - PASSTHROUGH
  db:
    image: postgres:16
"""


def test_compose_services() -> None:
    result = facts("docker-compose.yml", COMPOSE)
    web, dev = result.commands
    assert (web.process, web.server, web.targets) == ("web", "gunicorn", ("app:app",))
    assert web.text == "gunicorn -w 4 -b 0.0.0.0:8000 app:app" == command_text(COMPOSE, web)
    assert web.source == "compose"
    assert (dev.process, dev.server, dev.targets) == ("dev", "flask-run", ("dev.py",))
    assert dev.options == (("--host", "0.0.0.0"), ("workdir", "/code"))
    assert dev.text == '["flask", "run", "--host", "0.0.0.0"]'
    assert (dev.line, dev.column) == (16, 14)


def test_compose_environment_positions() -> None:
    result = facts("docker-compose.yml", COMPOSE)
    # A merged value points where it is written: the anchor.
    debug = setting(result, "FLASK_DEBUG")
    assert (debug.line, env_text(COMPOSE, debug), debug.value) == (2, 'FLASK_DEBUG: "1"', "1")
    pin = setting(result, "WERKZEUG_DEBUG_PIN")
    assert (pin.line, env_text(COMPOSE, pin), pin.value) == (19, "WERKZEUG_DEBUG_PIN=off", "off")
    assert setting(result, "PASSTHROUGH").value == ""
    assert setting(result, "DATABASE_URL").value == ""
    assert {s.source for s in result.env} == {"compose"}


def test_compose_string_command_has_no_shell() -> None:
    # Compose splits the string into arguments; ``&&`` is one of them, nothing chains.
    c = only(
        "compose.yaml", "services:\n  web:\n    command: flask db upgrade && gunicorn app:app\n"
    )
    assert (c.server, c.argv[:4]) == ("other", ("flask", "db", "upgrade", "&&"))


def test_compose_entrypoint_and_command() -> None:
    text = """\
    services:
      api:
        entrypoint: gunicorn
        command: ["-b", ":8000", "api:app"]
        environment:
          FLASK_DEBUG: 0
      worker:
        entrypoint: /entrypoint.sh
        command: python worker.py
      plain:
        entrypoint: ["uvicorn", "--interface", "wsgi", "main:app"]
    """
    api, worker, plain = commands("compose.yml", text)
    assert (api.server, api.targets, api.options) == (
        "gunicorn",
        ("api:app",),
        (("--bind", ":8000"),),
    )
    assert (worker.server, worker.targets) == ("python-script", ("worker.py",))
    assert (plain.server, plain.targets) == ("uvicorn", ("main:app",))


def test_compose_file_format_1() -> None:
    text = "web:\n  image: x\n  command: python app.py\n  environment: [FLASK_DEBUG=true]\n"
    result = facts("docker-compose.yml", text)
    (c,) = result.commands
    assert (c.process, c.server) == ("web", "python-script")
    assert env(result) == {"FLASK_DEBUG": "true"}


def test_invalid_yaml_is_a_diagnostic() -> None:
    text = "services:\n  web:\n    environment:\n      SECRET_KEY: s3cr3t-value\n    command: [gunicorn, app:app\n"
    result = facts("docker-compose.yml", text)
    assert (result.kind, result.env, result.commands) == ("compose", (), ())
    (d,) = result.diagnostics
    assert d.code == "FG909" and d.path == "docker-compose.yml"
    assert d.line is not None and "YAML" in d.message
    assert "s3cr3t" not in d.message and "gunicorn" not in d.message


@pytest.mark.parametrize(
    "text",
    ["- just\n- a list\n", "services: [web]\n", "a: b\n---\nc: d\n", "\tservices:\n", "x: \x07\n"],
)
def test_malformed_compose(text: str) -> None:
    result = extract_deployment_facts("compose.yaml", text)
    assert [d.code for d in result.diagnostics] == ["FG909"]


def test_empty_compose() -> None:
    assert facts("compose.yaml", "") == DeploymentFacts("compose.yaml", "compose", (), (), ())
    assert facts("compose.yaml", "services:\n").diagnostics == ()


def test_compose_merge_bombs_stay_linear() -> None:
    lines = ['a0: &a0 {A: "1"}']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i}\n  <<: [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append(
        "services:\n  web:\n    environment:\n      <<: *a29\n    command: gunicorn app:app"
    )
    result = extract_deployment_facts("compose.yml", "\n".join(lines))
    assert env(result) == {"A": "1"}


def test_compose_long_merge_chain() -> None:
    lines = ['a0: &a0 {A: "1"}']
    lines += [f"a{i}: &a{i} {{<<: *a{i - 1}}}" for i in range(1, 3000)]
    lines.append("services:\n  web:\n    environment:\n      <<: *a2999")
    result = extract_deployment_facts("compose.yml", "\n".join(lines))
    check_invariants("\n".join(lines), result)


# -- App Engine ------------------------------------------------------------------------------


def test_app_yaml() -> None:
    text = """\
    runtime: python312
    entrypoint: gunicorn -b :$PORT main:app
    env_variables:
      FLASK_DEBUG: '1'
      FLASK_APP: main
    """
    result = facts("app.yaml", text)
    (c,) = result.commands
    assert (result.kind, c.source, c.server, c.targets) == (
        "appyaml",
        "appyaml",
        "gunicorn",
        ("main:app",),
    )
    assert c.options == (("--bind", ":$PORT"),)
    assert (c.line, c.text) == (2, "gunicorn -b :$PORT main:app")
    assert env(result) == {"FLASK_DEBUG": "1", "FLASK_APP": "main"}
    assert setting(result, "FLASK_DEBUG").source == "appyaml"


def test_app_yaml_flask_run_uses_env_variables() -> None:
    c = only(
        "app.yaml",
        "runtime: python39\nentrypoint: flask run\nenv_variables:\n  FLASK_APP: site.py\n",
    )
    assert c.targets == ("site.py",)


def test_other_app_yaml() -> None:
    result = facts("app.yaml", "name: my-chart\nenv_variables:\n  FLASK_DEBUG: '1'\n")
    assert result == DeploymentFacts("app.yaml", "other", (), (), ())


# -- uWSGI -----------------------------------------------------------------------------------


def test_uwsgi_ini() -> None:
    text = textwrap.dedent(
        """\
        ; production
        [uwsgi]
        module = app
        callable = application
        master = true
        http = :8000
        socket = /tmp/app.sock
        env = FLASK_DEBUG=1
        env = WERKZEUG_DEBUG_PIN=off
        """
    )
    result = facts("deploy/uwsgi.ini", text)
    (c,) = result.commands
    assert (result.kind, c.source, c.server, c.targets) == (
        "uwsgi",
        "uwsgi",
        "uwsgi",
        ("app:application",),
    )
    assert c.options == (
        ("callable", "application"),
        ("http", ":8000"),
        ("socket", "/tmp/app.sock"),
    )
    assert (c.line, c.text) == (3, "module = app")
    assert c.argv[:3] == ("uwsgi", "--module", "app")
    assert env(result) == {"FLASK_DEBUG": "1", "WERKZEUG_DEBUG_PIN": "off"}
    debug = setting(result, "FLASK_DEBUG")
    assert (debug.source, env_text(text, debug)) == ("uwsgi", "FLASK_DEBUG=1")


@pytest.mark.parametrize(
    ("body", "targets"),
    [
        ("module = app:app", ("app:app",)),
        ("wsgi-file = app.py", ("app.py",)),
        ("wsgi_file = run.py\ncallable = app", ("run.py",)),
        ("mount = /=myproj.wsgi:app", ("myproj.wsgi:app",)),
        ("http-socket = :80", ()),
    ],
)
def test_uwsgi_targets(body: str, targets: tuple[str, ...]) -> None:
    c = only("uwsgi.ini", f"[uwsgi]\n{body}\n")
    assert c.targets == targets


def test_uwsgi_yaml() -> None:
    text = textwrap.dedent(
        """\
        uwsgi:
          http-socket: :8000
          module: app
          callable: app
          env:
            - FLASK_DEBUG=1
            - WERKZEUG_DEBUG_PIN=off
        """
    )
    result = facts("uwsgi.yaml", text)
    (c,) = result.commands
    assert (result.kind, c.server, c.targets) == ("uwsgi", "uwsgi", ("app:app",))
    assert c.options == (("http-socket", ":8000"), ("callable", "app"))
    assert (c.line, c.text) == (3, "module: app")
    pin = setting(result, "WERKZEUG_DEBUG_PIN")
    assert (pin.source, pin.line, env_text(text, pin)) == ("uwsgi", 7, "WERKZEUG_DEBUG_PIN=off")
    assert facts("uwsgi.yml", "other: {}\n").kind == "other"
    assert [d.code for d in facts("uwsgi.yml", "uwsgi: [\n").diagnostics] == ["FG909"]


def test_ini_without_uwsgi_section() -> None:
    text = "[tox]\nenvlist = py39\n[testenv]\nsetenv = FLASK_DEBUG=1\nenv = A=1\n"
    assert facts("tox.ini", text) == DeploymentFacts("tox.ini", "other", (), (), ())


# -- gunicorn config -------------------------------------------------------------------------


def test_gunicorn_conf() -> None:
    text = textwrap.dedent(
        """\
        import multiprocessing

        bind = ["0.0.0.0:8000", "unix:/tmp/g.sock"]
        workers = multiprocessing.cpu_count() * 2 + 1
        wsgi_app = "myproj.wsgi:create_app()"
        reload = True
        raw_env = ["FLASK_DEBUG=1", 'WERKZEUG_DEBUG_PIN=off']
        """
    )
    result = facts("gunicorn.conf.py", text)
    (c,) = result.commands
    assert (result.kind, c.source, c.server, c.targets) == (
        "gunicorn-conf",
        "gunicorn-conf",
        "gunicorn",
        ("myproj.wsgi:create_app()",),
    )
    assert c.options == (
        ("--bind", "0.0.0.0:8000"),
        ("--bind", "unix:/tmp/g.sock"),
        ("--reload", ""),
    )
    assert (c.line, c.text) == (5, 'wsgi_app = "myproj.wsgi:create_app()"')
    assert env(result) == {"FLASK_DEBUG": "1", "WERKZEUG_DEBUG_PIN": "off"}
    pin = setting(result, "WERKZEUG_DEBUG_PIN")
    assert (pin.source, env_text(text, pin)) == ("gunicorn-conf", "WERKZEUG_DEBUG_PIN=off")


def test_gunicorn_conf_columns_count_code_points() -> None:
    text = 'name = "café"; raw_env = ["FLASK_DEBUG=1"]\n'
    debug = setting(facts("gunicorn.conf.py", text), "FLASK_DEBUG")
    assert (debug.column, env_text(text, debug)) == (28, "FLASK_DEBUG=1")


def test_gunicorn_conf_without_app() -> None:
    c = only("config/gunicorn.py", "if True:\n    bind = '0.0.0.0:80'\npreload_app = True\n")
    assert (c.targets, c.options, c.line) == ((), (("--bind", "0.0.0.0:80"), ("--preload", "")), 2)


def test_gunicorn_conf_syntax_error() -> None:
    result = facts("gunicorn.conf.py", "bind = '0.0.0.0:80\nwsgi_app = (\n")
    assert result == DeploymentFacts("gunicorn.conf.py", "gunicorn-conf", (), (), ())


# -- .env and .flaskenv ----------------------------------------------------------------------

DOTENV = """\
# comment
export FLASK_DEBUG=1 # inline comment
SECRET_KEY='it''s'
DOUBLE="a\\nb \\"quoted\\""
SINGLE='no\\nescape \\' here'
HASH=abc#def
SPACED = value with spaces   # comment
EMPTY=
BARE
'QUOTED_KEY'=x
MULTI="first
second"
AFTER=1
"""


def test_dotenv() -> None:
    result = facts(".env", DOTENV)
    assert env(result) == {
        "FLASK_DEBUG": "1",
        "DOUBLE": 'a\nb "quoted"',
        "SINGLE": "no\\nescape ' here",
        "HASH": "abc#def",
        "SPACED": "value with spaces",
        "EMPTY": "",
        "BARE": "",
        "QUOTED_KEY": "x",
        "MULTI": "first\nsecond",
        "AFTER": "1",
    }
    assert {s.source for s in result.env} == {"dotenv"}
    # SECRET_KEY='it''s': python-dotenv cannot read past 'it', so it skips the statement.
    (d,) = result.diagnostics
    assert (d.code, d.line) == ("FG909", 3)


def test_dotenv_positions() -> None:
    text = textwrap.dedent(DOTENV)
    result = facts(".env", text)
    debug = setting(result, "FLASK_DEBUG")
    assert (debug.line, debug.column, env_text(text, debug)) == (2, 8, "FLASK_DEBUG=1")
    assert env_text(text, setting(result, "SPACED")) == "SPACED = value with spaces"
    assert env_text(text, setting(result, "DOUBLE")) == 'DOUBLE="a\\nb \\"quoted\\""'
    multi = setting(result, "MULTI")
    assert (multi.line, env_text(text, multi)) == (11, 'MULTI="first')
    assert setting(result, "AFTER").line == 13


def test_flaskenv_and_crlf() -> None:
    result = facts(".flaskenv", "FLASK_APP=hello\r\nFLASK_DEBUG=1\r\n")
    assert env(result) == {"FLASK_APP": "hello", "FLASK_DEBUG": "1"}
    debug = setting(result, "FLASK_DEBUG")
    assert (debug.source, debug.line, debug.end_column) == ("flaskenv", 2, 14)
    assert facts(".env.production", "A=1\n").env[0].source == "dotenv"


def test_dotenv_unterminated_quote() -> None:
    result = facts(".env", 'A="never closed\nB=2\n')
    assert env(result) == {"B": "2"}
    assert [d.line for d in result.diagnostics] == [1]


def test_value_is_never_in_repr() -> None:
    result = facts(".env", "SECRET_KEY=hunter2-super-secret\n")
    assert "hunter2" not in repr(result)
    assert result.env[0].value == "hunter2-super-secret"


def test_byte_order_mark() -> None:
    result = extract_deployment_facts(".env", "\ufeffFLASK_DEBUG=1\n")
    assert env(result) == {"FLASK_DEBUG": "1"}


# -- robustness ------------------------------------------------------------------------------

SAMPLES = {
    "Procfile": HEROKU + "web: sh -c 'flask db upgrade && exec gunicorn -e A=1 app:app' 2>&1\n",
    "Dockerfile": MULTI_STAGE
    + 'ENTRYPOINT ["tini", "--"]\nCMD flask run\nRUN <<-EOF\n\tCMD x\n\tEOF\n',
    "docker-compose.yml": COMPOSE,
    "app.yaml": "runtime: python39\nentrypoint: gunicorn main:app\nenv_variables:\n  A: '1'\n",
    "uwsgi.ini": "[uwsgi]\nmodule = app\ncallable = app\nenv = FLASK_DEBUG=1\n",
    "uwsgi.yml": "uwsgi:\n  module: app:app\n  env: [A=1, 'B=2']\n  http: :80\n",
    "gunicorn.conf.py": 'bind = "0.0.0.0:80"\nwsgi_app = "app:app"\nraw_env = ["A=1"]\n',
    ".env": DOTENV,
}
NOISE = [
    *"abAB=:;&|()<>\"'\\`$#{}[],-_ \t\n\r\x00\ufeff\u2028é",
    "&&", "sh -c ", "gunicorn ", "flask run", "python -m ", "<<EOF", "\\\n", "*a", "&a",
    "<<: ", "- ", "[uwsgi]", "CMD ", "ENV ", "FROM ", "ENTRYPOINT ", "export ", '"""', "\ud800",
]  # fmt: skip


def mutate(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.3 and chars:
            del chars[rng.randrange(len(chars))]
        elif roll < 0.7:
            chars.insert(rng.randint(0, len(chars)), rng.choice(NOISE))
        elif chars:
            i, j = rng.randrange(len(chars)), rng.randrange(len(chars))
            chars[i:i] = chars[j : j + rng.randint(1, 20)]
    return "".join(chars)


def check_invariants(text: str, result: DeploymentFacts) -> None:
    assert pickle.loads(pickle.dumps(result)) == result
    starts = line_starts(text)
    for s in result.env:
        assert 1 <= s.line <= len(starts) and 1 <= s.column <= s.end_column
    for c in result.commands:
        assert 1 <= c.line <= c.end_line <= len(starts)
        assert c.line < c.end_line or c.column <= c.end_column
        assert c.text == command_text(text, c)
    for d in result.diagnostics:
        assert d.code == "FG909"


@pytest.mark.parametrize("seed", range(8))
def test_never_raises_on_mangled_input(seed: int) -> None:
    rng = random.Random(seed)
    names = list(SAMPLES)
    for _ in range(400):
        name = rng.choice(names)
        if rng.random() < 0.2:
            text = "".join(rng.choice(NOISE) for _ in range(rng.randint(0, 80)))
        else:
            text = mutate(rng.choice(list(SAMPLES.values())), rng)
        check_invariants(text, extract_deployment_facts(name, text))


@pytest.mark.parametrize("name", list(SAMPLES))
def test_truncated_files(name: str) -> None:
    text = SAMPLES[name]
    for end in range(0, len(text), 3):
        check_invariants(text[:end], extract_deployment_facts(name, text[:end]))


@pytest.mark.parametrize("name", list(SAMPLES))
def test_random_bytes(name: str) -> None:
    rng = random.Random(name)
    for _ in range(50):
        text = bytes(rng.randrange(256) for _ in range(200)).decode("utf-8", "replace")
        check_invariants(text, extract_deployment_facts(name, text))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Procfile", "web: " + "sh " * 20000 + "gunicorn a:b\n"),
        ("Procfile", "web: " + "sh -c '" * 50 + "\n"),
        ("docker-compose.yml", "[" * 50000),
        ("gunicorn.conf.py", "x = " + "(" * 5000 + "\n"),
        ("Dockerfile", 'CMD ["' + "\\\\" * 5000 + '"]\n'),
    ],
)
def test_pathological_input(name: str, text: str) -> None:
    check_invariants(text, extract_deployment_facts(name, text))


def deep_sh_c(depth: int) -> str:
    command = "gunicorn app:app"
    for _ in range(depth):
        command = "sh -c " + "'" + command.replace("'", "'\\''") + "'"
    return command


def test_nested_sh_c() -> None:
    c = only("Procfile", f"web: {deep_sh_c(4)}\n")
    assert (c.server, c.targets) == ("gunicorn", ("app:app",))
