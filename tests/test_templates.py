"""Jinja templates as an input: discovery, the tokenizer's facts, the pipeline and the cache."""

from __future__ import annotations

import pickle
import random
import textwrap
from collections.abc import Sequence
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import pytest

import flaskguard.cache
import flaskguard.scan
from flaskguard.cache import Cache, environment_key
from flaskguard.config import Config
from flaskguard.discovery import DiscoveredFile, discover
from flaskguard.facts.templates import TemplateFacts, extract_template_facts, output_kind
from flaskguard.model.project import Project
from flaskguard.scan import FileOutcome, analyse_file, project_inputs, run_scan


def facts(text: str, relpath: str = "templates/page.html") -> TemplateFacts:
    return extract_template_facts(relpath, text)


# -- autoescape ----------------------------------------------------------------------------


def test_autoescape_false_block_start() -> None:
    text = "<p>\n  {% autoescape false %}{{ body }}{% endautoescape %}\n</p>\n"
    assert facts(text).autoescape_off == ((2, 3, 25),)


@pytest.mark.parametrize(
    "tag",
    [
        "{%- autoescape False -%}",
        "{%+ autoescape false +%}",
        "{%autoescape false%}",
        "{% autoescape FALSE %}",  # an undefined variable to Jinja: false too
        "{% autoescape none %}",
        "{% autoescape 0 %}",
        "{% autoescape '' %}",
        "{% autoescape (false) %}",
    ],
)
def test_autoescape_off_spellings(tag: str) -> None:
    assert facts(f"x{tag}y").autoescape_off == ((1, 2, 2 + len(tag)),)


@pytest.mark.parametrize(
    "tag",
    [
        "{% autoescape true %}",
        "{% autoescape True %}",
        "{% autoescape enabled %}",
        "{% autoescape false or x %}",
        "{% AUTOESCAPE false %}",  # not a Jinja tag
        "{% endautoescape %}",
        "{{ autoescape }}",
    ],
)
def test_autoescape_on_or_unknown_is_not_reported(tag: str) -> None:
    assert facts(tag).autoescape_off == ()


def test_autoescape_tag_over_two_lines_ends_at_the_end_of_its_first_line() -> None:
    assert facts("{% autoescape\n   false %}").autoescape_off == ((1, 1, 14),)


# -- |safe and {% filter safe %} -----------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "expression"),
    [
        ("{{ q|safe }}", "q|safe"),
        ("{{ q | safe }}", "q | safe"),
        ("{{q|safe}}", "q|safe"),
        ("{{- q|safe -}}", "q|safe"),
        ("{{ x|e|safe }}", "x|e|safe"),
        ("{{ x|safe|upper }}", "x|safe|upper"),
        ("{{ x|default('')|safe }}", "x|default('')|safe"),
        ("{{ x | safe() }}", "x | safe()"),
        ("{{ (a ~ b|safe) }}", "(a ~ b|safe)"),
        ('{{ "}}"|safe }}', '"}}"|safe'),
        ("{{ {'a': {'b': 1}}|safe }}", "{'a': {'b': 1}}|safe"),
        ("{{ x|\n  safe }}", "x|\n  safe"),
    ],
)
def test_safe_outputs(output: str, expression: str) -> None:
    assert facts(f"<b>{output}</b>").safe_uses == ((1, 4, expression),)


@pytest.mark.parametrize(
    "output",
    [
        "{{ x }}",
        "{{ 'a|safe' }}",
        "{{ x|safe_html }}",
        "{{ x|safe.inner }}",  # a dotted filter name: another filter
        "{{ safe }}",
        "{{ x.safe }}",
        "{% set y = x|safe %}",
    ],
)
def test_not_safe_outputs(output: str) -> None:
    assert facts(output).safe_uses == ()


def test_filter_safe_blocks() -> None:
    text = (
        "{% filter safe %}a{% endfilter %}\n"
        "  {%- filter upper|safe -%}b{% endfilter %}\n"
        "{% filter upper %}c{% endfilter %}\n"
        "{% filter safe.x %}d{% endfilter %}\n"
    )
    assert facts(text).safe_uses == ((1, 1, "filter safe"), (2, 3, "filter upper|safe"))


# -- delimiters: raw, comments, unterminated tags, strings --------------------------------


def test_raw_blocks_hide_their_content() -> None:
    text = (
        "{% raw %}{{ a|safe }}{% autoescape false %}{% endraw %}{{ b }}"
        "{%- raw -%}{% include 'x.html' %}{%- endraw -%}{{ c }}"
    )
    result = facts(text)
    assert (result.safe_uses, result.autoescape_off, result.includes) == ((), (), ())
    assert result.variables == ("b", "c")


