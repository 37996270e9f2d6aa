"""What the project stage notes of its reads, and how an edit is judged against them."""

from __future__ import annotations

import ast
import textwrap

from flaskguard.facts.extract import extract_module_facts
from flaskguard.facts.module import ModuleFacts
from flaskguard.model.project import Frame, Project, changed_read
from flaskguard.model.reads import ReadLog, WatchedModule

HELPERS = """\
import hashlib

LIMIT = 10


def helper(value):
    return value + 1


def unused(value):
    return value
"""


def facts(source: str, relpath: str = "pkg/helpers.py") -> ModuleFacts:
    source = textwrap.dedent(source)
    return extract_module_facts(ast.parse(source), source, relpath)


def project_of(*modules: ModuleFacts) -> Project:
    return Project("/p", modules)


def test_modules_handed_out_note_content_reads_only() -> None:
    project = project_of(facts(HELPERS))
    (module,) = project.modules
    assert isinstance(module, WatchedModule)
    assert module.path == "pkg/helpers.py" and module.module_name == "pkg.helpers"
    assert project.reads.fields["pkg/helpers.py"] == set()
    assert len(module.functions) == 2
    assert project.reads.fields["pkg/helpers.py"] == {"functions"}


def test_lookups_note_what_they_asked() -> None:
    project = project_of(facts(HELPERS))
    project.lookup(Frame("pkg/helpers.py", "helper"), "value")
    project.lookup(Frame("pkg/helpers.py", "helper"), "missing")
    project.calls_of_attribute("md5")
    keys = project.reads.keys["pkg/helpers.py"]
    assert ("name", "helper", "value") in keys
    # A name found nowhere was looked for in every enclosing scope and in star imports.
    assert {("name", "helper", "missing"), ("name", "", "missing"), ("star",)} <= keys
    assert ("function", "helper") in keys
    assert project.reads.calls == {("attribute", "md5")}
    # The project's own lookups read the plain facts: no whole field is noted.
    assert project.reads.fields["pkg/helpers.py"] == set()


def _judged(reads: ReadLog, after: str) -> str | None:
    return changed_read(reads, facts(HELPERS), facts(after))


def test_an_edit_no_read_sees_changes_nothing() -> None:
    project = project_of(facts(HELPERS))
    project.lookup(Frame("pkg/helpers.py", ""), "helper")
    project.calls_of_attribute("md5")
    reads = project.reads
    # Another function's body, and a function added: nobody asked about them.
    assert _judged(reads, HELPERS.replace("return value\n", "return value * 2\n")) is None
    assert _judged(reads, HELPERS + "\n\ndef more():\n    return 3\n") is None
    # A call of another attribute than the one asked for.
    assert _judged(reads, HELPERS + "\n\ndef more():\n    return hashlib.sha256()\n") is None


def test_an_edit_a_read_sees_is_named() -> None:
    project = project_of(facts(HELPERS))
    project.lookup(Frame("pkg/helpers.py", ""), "helper")
    project.calls_of_attribute("md5")
    reads = project.reads
    changed = _judged(reads, HELPERS.replace("value + 1", "value + 2"))
    assert changed == "('name', '', 'helper') in pkg/helpers.py"
    added = _judged(reads, HELPERS + "\n\ndef more():\n    return hashlib.md5()\n")
    assert added == "calls ('attribute', 'md5') in pkg/helpers.py"
    # A name bound where it was looked for and not found before.
    project.lookup(Frame("pkg/helpers.py", ""), "later")
    assert _judged(project.reads, HELPERS + "\nlater = 1\n") is not None


def test_a_whole_field_read_sees_any_change_of_it() -> None:
    project = project_of(facts(HELPERS))
    for module in project.modules:
        _ = module.assignments
    reads = project.reads
    assert _judged(reads, HELPERS.replace("LIMIT = 10", "LIMIT = 11")) == (
        "assignments of pkg/helpers.py"
    )
    # Functions were not read whole: a new one is not seen.
    assert _judged(reads, HELPERS + "\n\ndef more():\n    return 3\n") is None


def test_the_same_module_elsewhere_is_another_module() -> None:
    reads = project_of(facts(HELPERS)).reads
    assert changed_read(reads, facts(HELPERS), facts(HELPERS, "pkg/other.py")) == "path"


def test_call_positions_move_with_their_lines() -> None:
    project = project_of(facts(HELPERS))
    assert project.call_at("pkg/helpers.py", 3, 0) is None
    moved = project.reads.moved("pkg/helpers.py", {3: 5})
    assert ("call-at", 5, 0) in moved.keys["pkg/helpers.py"]
    assert ("call-at", 3, 0) in project.reads.keys["pkg/helpers.py"]
