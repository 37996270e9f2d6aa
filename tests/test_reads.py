"""What the project stage notes of its reads, and how an edit is judged against them."""

from __future__ import annotations

import ast
import textwrap

from flaskguard.facts import ir
from flaskguard.facts.extract import extract_module_facts
from flaskguard.facts.module import CallSite, ModuleFacts
from flaskguard.model.project import Frame, Project, changed_read, view_ref
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


def attribute_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    return tuple(site for site in module.calls if isinstance(site.call.func, ir.Attr))


def calls_by_scope(module: ModuleFacts) -> dict[str, tuple[CallSite, ...]]:
    found: dict[str, list[CallSite]] = {}
    for site in module.calls:
        found.setdefault(site.scope, []).append(site)
    return {scope: tuple(sites) for scope, sites in found.items()}


def test_a_view_is_one_read_judged_by_its_answer() -> None:
    project = project_of(facts(HELPERS))
    (module,) = project.modules
    assert project.view(module, attribute_calls) == ()
    assert ("view", view_ref(attribute_calls)) in project.reads.keys["pkg/helpers.py"]
    assert project.reads.fields["pkg/helpers.py"] == set()
    reads = project.reads
    # Calls the view does not select, and assignments: not seen.
    assert (
        _judged(reads, HELPERS + "\n\ndef more(v):\n    total = len(v)\n    return total\n") is None
    )
    # A call it selects is.
    changed = _judged(reads, HELPERS + "\n\ndef more():\n    return hashlib.md5()\n")
    assert changed is not None and view_ref(attribute_calls) in changed


def test_a_view_entry_is_read_alone() -> None:
    source = HELPERS + "\n\ndef more():\n    return hashlib.md5()\n"
    project = project_of(facts(source))
    (module,) = project.modules
    (site,) = project.view_entry(module, calls_by_scope, "more") or ()
    assert site.call.loc.line == 15
    reads = project.reads
    other = source.replace("return value + 1", "return hashlib.sha1(value)")
    assert changed_read(reads, facts(source), facts(other)) is None
    changed = changed_read(reads, facts(source), facts(source.replace("md5", "sha1")))
    assert changed is not None and "'more'" in changed


def test_a_view_this_code_does_not_have_is_a_change() -> None:
    reads = ReadLog(keys={"pkg/helpers.py": {("view", "flaskguard.model.project:no_such_view")}})
    changed = changed_read(reads, facts(HELPERS), facts(HELPERS + "\nX = 1\n"))
    assert changed == "unknown view flaskguard.model.project:no_such_view"


def test_locations_in_view_entries_move_with_their_lines() -> None:
    loc = ir.Loc(3, 4, 4, 1)
    reads = ReadLog(keys={"pkg/helpers.py": {("view", "m:v", ("scope", loc)), ("view", "m:w")}})
    moved = reads.moved("pkg/helpers.py", {3: 5, 4: 6})
    assert moved.keys["pkg/helpers.py"] == {
        ("view", "m:v", ("scope", ir.Loc(5, 4, 6, 1))),
        ("view", "m:w"),
    }
