"""Dependency declarations: requirements files, pyproject.toml, setup.cfg and lock files."""

from __future__ import annotations

import random
import textwrap

import pytest

from flaskguard.deps.manifests import (
    Dependency,
    DependencyFacts,
    extract_dependency_facts,
    manifest_kind,
)


def facts(path: str, text: str) -> DependencyFacts:
    return extract_dependency_facts(path, textwrap.dedent(text).lstrip("\n"))


def by_name(result: DependencyFacts) -> dict[str, Dependency]:
    return {d.name: d for d in result.dependencies}


def spanned(text: str, dep: Dependency) -> str:
    line = textwrap.dedent(text).lstrip("\n").splitlines()[dep.line - 1]
    return line[dep.column - 1 : dep.end_column - 1]


# -- manifest_kind ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("sub/requirements_test.in", "requirements"),
        ("requirements.in", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("requirements/prod.in", "requirements"),
        ("pyproject.toml", "pyproject.toml"),
        ("svc/setup.cfg", "setup.cfg"),
        ("poetry.lock", "poetry.lock"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("uv.lock", "uv.lock"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.dev.toml", "pylock.toml"),
        ("pdm.lock", "pdm.lock"),
        ("base.txt", None),
        ("requirements.py", None),
        ("Pipfile", None),
        ("setup.py", None),
        ("", None),
    ],
)
def test_manifest_kind(path: str, kind: str | None) -> None:
    assert manifest_kind(path) == kind


# -- requirements files ----------------------------------------------------------------------

REQUIREMENTS = """
# Production dependencies
--index-url https://user:s3cr3t@pypi.example.com/simple
--extra-index-url=https://pypi.org/simple
Flask==2.2.2  # web framework
werkzeug>=2.2,<3
Jinja2 ~= 3.1
flask-cors[extra1, Extra2] == 3.0.10 ; python_version >= "3.8"
itsdangerous===2.1.2
markupsafe==2.1.*
requests
gunicorn>=20.1 ; sys_platform != "win32"
mylib @ https://example.com/mylib-1.0.tar.gz ; python_version > "3"
-e git+https://github.com/org/pkg.git@v1#egg=pkg
-e ./local/pkg
--editable .
-e otherlib @ git+https://github.com/org/otherlib.git
./vendor/thing-1.0-py3-none-any.whl
https://example.com/archive.zip#egg=archive
"""


def test_requirements_basic_fields() -> None:
    result = facts("requirements.txt", REQUIREMENTS)
    deps = by_name(result)
    assert result.diagnostics == ()
    assert set(deps) == {
        "flask",
        "werkzeug",
        "jinja2",
        "flask-cors",
        "itsdangerous",
        "markupsafe",
        "requests",
        "gunicorn",
        "mylib",
        "otherlib",
    }
    flask = deps["flask"]
    assert (flask.version, flask.specifier, flask.line, flask.column) == ("2.2.2", "==2.2.2", 4, 1)
    assert spanned(REQUIREMENTS, flask) == "Flask==2.2.2"
    assert flask.source == "requirements" and flask.group == "" and not flask.locked
    assert not flask.has_hash and flask.marker is None and flask.extras == ()
    assert flask.path == "requirements.txt"
    assert (deps["werkzeug"].version, deps["werkzeug"].specifier) == (None, ">=2.2,<3")
    assert deps["jinja2"].specifier == "~=3.1" and deps["jinja2"].version is None
    cors = deps["flask-cors"]
    assert cors.version == "3.0.10" and cors.specifier == "==3.0.10"
    assert cors.extras == ("Extra2", "extra1")
    assert cors.marker == 'python_version >= "3.8"'
    assert spanned(REQUIREMENTS, cors) == (
        'flask-cors[extra1, Extra2] == 3.0.10 ; python_version >= "3.8"'
    )
    assert deps["itsdangerous"].version == "2.1.2"
    assert deps["itsdangerous"].specifier == "===2.1.2"
    assert deps["markupsafe"].version is None and deps["markupsafe"].specifier == "==2.1.*"
    assert deps["requests"].specifier == "" and deps["requests"].version is None
    assert deps["gunicorn"].marker == 'sys_platform != "win32"'
    mylib = deps["mylib"]
    assert (
        mylib.version is None and mylib.specifier == "" and mylib.marker == 'python_version > "3"'
    )
    assert deps["otherlib"].version is None
    assert result.includes == ()


def test_requirements_skip_paths_vcs_and_editables() -> None:
    names = set(by_name(facts("requirements.txt", REQUIREMENTS)))
    assert "pkg" not in names and "thing" not in names and "archive" not in names


def test_hash_sign_without_whitespace_is_not_a_comment() -> None:
    # pip reads "flask#x" whole, which is not a requirement; "flask #x" is flask.
    result = extract_dependency_facts("requirements.txt", "flask#x\nclick #x\n")
    assert [d.name for d in result.dependencies] == ["click"]
    assert [d.line for d in result.diagnostics] == [1]


def test_requirements_hashes_across_continuation_lines() -> None:
    text = """
    # pip-compile --generate-hashes
    flask==2.2.2 \\
        --hash=sha256:aaaa \\
        --hash=sha256:bbbb
        # via -r requirements.in
    werkzeug==2.2.3 \\
        --hash sha256:cccc
    click==8.1.3
    """
    deps = by_name(facts("requirements.txt", text))
    assert deps["flask"].has_hash and deps["flask"].line == 2
    assert spanned(text, deps["flask"]) == "flask==2.2.2"
    assert deps["werkzeug"].has_hash and deps["werkzeug"].line == 6
    assert not deps["click"].has_hash and deps["click"].line == 8


def test_requirement_itself_continued_ends_on_first_line() -> None:
    text = "flask>=2.0,\\\n  <3 ; python_version > '3.7'\nclick\n"
    deps = by_name(extract_dependency_facts("requirements.txt", text))
    flask = deps["flask"]
    assert flask.specifier == ">=2.0,<3" and flask.marker == "python_version > '3.7'"
    assert (flask.line, flask.column, flask.end_column) == (1, 1, 12)
    assert deps["click"].line == 3


def test_comment_line_ending_in_backslash_does_not_continue() -> None:
    text = "# a comment \\\nflask==2.0\n"
    deps = by_name(extract_dependency_facts("requirements.txt", text))
    assert deps["flask"].line == 2


def test_includes_resolved_against_including_file() -> None:
    text = """
    -r ../base.txt
    --requirement=common/extra.txt
    -c constraints.txt
    -rshort.txt
    --constraint ./../requirements/pins.txt
    -r https://example.com/remote.txt
    -r /etc/absolute.txt
    flask
    """
    result = facts("requirements/dev.txt", text)
    assert result.includes == (
        "base.txt",
        "requirements/common/extra.txt",
        "requirements/constraints.txt",
        "requirements/short.txt",
        "requirements/pins.txt",
    )
    assert [d.name for d in result.dependencies] == ["flask"]
    assert result.diagnostics == ()


def test_includes_from_root_and_outside_root() -> None:
    assert facts("requirements.txt", "-r requirements/base.txt\n").includes == (
        "requirements/base.txt",
    )
    assert facts("requirements.txt", "-r ../shared.txt\n").includes == ("../shared.txt",)
    assert facts("a\\requirements.txt", "-r base.txt\n").includes == ("a/base.txt",)


def test_malformed_lines_are_diagnosed_and_parsing_goes_on() -> None:
    text = """
    flask==2.2.2
    this is not ==== a requirement
    --no-such-option
    --index-url
    werkzeug==2.2.3
    flask-login >= ; python_version
    click==8.1.3
    """
    result = facts("requirements.txt", text)
    assert [d.name for d in result.dependencies] == ["flask", "werkzeug", "click"]
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("FG909", 2),
        ("FG909", 3),
        ("FG909", 4),
        ("FG909", 6),
    ]
    assert all(d.path == "requirements.txt" for d in result.diagnostics)
    assert "--no-such-option" in result.diagnostics[1].message


