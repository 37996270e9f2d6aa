"""## What it does
Finds MD5, SHA-1 and other broken hashes (MD4, MD2, RIPEMD-160) used for a security purpose:
`hashlib.md5(...)`, `hashlib.sha1(...)`, `hashlib.new(name)` with the name decided by constant
evaluation (also a constant from another module), PyCryptodome's `MD5.new()`/`SHA1.new()`,
`cryptography`'s `hashes.MD5()`/`hashes.SHA1()`, and MD5 or SHA-1 as the digest of an HMAC
(`hmac.new(key, msg, hashlib.md5)`, `digestmod="sha1"`, itsdangerous' `digest_method=`).

Calls are identified by what they resolve to, so `import hashlib as h; h.md5(...)` and
`from hashlib import md5` are the same call.

What the digest is *for* is read from the names around the call, word by word (identifiers
split at `_` and camelCase), nearest first:

1. where the value goes: the keyword, dict key or cookie it is passed under, the variable,
   attribute or subscript it is assigned to, and — for a plain variable — where that variable
   is used afterwards in the same scope, until it is assigned again
   (`h = md5(); h.update(password)` follows `h`);
2. what is hashed: the names in the hashed argument (and in `.update()` calls on the hash);
3. the enclosing function, then its class or outer function.

Security words (password, token, secret, key, salt, nonce, otp, session, reset, csrf,
signature, auth, …) make it a security use; words of uses where strength does not matter
(etag, cache, checksum, fingerprint, gravatar/avatar, file name or path, color, shard, …)
make it benign. Within one name the benign word wins (`cache_key` is a cache key); for the
hashed data a password or secret wins (`md5(secret + body)` is a home-made MAC whatever it
is called). Words that also name everyday things (key, session, sign, pin, reset, …) do not
decide alone: `key = md5(url)` is usually a cache key, while `api_key`, `signing_key` and
`secret_key` are compounds that do decide.

Precision first: when nothing says what the digest is for, **nothing is reported** — an MD5
of unknown purpose is far more often a cache key or checksum than a password store. The
exception is a keyed MAC: an HMAC exists only to authenticate, so MD5 or SHA-1 as its digest
is always reported — at **medium** for MD5 and **low** for SHA-1, because HMAC does not rely
on collision resistance and HMAC-SHA1 is still unbroken as a MAC (it is reported so that new
code moves to SHA-256; protocols that mandate it, such as some webhooks, can suppress it with
a reason). `hashlib.pbkdf2_hmac("sha1", ...)` is not reported: PBKDF2-HMAC-SHA1 with enough
iterations is an accepted password hash.

Severity is **high** when the hashed value is a password (the target, the data or the
deciding name mentions password/passwd/pwd), **medium** otherwise. Confidence is high when a
name at the call decides, medium when only the enclosing function's name does.

Not reported: `usedforsecurity=False` (the author declared a non-security use), benign uses
as above, unknown purposes, a token hashed from fresh cryptographic randomness
(`sha1(os.urandom(32))` is as unpredictable as its input and needs no collision resistance),
SHA-256 or stronger, test, example and migration code.

## Why is this bad?
MD5 and SHA-1 are fast: a GPU computes billions per second, so an MD5 or SHA-1 of a password
is cracked in seconds to minutes once the hashes leak, salted or not. Both have practical
collision attacks, so a digest used as a signature or integrity check can be matched by a
forged input, and `md5(secret + data)` can be extended without knowing the secret. A token
made by hashing guessable data (user id, e-mail, time) is as guessable as its input.

## Example
```python
import hashlib

def set_password(user, password):
    user.password_hash = hashlib.md5(password.encode()).hexdigest()
```

## Use instead
```python
from werkzeug.security import generate_password_hash

def set_password(user, password):
    user.password_hash = generate_password_hash(password)
```
Use `secrets.token_urlsafe()` for tokens, `hmac.new(key, msg, hashlib.sha256)` with
`hmac.compare_digest` for signatures, `hashlib.sha256` for integrity checks. Non-security uses
of MD5 can say so with `hashlib.md5(data, usedforsecurity=False)`.

## References
- CWE-328: Use of Weak Hash; CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- OWASP Password Storage Cheat Sheet
- Werkzeug `generate_password_hash`: https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.security.generate_password_hash
- RFC 6151 (MD5 and HMAC-MD5 security considerations)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.analysis.purpose import (
    PurposeFinder,
    decide,
    external_calls,
    is_dead,
    purpose_finder,
    resolved_names,
    vocabulary_hits,
)
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge import crypto
from flaskguard.model.project import Frame, Project, site_frame
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG600",
    name="weak-hash",
    summary="Weak hash (MD5, SHA-1) used for passwords, tokens, signatures or keys",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(328, 327),
    owasp="A02:2021",
    tags=("crypto", "hash"),
    fixable=False,
    doc=__doc__ or "",
)

_HASH_CALLS = {*crypto.WEAK_HASH_CALLS, *crypto.HASH_BY_NAME, *crypto.HMAC_CALLS}

_PASSWORD_REMEDIATION = (
    "Hash passwords with werkzeug.security.generate_password_hash() and verify them with "
    "check_password_hash() (scrypt or PBKDF2 with a per-user salt), or use argon2/bcrypt."
)
_REMEDIATION = {
    "token": "Generate tokens with secrets.token_urlsafe(32); to bind one to data, sign it with "
    "hmac.new(key, data, hashlib.sha256) or itsdangerous.",
    "signature": "Sign with hmac.new(key, msg, hashlib.sha256) and compare with "
    "hmac.compare_digest(); use hashlib.sha256 for unkeyed integrity checks.",
    "key": "Use hashlib.sha256 to fingerprint random keys; derive keys from secrets with "
    "hashlib.scrypt, PBKDF2 or HKDF.",
    "auth": "Use hashlib.sha256 (or hmac with sha256) for authentication data, and "
    "werkzeug.security.generate_password_hash() for passwords.",
}


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    resolver = analysis.resolver
    purposes = purpose_finder(project)
    mac_sites: set[tuple[str, ir.Loc]] = set()
    for path, site, frame, name in external_calls(resolver, _HASH_CALLS):
        if not is_production_path(project, path) or is_dead(analysis, site.guards, frame):
            continue
        if name in crypto.HMAC_CALLS:
            mac_sites.add((path, site.call.loc))
            position, keyword = crypto.HMAC_CALLS[name]
            digest = site.call.argument(position, keyword)
            algorithm = _digest_algorithm(analysis, digest, frame) if digest else None
            if algorithm is not None and algorithm.collisions:
                yield _mac_finding(path, site, name, algorithm)
            continue
        algorithm = _hash_algorithm(analysis, name, site.call, frame)
        if algorithm is None or _declared_not_for_security(analysis, site.call, frame):
            continue
        result = _purpose_finding(purposes, path, site, frame, name, algorithm)
        if result is not None:
            yield result
    for module in project.modules:
        if not is_production_path(project, module.path):
            continue
        for site in project.view(module, _calls_with_digest_arguments):
            if (module.path, site.call.loc) in mac_sites:
                continue
            for _, value in _digest_arguments(site.call):
                frame = site_frame(Frame(module.path, site.scope), site)
                algorithm = _digest_algorithm(analysis, value, frame, by_name=False)
                if (
                    algorithm is not None
                    and algorithm.collisions
                    and not is_dead(analysis, site.guards, frame)
                ):
                    callee = ir.dotted_name(site.call.func) or "the call"
                    yield _mac_finding(module.path, site, callee, algorithm)
                    break


def _calls_with_digest_arguments(module: ModuleFacts) -> tuple[CallSite, ...]:
    return tuple(site for site in module.calls if next(_digest_arguments(site.call), None))


def _digest_arguments(call: ir.Call) -> Iterator[tuple[str, ir.Expr]]:
    """Digest keywords of a call, also inside dict arguments (``signer_kwargs={...}``)."""
    for keyword, value in call.kwargs:
        if keyword in crypto.DIGEST_KEYWORDS:
            yield keyword, value
        elif isinstance(value, ir.DictExpr):
            for key, item in zip(value.keys, value.values):
                if isinstance(key, ir.Const) and key.value in crypto.DIGEST_KEYWORDS:
                    yield str(key.value), item


def _algorithm_named(value: object) -> Optional[crypto.WeakAlgorithm]:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return crypto.WEAK_ALGORITHM_NAMES.get(value.lower().replace("-", "").replace("_", ""))


def _hash_algorithm(
    analysis: DevServerAnalysis, name: str, call: ir.Call, frame: Frame
) -> Optional[crypto.WeakAlgorithm]:
    if name in crypto.WEAK_HASH_CALLS:
        return crypto.WEAK_HASH_CALLS[name]
    position, keyword = crypto.HASH_BY_NAME[name]
    argument = call.argument(position, keyword)
    if argument is None:
        return None
    return _algorithm_named(analysis.evaluator.evaluate(argument, frame).value)


def _digest_algorithm(
    analysis: DevServerAnalysis, expr: ir.Expr, frame: Frame, *, by_name: bool = True
) -> Optional[crypto.WeakAlgorithm]:
    """The weak hash a digest argument names: a constructor reference, or (``by_name``) a
    name string, as HMAC accepts."""
    for name in resolved_names(analysis.resolver, expr, frame):
        if name in crypto.WEAK_HASH_REFERENCES:
            return crypto.WEAK_HASH_REFERENCES[name]
    if not by_name:
        return None
    return _algorithm_named(analysis.evaluator.evaluate(expr, frame).value)


def _declared_not_for_security(analysis: DevServerAnalysis, call: ir.Call, frame: Frame) -> bool:
    flag = call.keyword("usedforsecurity")
    return flag is not None and analysis.evaluator.evaluate(flag, frame).value is False


def _purpose_finding(
    purposes: PurposeFinder,
    path: str,
    site: CallSite,
    frame: Frame,
    name: str,
    algorithm: crypto.WeakAlgorithm,
) -> Optional[Finding]:
    usage = purposes.usage(path, site, frame)
    data: list[ir.Expr] = []
    if name in crypto.HASHED_DATA:
        position, keyword = crypto.HASHED_DATA[name]
        argument = site.call.argument(position, keyword)
        if argument is not None:
            data.append(argument)
    data.extend(usage.fed)
    data_clue = purposes.data_clue(data)
    groups = [*usage.groups, *([(data_clue,)] if data_clue else []), *purposes.function_clues(site)]
    # A digest named only ``key`` or ``session`` is as often a cache key as a secret.
    verdict = decide(groups, strict=lambda c: True)
    if verdict is None or not verdict.security:
        return None
    password = verdict.category == "password" or (
        data_clue is not None and bool(vocabulary_hits(data_clue.words, crypto.PASSWORD_WORDS))
    )
    if not password and purposes.is_fresh_randomness(data, frame):
        # sha1(os.urandom(32)) is as unpredictable as its input, and a token needs no
        # collision resistance: the weak hash weakens nothing.
        return None
    alg = algorithm.display
    where = verdict.clue.where
    if password:
        message = (
            f"{alg} hashes a password ({where}). {alg} is a fast hash: a GPU tries billions of "
            "guesses per second, so leaked hashes of real passwords are cracked in seconds to "
            "minutes, salted or not."
        )
        remediation = _PASSWORD_REMEDIATION
    elif verdict.category == "token":
        message = (
            f"{alg} makes a token ({where}). Hashing adds no unpredictability: the token is as "
            f"guessable as its input (ids, e-mail addresses, timestamps), and {algorithm.weakness}."
        )
        remediation = _REMEDIATION["token"]
    elif verdict.category == "secret":
        message = (
            f"{alg} hashes a secret together with data ({where}), a home-made MAC: hash(secret + "
            f"data) can be extended without knowing the secret (length extension), and "
            f"{algorithm.weakness}."
        )
        remediation = _REMEDIATION["signature"]
    elif verdict.category == "signature":
        message = (
            f"{alg} is used to sign or check integrity ({where}). {algorithm.weakness}, so a "
            "forged input can be made to share its digest with a genuine one."
        )
        remediation = _REMEDIATION["signature"]
    else:
        message = (
            f"{alg} is used on keys or authentication data ({where}). {algorithm.weakness}; "
            "digests that identify, derive or check secrets need SHA-256 or a key-derivation "
            "function."
        )
        remediation = _REMEDIATION.get(verdict.category, _REMEDIATION["key"])
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=message,
        remediation=remediation,
        severity=Severity.HIGH if password else Severity.MEDIUM,
        confidence=Confidence.MEDIUM if verdict.clue.kind == "function" else Confidence.HIGH,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


def _mac_finding(
    path: str, site: CallSite, callee: str, algorithm: crypto.WeakAlgorithm
) -> Finding:
    alg = algorithm.display
    if algorithm is crypto.SHA1:
        message = (
            f"{callee}() computes an HMAC with SHA-1. HMAC-SHA1 is not broken as a MAC (HMAC does "
            "not rely on collision resistance), but SHA-1 is deprecated for new designs; if a "
            "protocol mandates it (some webhooks do), suppress this with the reason."
        )
        severity = Severity.LOW
    else:
        message = (
            f"{callee}() computes an HMAC with {alg}. {algorithm.weakness}; HMAC-{alg} is not "
            "recommended for new designs (RFC 6151) and fails compliance checks."
        )
        severity = Severity.MEDIUM
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=message,
        remediation="Use hashlib.sha256 as the digest (hmac.new(key, msg, hashlib.sha256)) and "
        "compare with hmac.compare_digest().",
        severity=severity,
        confidence=Confidence.HIGH,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


RULE = Rule(META, check)
