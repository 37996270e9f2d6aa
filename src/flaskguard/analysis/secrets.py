"""Secrets, credentials and cookie settings: the shared judgement of the FG2xx rules.

Values come from :func:`flaskguard.model.settings.config_model` (every config path, with
its profile) and constant evaluation. This module decides what those values *are* — a weak
key, a credential, a URL with a password, a literal fallback of an environment lookup — and
*where* a literal is written: a setting may take its value from a module constant, and the
finding (and its fix) belongs where the literal stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional, Union
from urllib.parse import unquote, urlsplit

from flaskguard.analysis.codecontext import code_kind, is_env_template
from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.facts import ir
from flaskguard.facts.deployment import EnvSetting
from flaskguard.facts.module import Guard
from flaskguard.findings import Severity
from flaskguard.fixes import ReplaceLiteralPlan
from flaskguard.knowledge.secrets import (
    CREDENTIAL_WORD_PAIRS,
    CREDENTIAL_WORDS,
    MIN_DISTINCT_CHARACTERS,
    MIN_SECRET_LENGTH,
    NON_CREDENTIAL_CONTEXT_WORDS,
    NON_CREDENTIAL_WORDS,
    PLACEHOLDER_CREDENTIALS,
    PLACEHOLDER_SECRETS,
    PLACEHOLDER_SUBSTRINGS,
    PLACEHOLDER_WORD_PAIRS,
    PLACEHOLDER_WORDS,
    SECRET_KEY_SETTINGS,
    TIMEDELTA_UNITS,
    URL_SCHEMES,
)
from flaskguard.model.objects import ExtRef, ModRef, canonical
from flaskguard.model.project import ExprBinding, Frame, ImportedBinding, Project
from flaskguard.model.settings import Setting, config_model, profile_kind

Secret = Union[str, bytes]
MAX_FOLLOW = 8
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
_TEMPLATE_PLACEHOLDER = re.compile(
    r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|<[^<>]+>"
    r"|%\([^)]*\)s|%s"
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


# -- values ---------------------------------------------------------------------------------


def describe_secret_site(site: SecretSite) -> str:
    """How the setting gets the literal: ``Config.SECRET_KEY``, or via a constant."""
    setting = site.setting
    written = site.written
    label = setting_label(setting)
    if (written.path, written.loc.line) != (setting.path, setting.value_site.line):
        return (
            f"{label} ({setting.path}:{setting.value_site.line}) takes {setting.key} "
            "from this literal"
        )
    if setting.key == "SECRET_KEY_FALLBACKS":
        count = len(site.values)
        keys = "an old key as a literal" if count == 1 else f"{count} old keys as literals"
        return f"{label} lists {keys}"
    return setting_is(setting, "a literal in the code")


# Where a committed file's environment reaches, for messages.
ENV_SOURCE_REACH = {
    "flaskenv": "loaded by `flask run` and `app.run()`",
    "dockerfile": "baked into every image built from it",
    "compose": "handed to the service by docker compose",
    "appyaml": "deployed to App Engine with the app",
    "uwsgi": "set by uWSGI for the application",
    "gunicorn-conf": "set by gunicorn for the application",
}


def committed_env_secrets(project: Project) -> Iterator[tuple[str, EnvSetting]]:
    """Signing keys written as values in committed deployment files (``.flaskenv``,
    Dockerfile ``ENV``, compose ``environment``...). ``.env`` files are left out: they are
    conventionally kept out of version control, which is where they belong."""
    for deployment in project.deployments:
        if is_env_template(deployment.path) or code_kind(project, deployment.path) is not None:
            continue
        for setting in deployment.env:
            if setting.source not in ENV_SOURCE_REACH:
                continue
            key = setting.key[len("FLASK_") :] if setting.key.startswith("FLASK_") else setting.key
            value = setting.value.strip()
            # ``${SECRET_KEY}`` and ``$SECRET_KEY`` pass a value from elsewhere.
            if key not in SECRET_KEY_SETTINGS or not value or value.startswith("$"):
                continue
            yield key, setting


def secret_weakness(value: Secret) -> Optional[str]:
    """Why a signing key is weak (FLASK_SECURITY.md 3.2), or None for a strong-looking one."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    lowered = text.lower()
    squashed = re.sub(r"[^a-z0-9]", "", lowered)
    words = [w for w in re.split(r"[^a-z0-9]+", lowered) if w]
    if (
        squashed in PLACEHOLDER_SECRETS
        or any(w in PLACEHOLDER_WORDS for w in words)
        or any(s in squashed for s in PLACEHOLDER_SUBSTRINGS)
        or any(a in words and b in words for a, b in PLACEHOLDER_WORD_PAIRS)
    ):
        return "it is a placeholder or tutorial value, the first thing attackers try"
    unit = "bytes" if isinstance(value, bytes) else "characters"
    if len(value) < MIN_SECRET_LENGTH:
        return (
            f"it is only {len(value)} {unit} long, short enough to brute-force offline "
            "from a single captured cookie"
        )
    distinct = len(set(value))
    if distinct < MIN_DISTINCT_CHARACTERS:
        used = "one character repeated" if distinct == 1 else f"only {distinct} distinct {unit}"
        return f"it is {used}, a pattern rather than randomness"
    return None


