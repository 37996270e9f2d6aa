"""line_mapping: facts that differ only in their line numbers, and the ones that do not."""

from __future__ import annotations

from typing import Optional

from flaskguard.facts.compare import LineMap, line_mapping
from flaskguard.scan import analyse_file

BASE = """\
import os

SECRET = os.environ.get("KEY", "dev")


def view(value):
    return value + 1
"""


def mapping(before: str, after: str) -> Optional[LineMap]:
    old = analyse_file("m.py", "m.py", "python", 10_000_000, before).module
    new = analyse_file("m.py", "m.py", "python", 10_000_000, after).module
    assert old is not None and new is not None
    return line_mapping(old, new)


def test_equal_facts_map_lines_to_themselves() -> None:
    found = mapping(BASE, BASE + "# trailing\n")
    assert found is not None and all(old == new for old, new in found.items())


def test_comment_lines_above_code_move_the_lines_below() -> None:
    found = mapping(BASE, "# one\n# two\n" + BASE)
    assert found == {line: line + 2 for line in found}
    assert found[3] == 5 and found[6] == 8


def test_a_blank_line_removed_moves_the_lines_below_up() -> None:
    found = mapping(BASE, BASE.replace("\n\n\ndef", "\n\ndef"))
    assert found is not None and found[3] == 3 and found[6] == 5


def test_code_changes_are_not_moves() -> None:
    assert mapping(BASE, BASE.replace("+ 1", "+ 2")) is None
    assert mapping(BASE, BASE.replace('"dev"', '"prod"')) is None
    assert mapping(BASE, BASE + "\nprint(1)\n") is None


def test_spacing_inside_a_line_moves_columns_and_is_not_a_move() -> None:
    assert mapping(BASE, BASE.replace('("KEY", "dev")', '("KEY",  "dev")')) is None


def test_statements_swapped_are_not_a_move() -> None:
    swapped = BASE.replace(
        'SECRET = os.environ.get("KEY", "dev")\n',
        'OTHER = 1\nSECRET = os.environ.get("KEY", "dev")\n',
    )
    reordered = BASE.replace(
        'SECRET = os.environ.get("KEY", "dev")\n',
        'SECRET = os.environ.get("KEY", "dev")\nOTHER = 1\n',
    )
    assert mapping(swapped, reordered) is None
