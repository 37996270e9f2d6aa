"""Taint values: which trace a label keeps does not depend on the order taints meet in."""

from __future__ import annotations

import itertools

from flaskguard.analysis.taintvalues import Label, Taint, cleaned, merge, shorter

FORM: Label = (("src", "request.form"), frozenset())
ARGS: Label = (("src", "request.args"), frozenset())

VIA_LINE_80 = (("views.py", 80, 17, "`request.form` is attacker-controlled"), ("db.py", 9, 5, "x"))
VIA_LINE_92 = (("views.py", 92, 17, "`request.form` is attacker-controlled"), ("db.py", 9, 5, "x"))
LONGER = (*VIA_LINE_80, ("db.py", 12, 5, "y"))


def test_the_shorter_trace_wins_and_equal_lengths_go_by_path_and_line() -> None:
    assert shorter(VIA_LINE_92, LONGER)
    assert shorter(VIA_LINE_80, VIA_LINE_92)
    assert not shorter(VIA_LINE_92, VIA_LINE_80)
    assert not shorter(VIA_LINE_80, VIA_LINE_80)


def test_merge_keeps_the_same_trace_whatever_the_order() -> None:
    taints: list[Taint] = [{FORM: LONGER}, {FORM: VIA_LINE_92}, {FORM: VIA_LINE_80, ARGS: ()}]
    results = [merge(*order) for order in itertools.permutations(taints)]
    assert all(result == {FORM: VIA_LINE_80, ARGS: ()} for result in results)


def test_cleaning_two_labels_into_one_keeps_the_same_trace_whatever_the_order() -> None:
    sql_done: Label = (("src", "request.form"), frozenset({"sql"}))
    for taint in (
        {FORM: VIA_LINE_92, sql_done: VIA_LINE_80},
        {sql_done: VIA_LINE_80, FORM: VIA_LINE_92},
    ):
        assert cleaned(taint, frozenset({"sql"})) == {sql_done: VIA_LINE_80}