def is_placeholder(value: str) -> bool:
    """A value that stands for a credential to be filled in: ``${DB_PASSWORD}``,
    ``<password>``, ``xxxx``, ``changeme``, ``your-api-key``."""
    stripped = value.strip()
    if not stripped or len(set(stripped)) == 1:
        return True
    if _TEMPLATE_PLACEHOLDER.fullmatch(stripped) or "${" in stripped or "{{" in stripped:
        return True
    squashed = re.sub(r"[^a-z0-9]", "", stripped.lower())
    return squashed in PLACEHOLDER_CREDENTIALS or squashed.startswith(("your", "enteryour"))


def is_secret_key_setting(key: str) -> bool:
    return key in SECRET_KEY_SETTINGS


def is_credential_key(key: str) -> bool:
    """``MAIL_PASSWORD``, ``AWS_SECRET_ACCESS_KEY``, ``STRIPE_API_KEY`` — but not the words
    around a credential: ``PASSWORD_FIELD``, ``TOKEN_EXPIRES``, ``API_KEY_HEADER``."""
    if not key.isupper() or key in SECRET_KEY_SETTINGS or key.startswith("SECRET_KEY"):
        return False
    words = [w for w in key.lower().split("_") if w]
    if any(w in NON_CREDENTIAL_CONTEXT_WORDS for w in words):
        return False
    for index, word in enumerate(words):
        end: Optional[int] = None
        if word in CREDENTIAL_WORDS:
            end = index + 1
        elif index + 1 < len(words) and (word, words[index + 1]) in CREDENTIAL_WORD_PAIRS:
            end = index + 2
        if end is not None:
            return not any(w in NON_CREDENTIAL_WORDS for w in words[end:])
    return False


def url_with_password(value: str) -> Optional[str]:
    """What a connection URL with an embedded, real password connects to; else None."""
    if "://" not in value:
        return None
    try:
        parts = urlsplit(value.strip())
        password = parts.password
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme) or not password or is_placeholder(unquote(password)):
        return None
    return URL_SCHEMES.get(scheme) or URL_SCHEMES.get(scheme.split("+", 1)[0], "service")


def setting_label(setting: Setting) -> str:
    """``Config.SECRET_KEY``, ``app.config["SECRET_KEY"]`` or ``SECRET_KEY`` in a module."""
    name, separator, where = setting.via.partition(" in ")
    return f"`{name}` in {where}" if separator else f"`{setting.via}`"


def setting_is(setting: Setting, shown: str) -> str:
    """For messages: "`Config.X` is False", or "`config.update(X=...)` sets X to False"."""
    if "(" in setting.via:
        return f"{setting_label(setting)} sets {setting.key} to {shown}"
    return f"{setting_label(setting)} is {shown}"


def nonempty_secret(value: object) -> bool:
    return isinstance(value, (str, bytes)) and bool(value.strip())


# -- where values are written ---------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """An expression, the frame it is evaluated in, and the statement that writes it."""

    expr: ir.Expr
    frame: Frame
    path: str
    loc: ir.Loc
    scope: str


@dataclass(frozen=True)
class EnvFallback:
    """An environment lookup that falls back to a literal when the variable is unset."""

    path: str
    call: ir.Call
    scope: str
    variable: Optional[str]
    how: str  # for messages: "os.environ.get(..., default)", "... or <literal>"


@dataclass(frozen=True)
class SecretSite:
    """A literal signing key, at the place where it is written (FG200/FG201)."""

    setting: Setting
    written: Written
    values: tuple[Secret, ...]
    literal: Optional[ir.Const]  # the literal itself, when one literal is the whole value


