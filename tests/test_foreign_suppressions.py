"""Ruff/Bandit suppression comments: honoured only for equivalent rules, never bare."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskguard.facts.extract import _suppressions
from flaskguard.knowledge.suppressions import EQUIVALENT_RULES, equivalent_rules
from flaskguard.scan import run_scan


def test_codes_map_to_flaskguard_rules() -> None:
    assert equivalent_rules("S105") == ("FG200", "FG201", "FG203")
    assert equivalent_rules("b311") == ("FG601",)
    assert equivalent_rules("S608") == ()  # no flaskguard rule for it (yet)
    assert equivalent_rules("E501") == ()
    assert equivalent_rules("S10") == ()


@pytest.mark.parametrize(
    ("comment", "rules"),
    [
        ("# noqa: S105", ("FG200", "FG201", "FG203")),
        ("# noqa:S311,E501", ("FG601",)),
        ("# NOQA: S311 E501", ("FG601",)),
        ("# nosec B311", ("FG601",)),
        ("# nosec: B501, B311", ("FG602", "FG601")),
        ("# type: ignore  # noqa: S201", ("FG100", "FG101")),
    ],
)
def test_comments_with_codes_suppress_equivalent_rules(
    comment: str, rules: tuple[str, ...]
) -> None:
    [suppression] = _suppressions(f"x = 1  {comment}\n")
    assert suppression.rule_ids == rules
    assert suppression.reason is not None and suppression.reason.startswith(("# noqa", "# nosec"))


@pytest.mark.parametrize(
    "comment", ["# noqa", "# nosec", "# noqa: E501", "# nosec B608", "# noqa -- S105"]
)
def test_bare_or_unrelated_comments_never_suppress(comment: str) -> None:
    assert _suppressions(f"x = 1  {comment}\n") == []


def test_every_mapped_rule_exists() -> None:
    from flaskguard.rules import rule_metas

    known = {meta.id for meta in rule_metas()}
    for rules in EQUIVALENT_RULES.values():
        assert set(rules) <= known


def test_scan_honours_a_bandit_code_and_ignores_a_bare_nosec(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import random\n"
        "def make_token():\n"
        "    token = random.getrandbits(64)  # nosec B311\n"
        "    return token\n"
        "def make_reset_token():\n"
        "    reset_token = random.getrandbits(64)  # nosec\n"
        "    return reset_token\n",
        encoding="utf-8",
    )
    result = run_scan([tmp_path], root=tmp_path, cache_dir=None)
    by_line = {f.span.start_line: f for f in result.findings if f.rule_id == "FG601"}
    assert by_line[3].suppressed
    assert by_line[3].suppression_reason == "# nosec B311"
    assert not by_line[6].suppressed
