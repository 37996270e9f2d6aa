"""The rule registry: every rule module, in id order."""

from __future__ import annotations

import importlib
from functools import cache

from flaskguard.rules.base import Rule, RuleMeta

RULE_MODULES = (
    "fg100_dev_server_at_import",
    "fg101_debug_enabled",
    "fg102_dev_server_public_bind",
    "fg103_werkzeug_debugger_exposed",
    "fg104_dev_server_as_production_entry",
    "fg105_unsafe_werkzeug_allowed",
    "fg700_vulnerable_dependency",
)


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = []
    for name in RULE_MODULES:
        module = importlib.import_module(f"flaskguard.rules.{name}")
        rule = module.RULE
        assert isinstance(rule, Rule)
        rules.append(rule)
    return tuple(sorted(rules, key=lambda r: r.meta.id))


def rule_metas() -> tuple[RuleMeta, ...]:
    return tuple(rule.meta for rule in all_rules())


def find_rule(rule_id: str) -> Rule | None:
    wanted = rule_id.strip().upper()
    for rule in all_rules():
        if rule.meta.id == wanted or rule.meta.name == rule_id.strip().lower():
            return rule
    return None