def test_unterminated_raw_block_ends_the_template() -> None:
    assert facts("{{ a }}{% raw %}{{ b|safe }}").variables == ("a",)


def test_comments_hide_tags() -> None:
    text = "{# {% autoescape false %} {{ c|safe }} {% raw %} #}{{ d }}{#- x -#}{{ e|safe }}"
    result = facts(text)
    assert result.autoescape_off == ()
    assert result.safe_uses == ((1, 68, "e|safe"),)
    assert result.variables == ("d", "e")


def test_unterminated_comment_ends_the_template() -> None:
    assert facts("{{ a }}{# {{ b|safe }}").safe_uses == ()


@pytest.mark.parametrize(
    "text",
    [
        "{{ a|safe }} {{ b|safe",
        "{{ a|safe }} {% autoescape false",
        "{{ a|safe }} {{ f(b|safe }}",  # an open bracket makes }} two operators
        "{{ a|safe }} {{ '}}",
        "{{ a|safe }} {% filter safe ",
    ],
)
def test_unterminated_tag_ends_the_template(text: str) -> None:
    result = facts(text)
    assert result.safe_uses == ((1, 1, "a|safe"),)
    assert result.autoescape_off == ()


def test_unknown_characters_are_skipped() -> None:
    result = facts("{{ it's|safe }}{{ @x }}")
    assert result.safe_uses == ((1, 1, "it's|safe"),)
    assert result.variables == ("it", "x")


def test_closer_inside_a_string_does_not_end_the_tag() -> None:
    result = facts("{% include '%}.html' %}{{ '}}' ~ x }}")
    assert result.includes == ("%}.html",)
    assert result.variables == ("x",)


def test_lone_opening_braces_are_text() -> None:
    assert facts("a { b } {{{ x|safe }}} {%}").safe_uses == ((1, 9, "{ x|safe }"),)


# -- positions -----------------------------------------------------------------------------


def test_crlf_and_lone_cr_end_lines() -> None:
    text = "a\r\nb\r{{ x|safe }}\n\r\n  {% autoescape false %}"
    result = facts(text)
    assert result.safe_uses == ((3, 1, "x|safe"),)
    assert result.autoescape_off == ((5, 3, 25),)


def test_columns_count_code_points() -> None:
    text = "é€😀{{ x|safe }}\nñ{% autoescape false %}"
    result = facts(text)
    assert result.safe_uses == ((1, 4, "x|safe"),)
    assert result.autoescape_off == ((2, 2, 24),)


def test_multiline_tag_position_is_its_opening() -> None:
    assert facts("\n\n  {{\n x\n |safe\n }}").safe_uses == ((3, 3, "x\n |safe"),)


# -- references and variables --------------------------------------------------------------


def test_extends_includes_imports() -> None:
    text = textwrap.dedent(
        """\
        {% extends "layout/base.html" %}
        {% include 'nav.html' %}
        {% include "maybe.html" ignore missing with context %}
        {% include ["a.html", 'b.html',] %}
        {% import 'macros/forms.html' as forms %}
        {% from "macros/x.html" import field, button %}
        {%- include 'nav.html' -%}
        {% include name %}
        {% include "p/" ~ name %}
        {% extends layout or "fallback.html" %}
        {% include ["c.html", other] %}
        {% include %}
        """
    )
    result = facts(text)
    assert result.extends == ("layout/base.html",)
    assert result.includes == (
        "nav.html",
        "maybe.html",
        "a.html",
        "b.html",
        "macros/forms.html",
        "macros/x.html",
    )


def test_variables_are_root_identifiers_of_outputs() -> None:
    text = (
        "{{ user.name|e }}{{ items[0] }}{{ url_for('x', id=item.id) }}{{ not hidden }}"
        "{{ 'Hi ' ~ name }}{{ user }}{{ True }}{{ none }}{{ TRUE }}{{ 42 }}{{ '' }}"
        "{{ 'a'|format(x=1) is defined }}{{ q is not none }}{{ '.'|join(parts) }}"
        "{% set s = secret %}{# {{ hidden2 }} #}"
    )
    assert facts(text).variables == (
        "user",
        "items",
        "url_for",
        "hidden",
        "name",
        "TRUE",
        "q",
        "parts",
    )


# -- robustness ----------------------------------------------------------------------------