def test_diagnostics_never_quote_secrets() -> None:
    text = "--index-url https://user:hunter2@x/simple\nsecret-hunter2 @@ nope\n--bad 'hunter2\n"
    result = extract_dependency_facts("requirements.txt", text)
    assert len(result.diagnostics) == 2
    assert all("hunter2" not in d.message for d in result.diagnostics)


def test_unknown_file_name_is_read_as_requirements() -> None:
    result = extract_dependency_facts("base.txt", "flask==2.0.1\n")
    assert result.dependencies[0].version == "2.0.1"


def test_windows_newlines_and_bom() -> None:
    result = extract_dependency_facts("requirements.txt", "\ufeffflask==2.0\r\nclick\r\n")
    deps = by_name(result)
    assert deps["flask"].line == 1 and deps["click"].line == 2
    assert deps["flask"].column == 2  # the BOM keeps its place as a column
    assert result.diagnostics == ()


# -- pyproject.toml: PEP 621 -----------------------------------------------------------------

PEP621 = """
[build-system]
requires = ["setuptools>=61"]

[project]
name = "webapp"
version = "1.0"
dependencies = [
    "Flask>=2.2,<3",
    "flask-cors==3.0.10; python_version >= '3.8'",
    'Jinja2[i18n]==3.1.2',
]

[project.optional-dependencies]
dev = ["pytest", "Flask==2.2.2"]
docs = [
    "sphinx>=5",
]

[dependency-groups]
test = ["coverage", {include-group = "dev"}]
"""


