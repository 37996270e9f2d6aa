"""line_mapping: facts that differ only in their line numbers, and the ones that do not."""

from __future__ import annotations

import random
from typing import Optional

from flaskguard.facts.compare import (
    LineMap,
    equal_under,
    line_digests,
    line_mapping,
    matching_lines,
)
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


def digests(text: str) -> bytes:
    return line_digests(text)


def test_matching_lines_skip_the_edited_lines_and_move_the_rest() -> None:
    inserted = BASE.replace("\n\ndef view", "\nLIMIT = 3\nNAME = 'x'\n\n\ndef view")
    found = matching_lines(digests(BASE), digests(inserted))
    assert found[1] == 1 and found[3] == 3
    assert found[6] == 9 and found[7] == 10  # below the two new lines (5 and 6)
    assert 5 not in found.values() and 6 not in found.values()
    deleted = matching_lines(digests(inserted), digests(BASE))
    assert 5 not in deleted and 6 not in deleted  # the deleted lines
    assert deleted[9] == 6


def test_a_line_replaced_in_place_keeps_its_number() -> None:
    found = matching_lines(digests(BASE), digests(BASE.replace("value + 1", "value + 2")))
    assert all(old == new for old, new in found.items())
    assert 7 in found


def test_lines_edited_in_several_places_map_between_the_edits() -> None:
    lines = [f"x{i} = {i}" for i in range(1, 41)]
    edited = [*lines[:5], "new = 0", *lines[5:30], *lines[32:]]
    found = matching_lines(digests("\n".join(lines)), digests("\n".join(edited)))
    assert found[5] == 5 and found[6] == 7 and found[30] == 31
    assert 31 not in found and 32 not in found
    assert found[33] == 32 and found[40] == 39
    assert list(found.values()) == sorted(found.values())


def test_equal_under_moves_every_line_and_compares_the_rest() -> None:
    old = analyse_file("m.py", "m.py", "python", 10_000_000, BASE).module
    moved_text = "import sys\n" + BASE
    new = analyse_file("m.py", "m.py", "python", 10_000_000, moved_text).module
    assert old is not None and new is not None
    lines = matching_lines(digests(BASE), digests(moved_text))
    assert equal_under(old.functions, new.functions, lines)
    assert equal_under(old.calls, new.calls, lines)
    assert not equal_under(old.imports, new.imports, lines)  # one more
    assert not equal_under(old.functions, new.functions, {})  # a line it cannot map
    changed = analyse_file("m.py", "m.py", "python", 10_000_000, moved_text.replace("+ 1", "+ 2"))
    assert changed.module is not None
    assert not equal_under(old.functions, changed.module.functions, lines)


def test_matching_lines_keep_order_and_range_under_random_edits() -> None:
    chooser = random.Random(7)
    for trial in range(300):
        old = [
            chooser.choice(["", "x", "y", f"u{trial}_{k}"]) for k in range(chooser.randint(0, 60))
        ]
        new = list(old)
        for step in range(chooser.randint(0, 5)):
            roll = chooser.random()
            if roll < 0.4 and new:
                del new[chooser.randrange(len(new))]
            elif roll < 0.8:
                new.insert(chooser.randint(0, len(new)), chooser.choice(["", "x", f"n{step}"]))
            elif new:
                new[chooser.randrange(len(new))] = "changed"
        found = matching_lines(digests("\n".join(old)), digests("\n".join(new)))
        lines = sorted(found)
        assert all(found[x] < found[y] for x, y in zip(lines, lines[1:]))
        # An empty text is one empty line.
        old_count, new_count = max(len(old), 1), max(len(new), 1)
        assert all(0 <= line <= old_count and 0 <= found[line] <= new_count for line in lines)
        assert found[0] == 0