class SecretsAnalysis:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.analysis: DevServerAnalysis = analysis_for(project)
        self.resolver = self.analysis.resolver
        self.evaluator = self.analysis.evaluator
        self.model = config_model(project)

    # -- settings ----------------------------------------------------------------------------

    def production_settings(self, keys: Optional[frozenset[str]] = None) -> Iterator[Setting]:
        """Settings a deployment gets: production or default profile, in production code,
        not only under a ``__main__`` guard."""
        for setting in self.model.settings:
            if (keys is None or setting.key in keys) and self.is_production(setting):
                yield setting

    def is_production(self, setting: Setting) -> bool:
        if not setting.in_production or code_kind(self.project, setting.path) is not None:
            return False
        return not setting.guards or self.runs_at_import(setting.guards, setting.frame)

    def runs_at_import(self, guards: tuple[Guard, ...], frame: Frame) -> bool:
        reach = self.analysis.context.guard_reach(guards, Frame(frame.module, frame.scope))
        if reach == Reach.NO:
            return False
        for guard in guards:
            test = guard.test
            negated = isinstance(test, ir.UnaryOp) and test.op == "not"
            if guard.branch != negated and any(
                profile_kind(name) in ("testing", "development") for name in _dotted_names(test)
            ):
                return False
        return True

    def value(self, expr: ir.Expr, frame: Frame) -> tuple[object, list[str]]:
        evaluation = self.evaluator.evaluate(expr, frame)
        return evaluation.value, evaluation.env_vars

    def written(self, setting: Setting) -> Written:
        """Where the setting's value is finally written, following names to module constants."""
        here = Written(
            setting.value, setting.frame, setting.path, setting.value_site, setting.scope
        )
        return self.follow(here)

    def follow(self, start: Written) -> Written:
        current = start
        for _ in range(MAX_FOLLOW):
            step = self._step(current)
            if step is None:
                return current
            current = step
        return current

    def _step(self, at: Written) -> Optional[Written]:
        expr = at.expr
        if isinstance(expr, ir.Attr):
            modules = {
                v for v in self.resolver.infer(expr.value, at.frame) if isinstance(v, ModRef)
            }
            if len(modules) != 1:
                return None
            (module,) = modules
            return self._name_in(ir.Name(expr.attr), Frame(module.path, ""))
        if isinstance(expr, ir.Name):
            return self._name_in(expr, at.frame)
        return None

    def _name_in(self, name: ir.Name, frame: Frame) -> Optional[Written]:
        if frame.bound(name.id) is not None:
            return None
        bindings = self.project.lookup(frame, name.id)
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if isinstance(binding, ExprBinding):
            assignment = binding.assignment
            if assignment is None or assignment.augmented:
                return None
            return Written(
                assignment.value,
                binding.frame,
                binding.frame.module,
                assignment.loc,
                assignment.scope,
            )
        if isinstance(binding, ImportedBinding) and binding.binding.attr not in (None, "*"):
            module = self.project.module(binding.module)
            target = self.project.find_module(
                self.project.absolute_import(module, binding.binding), module
            )
            if target is None or target.path == module.path:
                return None
            assert binding.binding.attr is not None
            return self._name_in(ir.Name(binding.binding.attr), Frame(target.path, ""))
        return None

    # -- FG200/FG201 -------------------------------------------------------------------------

    def secret_sites(self) -> list[SecretSite]:
        return self.project.cached("secrets.sites", self._secret_sites)

    def _secret_sites(self) -> list[SecretSite]:
        sites: dict[tuple[str, int, int], SecretSite] = {}
        for setting in self.production_settings(frozenset(SECRET_KEY_SETTINGS)):
            found = self._secret_site(setting)
            if found is None or code_kind(self.project, found.written.path) is not None:
                continue
            loc = found.written.loc
            sites.setdefault((found.written.path, loc.line, loc.col), found)
        return [sites[key] for key in sorted(sites)]

    def _secret_site(self, setting: Setting) -> Optional[SecretSite]:
        written = self.written(setting)
        if setting.key == "SECRET_KEY_FALLBACKS":
            if not isinstance(written.expr, ir.Seq):
                return None
            values: list[Secret] = []
            for element in written.expr.elts:
                value, env_vars = self.value(element, written.frame)
                if nonempty_secret(value) and not env_vars:
                    assert isinstance(value, (str, bytes))
                    values.append(value)
            return SecretSite(setting, written, tuple(values), None) if values else None
        value, env_vars = self.value(written.expr, written.frame)
        if not nonempty_secret(value):
            return None
        assert isinstance(value, (str, bytes))
        if env_vars and self.env_fallbacks(written):
            return None  # an environment lookup with a literal default: FG202
        literal = (
            written.expr
            if isinstance(written.expr, ir.Const) and written.expr.value == value
            else None
        )
        return SecretSite(setting, written, (value,), literal)

    # -- FG202 -------------------------------------------------------------------------------

    def env_fallbacks(
        self, start: Written, variables: Optional[frozenset[str]] = None
    ) -> list[EnvFallback]:
        """Environment lookups in ``start`` (following names) that fall back to a literal."""
        found: list[EnvFallback] = []
        self._fallbacks(start, variables, found, 0)
        return found

    def _fallbacks(
        self,
        at: Written,
        variables: Optional[frozenset[str]],
        found: list[EnvFallback],
        depth: int,
    ) -> None:
        if depth > MAX_FOLLOW:
            return
        expr = at.expr
        if isinstance(expr, (ir.Name, ir.Attr)):
            step = self._step(at)
            if step is not None:
                self._fallbacks(step, variables, found, depth + 1)
            if isinstance(expr, ir.Name):
                return
        if isinstance(expr, ir.Call):
            fallback = self.getter_fallback(expr, at.frame)
            if fallback is not None:
                variable, how = fallback
                if variables is None or variable in variables:
                    found.append(EnvFallback(at.path, expr, at.scope, variable, how))
        if isinstance(expr, ir.BoolOp) and expr.op == "or":
            for position, operand in enumerate(expr.values[:-1]):
                variable = self.getter_variable(operand, at.frame)
                if variable is None or (variables is not None and variable not in variables):
                    continue
                later = [self.value(v, at.frame)[0] for v in expr.values[position + 1 :]]
                if any(nonempty_secret(v) for v in later):
                    assert isinstance(operand, ir.Call)
                    how = f"{_getter_name(operand)}(...) or <literal>"
                    found.append(EnvFallback(at.path, operand, at.scope, variable or None, how))
        for child in _children(expr):
            self._fallbacks(
                Written(child, at.frame, at.path, at.loc, at.scope), variables, found, depth + 1
            )

    def is_env_getter(self, call: ir.Call, frame: Frame) -> bool:
        return any(
            isinstance(v, ExtRef) and canonical(v.name) in ENV_GETTERS
            for v in self.resolver.infer(call.func, frame)
        )

    def getter_variable(self, expr: ir.Expr, frame: Frame) -> Optional[str]:
        """The variable an environment lookup reads ("" when not a constant), else None."""
        if not isinstance(expr, ir.Call) or not self.is_env_getter(expr, frame):
            return None
        name_expr = expr.argument(0, "key")
        name = self.value(name_expr, frame)[0] if name_expr is not None else None
        return name if isinstance(name, str) else ""

    def getter_fallback(self, call: ir.Call, frame: Frame) -> Optional[tuple[Optional[str], str]]:
        """(variable, description) for ``os.environ.get(NAME, <literal>)`` and friends."""
        variable = self.getter_variable(call, frame)
        if variable is None:
            return None
        default = call.argument(1, "default")
        if default is None:
            return None
        value = self.value(default, frame)[0]
        if not nonempty_secret(value):
            return None
        return variable or None, f"{_getter_name(call)}(..., <literal>)"