def test_pep621() -> None:
    result = facts("pyproject.toml", PEP621)
    assert result.diagnostics == ()
    deps = result.dependencies
    main = [d for d in deps if d.group == ""]
    assert [d.name for d in main] == ["flask", "flask-cors", "jinja2"]
    assert all(d.source == "pyproject-pep621" and not d.locked for d in deps)
    flask = main[0]
    assert (flask.specifier, flask.version, flask.line) == (">=2.2,<3", None, 8)
    assert spanned(PEP621, flask) == "Flask>=2.2,<3"
    cors = main[1]
    assert cors.version == "3.0.10" and cors.marker == "python_version >= '3.8'"
    assert main[2].extras == ("i18n",) and spanned(PEP621, main[2]) == "Jinja2[i18n]==3.1.2"
    dev = [d for d in deps if d.group == "dev"]
    assert [(d.name, d.line, d.version) for d in dev] == [
        ("pytest", 14, None),
        ("flask", 14, "2.2.2"),
    ]
    assert spanned(PEP621, dev[1]) == "Flask==2.2.2"
    docs = [d for d in deps if d.group == "docs"]
    assert [(d.name, d.line) for d in docs] == [("sphinx", 16)]
    test = [d for d in deps if d.group == "test"]
    assert [(d.name, d.line) for d in test] == [("coverage", 20)]


def test_pep621_same_requirement_twice_gets_two_positions() -> None:
    text = """
    [project]
    name = "x"
    dependencies = ["flask", "requests"]
    [project.optional-dependencies]
    web = ["flask"]
    """
    deps = facts("pyproject.toml", text).dependencies
    assert [(d.name, d.group, d.line) for d in deps] == [
        ("flask", "", 3),
        ("requests", "", 3),
        ("flask", "web", 5),
    ]


def test_pep621_invalid_entries() -> None:
    text = """
    [project]
    name = "x"
    dependencies = ["flask", "not a ==== requirement", 3, "click"]
    [project.optional-dependencies]
    dev = "pytest"
    """
    result = facts("pyproject.toml", text)
    assert [d.name for d in result.dependencies] == ["flask", "click"]
    assert len(result.diagnostics) == 3
    assert {d.code for d in result.diagnostics} == {"FG909"}
    assert result.diagnostics[0].line == 3


# -- pyproject.toml: Poetry ------------------------------------------------------------------

POETRY = """
[tool.poetry]
name = "webapp"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.9"
Flask = "^2.0"   # web
werkzeug = "~2.1"
jinja2 = "*"
"flask-cors" = { version = "3.0.10", extras = ["x"], markers = "python_version >= '3.8'" }
itsdangerous = ">=2.0 <3"
click = "=8.1.3"
gunicorn = "^0.0.3"
authlib = "^1.2 || ^2.0"
mylib = { git = "https://github.com/org/mylib.git" }
pyyaml = [
    { version = "^6.0", python = ">=3.9" },
]

[tool.poetry.dev-dependencies]
pytest = "^7.2.1"

[tool.poetry.group.lint.dependencies]
ruff = "==0.1.0"
"""


