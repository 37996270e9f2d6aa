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
    "fg200_hardcoded_secret_key",
    "fg201_weak_secret_key",
    "fg202_secret_key_insecure_default",
    "fg203_hardcoded_credentials",
    "fg204_session_cookie_insecure",
    "fg205_remember_cookie_insecure",
    "fg206_long_session_lifetime",
    "fg207_cookie_without_flags",
    "fg300_sql_injection",
    "fg301_xss",
    "fg302_ssti",
    "fg303_command_injection",
    "fg304_code_injection",
    "fg305_path_traversal",
    "fg306_open_redirect",
    "fg307_ssrf",
    "fg308_unsafe_deserialization",
    "fg309_xxe",
    "fg310_ldap_injection",
    "fg311_xpath_injection",
    "fg312_header_injection",
    "fg313_log_injection",
    "fg314_trust_boundary",
    "fg400_sensitive_route_without_auth",
    "fg401_auth_decorator_order",
    "fg402_login_disabled",
    "fg403_state_changing_route_without_auth",
    "fg500_csrf_disabled",
    "fg501_csrf_exempt_state_changing",
    "fg502_csrf_missing",
    "fg503_security_headers_missing",
    "fg504_talisman_weakened",
    "fg505_cors_credentials_any_origin",
    "fg506_socketio_cors_any_origin",
    "fg507_jinja_autoescape_disabled",
    "fg600_weak_hash",
    "fg601_insecure_random",
    "fg602_tls_verification_disabled",
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