def secret_fix(site: SecretSite) -> tuple[Optional[ReplaceLiteralPlan], Optional[str]]:
    """The unsafe fix of FG200/FG201: the literal becomes ``os.environ["<KEY>"]``."""
    key = site.setting.key
    if key == "SECRET_KEY_FALLBACKS":
        return None, "Old keys are a list; load them from the environment or a secret store."
    if site.literal is None:
        return None, "The value is computed from several parts, not one literal."
    value = site.literal.value
    assert isinstance(value, (str, bytes))
    loc = site.written.loc
    plan = ReplaceLiteralPlan(
        loc.line,
        loc.col,
        value,
        f'os.environ["{key}"]',
        "os",
        f'Read {key} from the environment (`os.environ["{key}"]`); the app then refuses to '
        f"start until {key} is set.",
    )
    return plan, None


def _getter_name(call: ir.Call) -> str:
    return ir.dotted_name(call.func) or "os.environ.get"


def _children(expr: ir.Expr) -> tuple[ir.Expr, ...]:
    if isinstance(expr, ir.Call):
        return (*expr.args, *(v for _, v in expr.kwargs))
    if isinstance(expr, ir.BoolOp):
        return expr.values
    if isinstance(expr, ir.IfExp):
        return (expr.body, expr.orelse)
    if isinstance(expr, ir.BinOp):
        return (expr.left, expr.right)
    if isinstance(expr, ir.UnaryOp):
        return (expr.operand,)
    if isinstance(expr, ir.Attr):
        return (expr.value,)
    if isinstance(expr, ir.Subscript):
        return (expr.value, expr.index)
    if isinstance(expr, ir.Seq):
        return expr.elts
    return ()