def test_poetry() -> None:
    result = facts("pyproject.toml", POETRY)
    assert result.diagnostics == ()
    deps = by_name(result)
    assert "python" not in deps
    assert all(d.source == "pyproject-poetry" for d in deps.values())
    flask = deps["flask"]
    assert (flask.specifier, flask.version, flask.line, flask.column) == (">=2.0,<3.0", None, 7, 1)
    assert spanned(POETRY, flask) == 'Flask = "^2.0"'
    assert deps["werkzeug"].specifier == ">=2.1,<2.2"
    assert deps["jinja2"].specifier == ""
    cors = deps["flask-cors"]
    assert (cors.specifier, cors.version, cors.extras) == ("==3.0.10", "3.0.10", ("x",))
    assert cors.marker == "python_version >= '3.8'" and cors.line == 10
    assert deps["itsdangerous"].specifier == ">=2.0,<3"
    assert deps["click"].version == "8.1.3"
    assert deps["gunicorn"].specifier == ">=0.0.3,<0.0.4"
    assert deps["authlib"].specifier == ""
    assert deps["mylib"].specifier == "" and deps["mylib"].version is None
    assert deps["pyyaml"].specifier == ">=6.0,<7.0" and deps["pyyaml"].line == 16
    assert (deps["pytest"].group, deps["pytest"].specifier) == ("dev", ">=7.2.1,<8.0.0")
    assert (deps["ruff"].group, deps["ruff"].version) == ("lint", "0.1.0")


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^2.0", ">=2.0,<3.0"),
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("~2.1", ">=2.1,<2.2"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"),
        ("~=2.1", "~=2.1"),
        ("2.0.1", "==2.0.1"),
        ("2.0.*", "==2.0.*"),
        (">= 1.2, < 1.5", ">=1.2,<1.5"),
        ("!=1.3", "!=1.3"),
    ],
)
def test_poetry_constraints(constraint: str, expected: str) -> None:
    text = f'[tool.poetry.dependencies]\nflask = "{constraint}"\n'
    (dep,) = extract_dependency_facts("pyproject.toml", text).dependencies
    assert dep.specifier == expected


def test_poetry_bad_constraint_is_diagnosed() -> None:
    text = '[tool.poetry.dependencies]\nflask = "^banana"\nclick = "8.0"\n'
    result = extract_dependency_facts("pyproject.toml", text)
    assert [(d.name, d.specifier) for d in result.dependencies] == [
        ("flask", ""),
        ("click", "==8.0"),
    ]
    assert [(d.code, d.line) for d in result.diagnostics] == [("FG909", 2)]


def test_broken_toml() -> None:
    result = extract_dependency_facts("pyproject.toml", '[project]\ndependencies = ["flask"\n')
    assert result.dependencies == ()
    (diag,) = result.diagnostics
    assert diag.code == "FG909" and diag.line == 2
    assert diag.message.startswith("invalid TOML")


# -- setup.cfg -------------------------------------------------------------------------------

SETUP_CFG = """
[metadata]
name = webapp

[options]
packages = find:
install_requires =
    Flask>=2.0,<3  # the framework
    # a comment line
    werkzeug==2.2.2; python_version >= "3.8"
    not a ==== requirement
    click

[options.extras_require]
dev =
    pytest==7.2.0
cors = flask-cors>=3
"""


def test_setup_cfg() -> None:
    result = facts("setup.cfg", SETUP_CFG)
    deps = result.dependencies
    assert [(d.name, d.group, d.line) for d in deps] == [
        ("flask", "", 7),
        ("werkzeug", "", 9),
        ("click", "", 11),
        ("pytest", "dev", 15),
        ("flask-cors", "cors", 16),
    ]
    assert all(d.source == "setup.cfg" for d in deps)
    assert spanned(SETUP_CFG, deps[0]) == "Flask>=2.0,<3"
    assert deps[1].version == "2.2.2" and deps[1].marker == 'python_version >= "3.8"'
    assert spanned(SETUP_CFG, deps[4]) == "flask-cors>=3"
    assert [(d.code, d.line) for d in result.diagnostics] == [("FG909", 10)]


def test_setup_cfg_file_directive_and_broken_file() -> None:
    text = "[options]\ninstall_requires = file: requirements/base.txt, extra.txt\n"
    result = extract_dependency_facts("svc/setup.cfg", text)
    assert result.includes == ("svc/requirements/base.txt", "svc/extra.txt")
    broken = extract_dependency_facts("setup.cfg", "install_requires = flask\n")
    assert broken.dependencies == () and broken.diagnostics[0].code == "FG909"


# -- lock files ------------------------------------------------------------------------------

