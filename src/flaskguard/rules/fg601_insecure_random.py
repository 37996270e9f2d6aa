"""## What it does
Finds values made with the `random` module (`random.random`, `randint`, `randrange`,
`choice`, `choices`, `sample`, `shuffle`, `getrandbits`, `randbytes`, `uniform`, methods of
`random.Random()` instances and `numpy.random` functions) that are used as a token, password,
key, salt, nonce, session id, OTP, reset or verification code, or cookie value.

Calls are identified by what they resolve to (`from random import choice`,
`import random as r`, `rng = random.Random(); rng.choice(...)`); `random.SystemRandom()` and
the `secrets` module are never reported.

The purpose is read from the names around the value, nearest first, exactly as FG600 does:
the keyword, dict key or cookie it is passed under, the variable, attribute or subscript it
is assigned to (and, for a plain variable, where that variable goes until it is assigned
again: a session key, a cookie, an f-string such as `"Your verification code is {code}"`),
then the enclosing function and its class. Security words (token, secret, password, key, salt, nonce, otp, pin,
session, reset, csrf, verification, auth, …) report it; words of harmless uses (game, dice,
color, jitter, delay, retry, sample, shuffle, quote, avatar, file name, cache, …) do not. A value
stored in a cookie or in the Flask session is a security value even without such a name.

A value is *generated* when it is new randomness (`random.random()`, `randint`,
`getrandbits`, or `choice`/`choices`/`sample` over an alphabet such as
`string.ascii_letters + string.digits`), and *selected* when it is an element or ordering of
existing data (`random.choice(QUOTES)`, `random.shuffle(cards)`). Words that also name
everyday things (key, session, sign, pin, reset, …) and storage in a cookie or the session
only make a *generated* value a security value, and ambiguous words never do from a
function name alone: `key = random.choice(list(mapping))` picks a dict key,
`session["tip"] = random.choice(TIPS)` stores a tip. Several `random` calls building one
value in one statement are reported once. When nothing says what the
value is for, nothing is reported; neither is test, example or migration code.

## Why is this bad?
`random` is a Mersenne Twister: 624 consecutive 32-bit outputs reveal its whole internal
state, after which every past and future value is known, and its default seed is guessable
in some deployments. An attacker who requests a few tokens (their own reset links, invite
codes, CSRF tokens) can predict the ones issued to other users.

## Example
```python
import random, string

def make_reset_token():
    return "".join(random.choices(string.ascii_letters + string.digits, k=32))
```

## Use instead
```python
import secrets

def make_reset_token():
    return secrets.token_urlsafe(32)
```
Use `secrets.choice()`, `secrets.randbelow()` or `random.SystemRandom()` where a specific
alphabet or range is needed.

## References
- Python docs, `random`: "should not be used for security purposes"; the `secrets` module
- CWE-330: Use of Insufficiently Random Values; CWE-338: Use of Cryptographically Weak PRNG
- OWASP Cryptographic Storage Cheat Sheet, "Secure Random Number Generation"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable, Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.analysis.purpose import (
    Clue,
    Verdict,
    decide,
    expression_words,
    is_dead,
    purpose_finder,
    vocabulary_hits,
    walk,
)
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge import crypto
from flaskguard.model.objects import ExtRef, Instance, Member, ObjectResolver, canonical
from flaskguard.model.project import Frame, Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG601",
    name="insecure-random",
    summary="Predictable `random` values used as tokens, passwords or keys",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(330, 338),
    owasp="A02:2021",
    tags=("crypto", "random"),
    fixable=False,
    doc=__doc__ or "",
)

# Methods of ``random.Random`` instances end in the same names as the module functions.
_SPELLINGS = frozenset(
    (*crypto.RANDOM_CALLS, *(k for k, v in crypto.ALIASES.items() if v in crypto.RANDOM_CALLS))
)

_NOUNS = {
    "token": "a token",
    "password": "a password",
    "key": "a key or secret",
    "signature": "a signing value",
    "auth": "an authentication value",
}
_SINKS = {"cookie": "a cookie value", "session": "a value kept in the Flask session"}


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    purposes = purpose_finder(project)
    # Several calls building one value (``choice(WORDS) + str(randint(10, 99))``) are one
    # weakness: reported once per statement.
    reported: set[tuple[str, ir.Loc]] = set()
    for path, site, frame in analysis.resolver.candidate_calls(_SPELLINGS):
        if (path, site.statement.loc) in reported or not is_production_path(project, path):
            continue
        name = _random_function(analysis.resolver, site.call.func, frame)
        if name is None or is_dead(analysis, site.guards, frame):
            continue
        generated = _generates(analysis, name, site.call, frame)
        usage = purposes.usage(path, site, frame)
        groups = [*usage.groups, *purposes.function_clues(site)]
        verdict = decide(groups, strict=_strictness(generated))
        if verdict is None and generated:
            sink = next((c for g in usage.groups for c in g if c.sink), None)
            if sink is not None:
                verdict = Verdict(True, sink, "")
        if verdict is None or not verdict.security:
            continue
        reported.add((path, site.statement.loc))
        yield _finding(path, site, name, verdict)


def _strictness(generated: bool) -> Callable[[Clue], bool]:
    """Ambiguous words (key, session, …) decide only for new randomness, never from a
    function name."""
    return lambda clue: clue.kind == "function" or not generated


def _random_function(resolver: ObjectResolver, func: ir.Expr, frame: Frame) -> Optional[str]:
    """``random.choice`` for module functions, ``random.Random.choice`` for methods of a
    ``random.Random`` (or subclass) instance."""
    for value in resolver.infer(func, frame):
        if isinstance(value, ExtRef):
            name = crypto.alias(canonical(value.name))
            if name in crypto.RANDOM_CALLS:
                return name
        elif (
            isinstance(value, Member)
            and isinstance(value.instance, Instance)
            and value.name in crypto.RANDOM_FUNCTIONS
            and resolver.class_is(value.instance.cls, crypto.RANDOM_CLASS)
        ):
            return f"{crypto.RANDOM_CLASS}.{value.name}"
    return None


def _generates(analysis: DevServerAnalysis, name: str, call: ir.Call, frame: Frame) -> bool:
    """Whether the call makes new randomness rather than pick from or reorder data."""
    function = name.rsplit(".", 1)[-1]
    if function not in crypto.SELECTING_FUNCTIONS:
        return True
    module_name = "numpy.random" if name.startswith("numpy.") else "random"
    where = crypto.POPULATION_ARGUMENT.get(f"{module_name}.{function}")
    population = call.argument(*where) if where is not None else None
    return population is not None and _is_alphabet(analysis, population, frame)


def _is_alphabet(analysis: DevServerAnalysis, expr: ir.Expr, frame: Frame) -> bool:
    value = analysis.evaluator.evaluate(expr, frame).value
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all((isinstance(v, str) and len(v) == 1) or type(v) is int for v in value)
    for node in walk(expr):
        if isinstance(node, ir.Call) and node.func == ir.Name("range"):
            return True
        if isinstance(node, (ir.Name, ir.Attr)):
            names = {
                crypto.alias(canonical(v.name))
                for v in analysis.resolver.infer(node, frame)
                if isinstance(v, ExtRef)
            }
            if names & crypto.STRING_CHARSETS:
                return True
    return bool(vocabulary_hits(expression_words(expr), crypto.CHARSET_WORDS))


def _finding(path: str, site: CallSite, name: str, verdict: Verdict) -> Finding:
    clue: Clue = verdict.clue
    noun = _NOUNS.get(verdict.category) or _SINKS.get(clue.sink, "a security value")
    function = name.rsplit(".", 1)[-1]
    shown = f"random.Random().{function}" if name.startswith(crypto.RANDOM_CLASS) else name
    message = (
        f"{shown}() makes {noun} ({clue.where}). `random` is a Mersenne Twister, not a "
        "cryptographic generator: 624 observed 32-bit outputs reveal its whole state, so an "
        "attacker who collects some of its values (their own tokens or codes) can compute the "
        "ones issued to others."
    )
    replacement = crypto.SECURE_REPLACEMENTS.get(function, "the secrets module")
    remediation = f"Use {replacement}; secrets.token_urlsafe(32) makes a complete token."
    if name.startswith(crypto.RANDOM_CLASS):
        remediation = "Use random.SystemRandom() instead of random.Random(), or the secrets module."
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=message,
        remediation=remediation,
        confidence=Confidence.MEDIUM
        if clue.kind == "function" or (clue.sink and not verdict.category)
        else Confidence.HIGH,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


RULE = Rule(META, check)