def _dotted_names(expr: ir.Expr) -> Iterator[str]:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Name):
            yield node.id
        elif isinstance(node, ir.Attr):
            yield node.attr
            stack.append(node.value)
        elif isinstance(node, ir.Const) and isinstance(node.value, str):
            yield node.value
        else:
            stack.extend(_children(node))
            if isinstance(node, ir.Compare):
                stack.extend((node.left, *node.comparators))


def secrets_analysis(project: Project) -> SecretsAnalysis:
    return project.cached("secrets", lambda: SecretsAnalysis(project))


# -- cookie settings (FG204, FG205) ---------------------------------------------------------


@dataclass(frozen=True)
class CookieProblem:
    setting: Setting
    severity: Severity
    text: str  # what the setting makes happen
    env_vars: tuple[str, ...]


def cookie_problems(
    analysis: SecretsAnalysis, prefix: str, cookie: str, impact: str, secure_elsewhere: bool
) -> list[CookieProblem]:
    """Explicit weakening of a cookie's flags in production settings of ``prefix`` keys.

    ``secure_elsewhere``: something other than configuration makes the cookie Secure
    (Talisman does for the session cookie), so ``SameSite=None`` is not sent over HTTP.
    """
    keys = frozenset(f"{prefix}{flag}" for flag in ("SECURE", "HTTPONLY", "SAMESITE", "DOMAIN"))
    settings = list(analysis.production_settings(keys))
    secure_values = [
        analysis.value(s.value, s.frame)[0] for s in settings if s.key == f"{prefix}SECURE"
    ]
    secure = secure_elsewhere or any(v is NOT_CONSTANT or bool(v) for v in secure_values)
    problems: list[CookieProblem] = []
    for setting in settings:
        value, env_vars = analysis.value(setting.value, setting.frame)
        if value is NOT_CONSTANT:
            continue
        flag = setting.key[len(prefix) :]
        written = setting_is(setting, repr(value))
        text: Optional[str] = None
        severity = Severity.MEDIUM
        if flag == "SECURE" and not value:
            text = (
                f"{written}: browsers also send the {cookie} over plain HTTP, where anyone on "
                "the network path (public Wi-Fi, a proxy) can read it and "
                f"{impact}."
            )
        elif flag == "HTTPONLY" and not value:
            text = (
                f"{written}: JavaScript on the page can read the {cookie} "
                f"(`document.cookie`), so a single XSS bug is enough to steal it and {impact}."
            )
        elif flag == "SAMESITE" and isinstance(value, str) and value.lower() == "none":
            if secure:
                continue
            severity = Severity.LOW
            text = (
                f"{written} without {prefix}SECURE = True: browsers that accept it attach the "
                f"{cookie} to requests from any other site (cross-site request forgery) and "
                "over plain HTTP; current browsers reject SameSite=None without Secure and "
                "drop the cookie instead."
            )
        elif flag == "DOMAIN" and isinstance(value, str) and value.startswith("."):
            severity = Severity.LOW
            text = (
                f"{written}: every subdomain of {value.lstrip('.')} receives the {cookie}; any "
                "of them (a forgotten staging host, user content, a third-party service) can "
                f"read it and {impact}."
            )
        if text is not None:
            problems.append(CookieProblem(setting, severity, text, tuple(env_vars)))
    return problems


# -- lifetimes (FG206) ----------------------------------------------------------------------


def duration_seconds(analysis: SecretsAnalysis, written: Written) -> Optional[float]:
    """Seconds of a ``timedelta(...)`` or a number of seconds, following names; else None."""
    at = analysis.follow(written)
    expr, frame = at.expr, at.frame
    if isinstance(expr, ir.Call) and any(
        isinstance(v, ExtRef) and canonical(v.name) == "datetime.timedelta"
        for v in analysis.resolver.infer(expr.func, frame)
    ):
        total = 0.0
        for position, (unit, seconds) in enumerate(TIMEDELTA_UNITS):
            argument = expr.argument(position, unit)
            if argument is None:
                continue
            amount = analysis.value(argument, frame)[0]
            if isinstance(amount, bool) or not isinstance(amount, (int, float)):
                return None
            total += amount * seconds
        return total
    if isinstance(expr, ir.BinOp) and expr.op in ("*", "+"):
        # ``timedelta(days=1) * 90``: the count multiplies seconds like any other number.
        left = duration_seconds(analysis, Written(expr.left, frame, at.path, at.loc, at.scope))
        right = duration_seconds(analysis, Written(expr.right, frame, at.path, at.loc, at.scope))
        if left is not None and right is not None:
            return left + right if expr.op == "+" else left * right
    value = analysis.value(expr, frame)[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