def test_empty_and_plain_text() -> None:
    assert facts("") == TemplateFacts("templates/page.html", "html", (), (), (), (), (), ())
    assert facts("no tags at all\n" * 1000).variables == ()


def test_binary_garbage_never_raises() -> None:
    generator = random.Random(20240611)
    alphabet = "{}%#-+|'\"()[]safe raw endraw autoescape false filter\r\n\\\x00é😀"
    for _ in range(2000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randrange(60)))
        result = facts(text)
        for line, column, end_column in result.autoescape_off:
            assert line >= 1 and 1 <= column < end_column
        for line, column, _ in result.safe_uses:
            assert line >= 1 and column >= 1
    data = bytes(generator.getrandbits(8) for _ in range(20000))
    assert facts(data.decode("latin-1")).path == "templates/page.html"


def test_huge_degenerate_input_is_fast() -> None:
    assert facts("{{ " + "(" * 2_000_000).safe_uses == ()
    assert facts("{" * 2_000_000).variables == ()
    assert len(facts("{{ a|safe }}" * 50_000).safe_uses) == 50_000


def test_facts_are_frozen_and_picklable() -> None:
    result = facts("{% extends 'b.html' %}{{ x|safe }}{% autoescape false %}")
    assert pickle.loads(pickle.dumps(result, 5)) == result
    with pytest.raises(FrozenInstanceError):
        result.path = "other"  # type: ignore[misc]


# -- output kinds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("templates/index.html", "html"),
        ("templates/INDEX.HTM", "html"),
        ("templates/feed.xml", "html"),
        ("templates/icon.svg", "html"),
        ("templates/page.xhtml", "html"),
        ("templates/page.jinja", "html"),
        ("templates/page.j2", "html"),
        ("templates/page.jinja2", "html"),
        ("templates/page.html.j2", "html"),
        ("templates/page.htm.jinja", "html"),
        ("templates/email/reset.txt", "text"),
        ("templates/email/reset.txt.j2", "text"),
        ("templates/email/reset.txt.jinja2", "text"),
        ("templates/report.sql", "sql"),
        ("templates/report.sql.j2", "sql"),
        ("templates/report.sql.jinja", "sql"),
        ("templates/nginx.conf.j2", "other"),
        ("templates/data.json.jinja", "other"),
        ("templates/README", "other"),
    ],
)
def test_output_kind(name: str, kind: str) -> None:
    assert output_kind(name) == kind
    assert facts("", name).output == kind


# -- discovery -----------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return project


def kinds(root: Path, *paths: str, **options: Any) -> dict[str, str]:
    result = discover([root / p for p in paths], root, **options)
    assert result.diagnostics == []
    return {f.relpath: f.kind for f in result.files if f.relpath != "pyproject.toml"}


TEMPLATES = [
    "templates/index.html",
    "templates/email/reset.txt",
    "app/templates/admin/users.html",
    "app/templates/admin/deep/er/row.htm",
    "pkg/blueprint/templates/feed.xml",
    "templates/icon.svg",
    "templates/page.xhtml",
    "templates/base.jinja",
    "templates/base.jinja2",
    "templates/page.html.j2",
    "templates/Upper.HTML",
    # Rendered by Jinja, not read by pip, Docker or an env loader:
    "templates/requirements.txt",
    "templates/.env.j2",
    "templates/Dockerfile.j2",
]


def test_templates_below_any_templates_folder(root: Path) -> None:
    others = {
        "templates/helpers.py": "python",
        "templates/Dockerfile": "deployment",
        "templates/.env": "env",
        "requirements.txt": "deployment",
        "app.py": "python",
    }
    unrelated = ["static/index.html", "mytemplates/x.html", "templates.html", "templates/logo.png"]
    write(root, dict.fromkeys([*TEMPLATES, *others, *unrelated], ""))
    assert kinds(root) == {**dict.fromkeys(TEMPLATES, "template"), **others}


def test_gitignored_and_excluded_templates_are_skipped(root: Path) -> None:
    write(
        root,
        {
            ".gitignore": "drafts/\n*.bak.html\n",
            "app/templates/index.html": "",
            "app/templates/drafts/new.html": "",
            "app/templates/old.bak.html": "",
            "app/templates/legacy/a.html": "",
            "node_modules/pkg/templates/x.html": "",
        },
    )
    assert kinds(root, extend_exclude=["legacy"]) == {"app/templates/index.html": "template"}
    assert set(kinds(root, respect_gitignore=False, extend_exclude=["legacy"])) == {
        "app/templates/index.html",
        "app/templates/drafts/new.html",
        "app/templates/old.bak.html",
    }