POETRY_LOCK = """
# This file is automatically @generated by Poetry and should not be changed by hand.

[[package]]
name = "Flask"
version = "2.2.2"
description = "A simple framework for building complex web applications."
category = "main"
optional = false
python-versions = ">=3.7"

[package.dependencies]
click = ">=8.0"
Werkzeug = ">=2.2.2"

[[package]]
name = "pytest"
version = "7.2.0"
category = "dev"
optional = false
python-versions = ">=3.7"

[[package]]
name = "werkzeug"
version = "2.2.2"
description = "The comprehensive WSGI web application library."
optional = false
python-versions = ">=3.7"
files = [
    {file = "Werkzeug-2.2.2-py3-none-any.whl", hash = "sha256:f979ab81f58d7318e064e99c4506445d60135ac5cd2e177a2de0089bfd4c9bd5"},
]

[metadata]
lock-version = "2.0"
python-versions = "^3.9"
"""


def test_poetry_lock() -> None:
    result = facts("poetry.lock", POETRY_LOCK)
    assert result.diagnostics == ()
    deps = result.dependencies
    assert [(d.name, d.version, d.specifier, d.group, d.line) for d in deps] == [
        ("flask", "2.2.2", "==2.2.2", "", 4),
        ("pytest", "7.2.0", "==7.2.0", "dev", 16),
        ("werkzeug", "2.2.2", "==2.2.2", "", 23),
    ]
    assert all(d.locked and d.source == "poetry.lock" and not d.has_hash for d in deps)
    assert spanned(POETRY_LOCK, deps[0]) == 'name = "Flask"'


PIPFILE_LOCK = """
{
    "_meta": {
        "hash": {"sha256": "abc"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.11"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]
    },
    "default": {
        "click": {
            "hashes": ["sha256:aaa"],
            "markers": "python_version >= '3.7'",
            "version": "==8.1.3"
        },
        "flask": {
            "hashes": ["sha256:bbb"],
            "index": "pypi",
            "version": "==2.2.2"
        },
        "mylib": {
            "git": "https://github.com/org/mylib.git",
            "ref": "abc"
        }
    },
    "develop": {
        "flask": {
            "version": "==2.3.0"
        }
    }
}
"""


def test_pipfile_lock() -> None:
    result = facts("Pipfile.lock", PIPFILE_LOCK)
    assert result.diagnostics == ()
    deps = result.dependencies
    assert [(d.name, d.version, d.group, d.line) for d in deps] == [
        ("click", "8.1.3", "", 9),
        ("flask", "2.2.2", "", 14),
        ("mylib", None, "", 19),
        ("flask", "2.3.0", "develop", 25),
    ]
    assert deps[0].marker == "python_version >= '3.7'"
    assert spanned(PIPFILE_LOCK, deps[1]) == '"flask": {'
    assert all(d.locked and d.source == "Pipfile.lock" for d in deps)


def test_broken_json() -> None:
    result = extract_dependency_facts("Pipfile.lock", '{"default": {"flask": {"version": ')
    assert result.dependencies == ()
    (diag,) = result.diagnostics
    assert diag.code == "FG909" and diag.line == 1


UV_LOCK = """
version = 1
requires-python = ">=3.9"

[[package]]
name = "flask"
version = "2.2.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "werkzeug" },
]
sdist = { url = "https://files.pythonhosted.org/flask-2.2.2.tar.gz", hash = "sha256:abc" }

[[package]]
name = "webapp"
version = "0.1.0"
source = { editable = "." }

[package.metadata]
requires-dist = [{ name = "flask", specifier = ">=2" }]

[[package]]
name = "tool"
version = "1.0"
source = { virtual = "tools/tool" }

[[package]]
name = "werkzeug"
version = "2.2.3"
source = { registry = "https://pypi.org/simple" }
"""


def test_uv_lock_skips_the_project_itself() -> None:
    result = facts("uv.lock", UV_LOCK)
    assert result.diagnostics == ()
    assert [(d.name, d.version, d.line, d.source) for d in result.dependencies] == [
        ("flask", "2.2.2", 5, "uv.lock"),
        ("werkzeug", "2.2.3", 27, "uv.lock"),
    ]


PYLOCK = """
lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "flask"
version = "2.2.2"
marker = "python_version >= '3.8'"

[[packages.wheels]]
url = "https://files.pythonhosted.org/flask-2.2.2-py3-none-any.whl"
hashes = {sha256 = "abc"}

[[packages]]
name = "jinja2"
version = "3.1.2"
"""