def test_named_template_keeps_its_kind(root: Path, tmp_path: Path) -> None:
    write(root, {"app/templates/a.html": "", "templates/.gitignore": "b.html\n"})
    write(root, {"templates/b.html": ""})
    write(tmp_path, {"shared/templates/s.txt": ""})
    assert kinds(root, "app/templates/a.html", "templates/b.html", str(tmp_path / "shared")) == {
        "app/templates/a.html": "template",
        "templates/b.html": "template",
        "../shared/templates/s.txt": "template",
    }
    assert kinds(root, "templates/b.html", force_exclude=True) == {}


# -- pipeline ------------------------------------------------------------------------------


class _Recorder:
    """Stands in for ``Project`` in the scan module and keeps what it was given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.projects: list[Project] = []
        recorder = self

        class Recording(Project):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                recorder.projects.append(self)

        monkeypatch.setattr(flaskguard.scan, "Project", Recording)


APP = "from flask import Flask, render_template\napp = Flask(__name__)\n"


def test_run_scan_gives_the_project_its_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder(monkeypatch)
    root = write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app.py": APP,
            "app/templates/admin/users.html": "{% extends 'base.html' %}{{ users|safe }}",
            "app/templates/base.html": "{% autoescape false %}{{ body }}{% endautoescape %}",
            "templates/email/reset.txt": "Hello {{ name }}",
            "templates/requirements.txt": "flask=={{ version }}\n",
        },
    )
    result = run_scan([root], root=root, config=Config(), jobs=2)
    (project,) = recorder.projects
    assert list(project.templates_by_path) == [
        "app/templates/admin/users.html",
        "app/templates/base.html",
        "templates/email/reset.txt",
        "templates/requirements.txt",
    ]
    users = project.templates_by_path["app/templates/admin/users.html"]
    assert (users.output, users.extends, users.safe_uses) == (
        "html",
        ("base.html",),
        ((1, 26, "users|safe"),),
    )
    assert project.templates_by_path["app/templates/base.html"].autoescape_off == ((1, 1, 23),)
    assert project.templates_by_path["templates/email/reset.txt"].output == "text"
    assert "templates/requirements.txt" not in [d.path for d in project.dependencies]
    assert result.diagnostics == []
    assert result.stats.files_scanned == 6


def test_unreadable_templates_are_skipped_without_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder(monkeypatch)
    root = write(tmp_path, {"pyproject.toml": "", "templates/ok.html": "\ufeff{{ x|safe }}"})
    (root / "templates/logo.svg").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "templates/latin1.txt").write_bytes("caf\xe9 {{ x }}".encode("latin-1"))
    (root / "templates/utf16.html").write_bytes("{{ x }}".encode("utf-16"))
    (root / "templates/big.html").write_text("{{ x }}" * 200, encoding="utf-8")
    result = run_scan([root], root=root, config=Config(max_file_size=1000), jobs=1)
    assert result.diagnostics == []
    (project,) = recorder.projects
    assert list(project.templates_by_path) == ["templates/ok.html"]
    # The byte order mark is not a column.
    assert project.templates_by_path["templates/ok.html"].safe_uses == ((1, 1, "x|safe"),)


def test_analyse_file_with_text_override(tmp_path: Path) -> None:
    outcome = analyse_file(
        str(tmp_path / "templates/a.html"), "templates/a.html", "template", 100, "{{ a|safe }}"
    )
    assert outcome == FileOutcome(
        "templates/a.html",
        template=TemplateFacts(
            "templates/a.html", "html", (), ((1, 1, "a|safe"),), (), (), ("a",), ("a",)
        ),
    )


def test_template_outcome_has_only_the_template(tmp_path: Path) -> None:
    path = tmp_path / "templates" / ".env.j2"
    path.parent.mkdir()
    path.write_text("SECRET_KEY={{ key }}\n", encoding="utf-8")
    outcome = analyse_file(str(path), "templates/.env.j2", "template", 10_000)
    assert outcome.template is not None and outcome.template.variables == ("key",)
    assert (outcome.module, outcome.deployment, outcome.dependencies, outcome.diagnostic) == (
        None,
        None,
        None,
        None,
    )


# -- Project.template ----------------------------------------------------------------------


def project_with(*paths: str) -> Project:
    return Project("/p", [], templates=[extract_template_facts(p, "") for p in reversed(paths)])


def test_templates_by_path_is_sorted() -> None:
    project = project_with("b/templates/x.html", "a/templates/x.html", "templates/x.html")
    assert list(project.templates_by_path) == [
        "a/templates/x.html",
        "b/templates/x.html",
        "templates/x.html",
    ]
    assert Project("/p", []).templates_by_path == {}


@pytest.mark.parametrize(
    ("name", "near", "expected"),
    [
        ("admin/users.html", "app/views/admin.py", "app/templates/admin/users.html"),
        ("admin/users.html", "other/views.py", "templates/admin/users.html"),
        ("admin/users.html", None, "templates/admin/users.html"),
        ("admin/users.html", "run.py", "templates/admin/users.html"),
        ("admin/users.html", "pkg/shop/views.py", "pkg/shop/templates/admin/users.html"),
        ("admin/users.html", "pkg/blog/views.py", "pkg/templates/admin/users.html"),
        ("users.html", "app/x.py", "app/templates/admin/templates/users.html"),
        ("./admin//users.html", "app/x.py", "app/templates/admin/users.html"),
        ("/admin/users.html", "app/x.py", "app/templates/admin/users.html"),
        ("../templates/admin/users.html", "app/x.py", None),
        ("missing.html", "app/x.py", None),
        ("", None, None),
        ("x.html", None, None),  # mytemplates/ is not a templates folder
    ],
)
def test_template_resolution(name: str, near: str | None, expected: str | None) -> None:
    project = project_with(
        "templates/admin/users.html",
        "app/templates/admin/users.html",
        "app/templates/admin/templates/users.html",
        "pkg/templates/admin/users.html",
        "pkg/shop/templates/admin/users.html",
        "mytemplates/x.html",
    )
    found = project.template(name, near)
    assert (found.path if found is not None else None) == expected


# -- cache ---------------------------------------------------------------------------------


def test_template_outcomes_round_trip_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(
        tmp_path / "p",
        {
            "pyproject.toml": "",
            "app.py": APP,
            "app/templates/page.html": "{% include 'nav.html' %}{{ q|safe }}",
        },
    )
    cache_dir = tmp_path / "cache"
    config = Config()

    def inputs(cache: Cache) -> list[TemplateFacts]:
        try:
            return project_inputs([root], config=config, root=root, cache=cache, jobs=1).templates
        finally:
            cache.close()

    cold_cache, _ = Cache.open(cache_dir, root)
    assert cold_cache is not None
    cold = inputs(cold_cache)
    assert [t.path for t in cold] == ["app/templates/page.html"]

    analysed: list[str] = []
    original = flaskguard.scan.analyse_files

    def recording(files: Sequence[DiscoveredFile], *args: Any, **kwargs: Any) -> Any:
        analysed.extend(f.relpath for f in files)
        return original(files, *args, **kwargs)

    monkeypatch.setattr(flaskguard.scan, "analyse_files", recording)
    warm_cache, _ = Cache.open(cache_dir, root)
    assert warm_cache is not None
    assert inputs(warm_cache) == cold
    assert analysed == []

    (root / "app/templates/page.html").write_text("{{ other }}", encoding="utf-8")
    edited_cache, _ = Cache.open(cache_dir, root)
    assert edited_cache is not None
    (edited,) = inputs(edited_cache)
    assert (edited.variables, edited.safe_uses) == (("other",), ())
    assert analysed == ["app/templates/page.html"]


def test_warm_run_scan_rebuilds_the_project_with_cached_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write(
        tmp_path / "p",
        {"pyproject.toml": "", "app.py": APP, "templates/a.html": "{{ a|safe }}"},
    )
    cache_dir = tmp_path / "cache"
    run_scan([root], root=root, cache_dir=cache_dir, jobs=1)
    # A Python edit the analyses read invalidates the whole-scan result; the template's
    # outcome is reused.
    (root / "app.py").write_text(APP + 'app.config["TESTING"] = False\n', encoding="utf-8")
    recorder = _Recorder(monkeypatch)
    run_scan([root], root=root, cache_dir=cache_dir, jobs=1)
    (project,) = recorder.projects
    assert project.templates_by_path["templates/a.html"].safe_uses == ((1, 1, "a|safe"),)


def test_facts_cache_key_follows_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Old outcomes (pickled before templates existed) must not be reused: the key covers
    # flaskguard's own files, so a changed scan.py or a new facts module changes it.
    monkeypatch.setattr(flaskguard.cache, "_code_signature", lambda: "before")
    before = environment_key("facts", 1000)
    monkeypatch.setattr(flaskguard.cache, "_code_signature", lambda: "after")
    assert environment_key("facts", 1000) != before