def test_pylock() -> None:
    result = facts("pylock.web.toml", PYLOCK)
    assert result.diagnostics == ()
    deps = result.dependencies
    assert [(d.name, d.version, d.line) for d in deps] == [
        ("flask", "2.2.2", 5),
        ("jinja2", "3.1.2", 14),
    ]
    assert deps[0].marker == "python_version >= '3.8'" and deps[0].source == "pylock.toml"


PDM_LOCK = """
[metadata]
groups = ["default", "dev"]

[[package]]
name = "flask"
version = "2.2.2"
requires_python = ">=3.7"
groups = ["default"]

[[package]]
name = "pytest"
version = "7.2.0"
groups = ["dev"]

[[package]]
name = "flask"
version = "2.2.2"
extras = ["async"]
groups = ["default"]
"""


def test_pdm_lock() -> None:
    result = facts("pdm.lock", PDM_LOCK)
    deps = result.dependencies
    assert [(d.name, d.group, d.line, d.extras) for d in deps] == [
        ("flask", "", 5, ()),
        ("pytest", "dev", 11, ()),
        ("flask", "", 16, ("async",)),
    ]
    assert all(d.source == "pdm.lock" and d.locked for d in deps)


def test_lock_entries_without_names_are_diagnosed() -> None:
    text = '[[package]]\nversion = "1.0"\n\n[[package]]\nname = "flask"\nversion = "2.0"\n'
    result = extract_dependency_facts("poetry.lock", text)
    assert [d.name for d in result.dependencies] == ["flask"]
    assert [(d.code, d.line) for d in result.diagnostics] == [("FG909", 1)]


def test_legacy_lock_version_uses_arbitrary_equality() -> None:
    text = '[[package]]\nname = "odd"\nversion = "not.a-version!!"\n'
    (dep,) = extract_dependency_facts("poetry.lock", text).dependencies
    assert dep.version == "not.a-version!!" and dep.specifier == "===not.a-version!!"


# -- robustness ------------------------------------------------------------------------------

PATHS = [
    "requirements.txt",
    "pyproject.toml",
    "setup.cfg",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pylock.toml",
    "pdm.lock",
]


@pytest.mark.parametrize("path", PATHS)
def test_binary_junk_never_raises(path: str) -> None:
    rng = random.Random(path)
    for _ in range(30):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        result = extract_dependency_facts(path, junk.decode("latin-1"))
        assert not any("internal error" in d.message for d in result.diagnostics)
    deep = extract_dependency_facts(path, "[" * 100_000)
    assert isinstance(deep, DependencyFacts)


@pytest.mark.parametrize("path", PATHS)
def test_mutated_fixtures_never_raise(path: str) -> None:
    source = {
        "requirements.txt": REQUIREMENTS,
        "pyproject.toml": PEP621 + POETRY.replace("[tool.poetry]", "[tool.poetry2]"),
        "setup.cfg": SETUP_CFG,
        "poetry.lock": POETRY_LOCK,
        "Pipfile.lock": PIPFILE_LOCK,
        "uv.lock": UV_LOCK,
        "pylock.toml": PYLOCK,
        "pdm.lock": PDM_LOCK,
    }[path]
    rng = random.Random(path)
    for _ in range(200):
        chars = list(source)
        for _ in range(rng.randrange(1, 6)):
            chars[rng.randrange(len(chars))] = rng.choice("[]{}\"'=#\\\n ;@^~,x0")
        result = extract_dependency_facts(path, "".join(chars))
        assert not any("internal error" in d.message for d in result.diagnostics)
        for dep in result.dependencies:
            assert dep.line >= 1 and 1 <= dep.column <= dep.end_column


def test_wrong_shapes_are_diagnosed_not_raised() -> None:
    for path, text in [
        ("pyproject.toml", 'project = "x"\n'),
        ("pyproject.toml", "[project]\ndependencies = 3\n"),
        ("pyproject.toml", '[tool.poetry]\ndependencies = "flask"\n'),
        ("pyproject.toml", "[tool.poetry.dependencies]\nflask = 3\n"),
        ("poetry.lock", 'package = "x"\n'),
        ("poetry.lock", "package = [1, 2]\n"),
        ("Pipfile.lock", "[]"),
        ("Pipfile.lock", '{"default": []}'),
        ("Pipfile.lock", '{"default": {"flask": 3}}'),
    ]:
        result = extract_dependency_facts(path, text)
        assert result.dependencies == ()
