"""FG600 weak-hash, FG601 insecure-random, FG602 tls-verification-disabled."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from flaskguard.analysis.purpose import words_and_compounds
from flaskguard.facts.extract import extract_module_facts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.project import Project
from flaskguard.rules import find_rule
from flaskguard.rules.base import Rule
from flaskguard.rules.fg600_weak_hash import RULE as FG600
from flaskguard.rules.fg601_insecure_random import RULE as FG601
from flaskguard.rules.fg602_tls_verification_disabled import RULE as FG602


def project(files: dict[str, str]) -> Project:
    modules = []
    for relpath, text in files.items():
        source = textwrap.dedent(text)
        modules.append(extract_module_facts(ast.parse(source), source, relpath))
    return Project("/project", modules, [])


def check(rule: Rule, files: dict[str, str]) -> list[Finding]:
    return sorted(rule.check(project(files)), key=lambda f: (f.path, f.span.start_line))


def lines(rule: Rule, source: str) -> list[int]:
    return [f.span.start_line for f in check(rule, {"app.py": source})]


def only(rule: Rule, source: str, others: Optional[dict[str, str]] = None) -> Finding:
    """The one finding of ``rule`` in ``app.py`` (with ``others`` as further modules)."""
    found = check(rule, {"app.py": source, **(others or {})})
    assert len(found) == 1, [f.message for f in found]
    return found[0]


# -- registry and documentation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "name", "severity", "cwe", "owasp"),
    [
        ("FG600", "weak-hash", Severity.MEDIUM, (328, 327), "A02:2021"),
        ("FG601", "insecure-random", Severity.MEDIUM, (330, 338), "A02:2021"),
        ("FG602", "tls-verification-disabled", Severity.HIGH, (295,), "A07:2021"),
    ],
)
def test_rules_are_registered_and_documented(
    rule_id: str, name: str, severity: Severity, cwe: tuple[int, ...], owasp: str
) -> None:
    rule = find_rule(rule_id)
    assert rule is not None and rule.meta.name == name
    assert rule.meta.severity == severity and rule.meta.cwe == cwe and rule.meta.owasp == owasp
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in rule.meta.doc
    assert "## References" in rule.meta.doc


def test_words_split_at_underscores_and_camel_case_not_inside_words() -> None:
    assert {"reset", "token"} <= words_and_compounds("resetToken")
    assert {"api", "key", "apikey"} <= words_and_compounds("API_KEY")
    assert {"xsrf", "token"} <= words_and_compounds("XSRFToken")
    assert "key" not in words_and_compounds("monkey") | words_and_compounds("keyboard")


# -- FG600 weak-hash: reported ----------------------------------------------------------------


def test_md5_of_a_password_through_a_module_alias_is_high() -> None:
    result = only(
        FG600,
        """\
        import hashlib as h

        def set_password(user, password):
            user.password_hash = h.md5(password.encode()).hexdigest()
        """,
    )
    assert result.span.start_line == 4
    assert result.severity == Severity.HIGH and result.confidence == Confidence.HIGH
    assert "MD5" in result.message and "password" in result.message
    assert "generate_password_hash" in result.remediation
    assert result.scope == "set_password"


def test_imported_function_compared_with_the_stored_hash() -> None:
    source = """\
        from hashlib import md5

        def check(user, pw):
            return user.pw_hash == md5(pw.encode()).hexdigest()
        """
    result = only(FG600, source)
    assert result.severity == Severity.HIGH and "`pw.encode()`" in result.message


def test_data_fed_through_update_is_followed() -> None:
    source = """\
        import hashlib

        def digest(password):
            m = hashlib.sha1()
            m.update(password.encode())
            return m.hexdigest()
        """
    result = only(FG600, source)
    assert result.span.start_line == 4 and result.severity == Severity.HIGH
    assert "SHA-1" in result.message


def test_a_variable_is_followed_only_until_it_is_assigned_again() -> None:
    source = """\
        import hashlib

        def digests(password, body):
            h = hashlib.md5(body)
            h = hashlib.md5()
            h.update(password.encode())
            return h.hexdigest()
        """
    assert lines(FG600, source) == [5]


def test_hashlib_new_with_a_constant_from_another_module() -> None:
    source = """\
        import hashlib
        from .settings import TOKEN_DIGEST

        def make_api_token(user_id):
            return hashlib.new(TOKEN_DIGEST, str(user_id).encode()).hexdigest()
        """
    result = only(FG600, source, {"settings.py": 'TOKEN_DIGEST = "MD5"\n'})
    assert result.severity == Severity.MEDIUM
    # Only the function name says "token": a name at the call would be surer.
    assert result.confidence == Confidence.MEDIUM
    assert "token" in result.message and "secrets.token_urlsafe" in result.remediation


def test_md4_by_name_for_a_password() -> None:
    source = """\
        import hashlib

        def ntlm(password):
            return hashlib.new("md4", password.encode("utf-16le")).hexdigest()
        """
    assert only(FG600, source).severity == Severity.HIGH


@pytest.mark.parametrize(
    "line",
    [
        'cfg = {"api_key": hashlib.sha1(seed).hexdigest()}',
        "user.reset_token = hashlib.md5(seed).hexdigest()",
        "signature = hashlib.md5(payload).hexdigest()",
        "send_mail(user, confirmation_token=hashlib.sha1(seed).hexdigest())",
        'session["csrf"] = hashlib.md5(seed).hexdigest()',
    ],
)
def test_security_names_where_the_digest_goes(line: str) -> None:
    result = only(FG600, f"import hashlib\nfrom flask import session\n{line}\n")
    assert result.severity == Severity.MEDIUM and result.confidence == Confidence.HIGH


def test_secret_prefixed_hash_is_a_home_made_mac() -> None:
    source = """\
        import hashlib

        def check_webhook(body, header):
            expected = hashlib.sha1(WEBHOOK_SECRET.encode() + body).hexdigest()
            return expected == header
        """
    result = only(FG600, source)
    assert "length extension" in result.message and "hmac" in result.remediation


def test_pycryptodome_md5_for_a_signature() -> None:
    source = """\
        from Crypto.Hash import MD5

        def sign_license(data):
            license_signature = MD5.new(data).hexdigest()
            return license_signature
        """
    assert lines(FG600, source) == [4]


def test_cryptography_sha1_in_a_signature_but_not_in_oaep_or_fingerprints() -> None:
    source = """\
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        def run(key, data, cert, public_key, message):
            out = key.sign(data, padding.PKCS1v15(), hashes.SHA1())
            fp = cert.fingerprint(hashes.SHA1())
            oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=None, label=None)
            ciphertext = public_key.encrypt(message, oaep)
            return out, fp, ciphertext
        """
    result = only(FG600, source)
    assert result.span.start_line == 5 and "sign" in result.message


def test_hmac_with_md5_or_sha1_is_reported_whatever_it_is_called() -> None:
    source = """\
        import hashlib, hmac
        from itsdangerous import URLSafeSerializer

        a = hmac.new(key, msg, hashlib.md5).hexdigest()
        b = hmac.new(key, msg, digestmod="sha1").hexdigest()
        c = hmac.HMAC(key, msg, MD5_NAME)
        s = URLSafeSerializer(key, signer_kwargs={"digest_method": hashlib.sha1})
        ok = hmac.new(key, msg, hashlib.sha256).hexdigest()
        MD5_NAME = "md5"
        """
    found = check(FG600, {"app.py": source})
    assert [(f.span.start_line, f.severity) for f in found] == [
        (4, Severity.MEDIUM),
        (5, Severity.LOW),
        (6, Severity.MEDIUM),
        (7, Severity.LOW),
    ]
    assert "HMAC-SHA1 is not broken" in found[1].message


# -- FG600 weak-hash: not reported ------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        # The author says it is not for security.
        "import hashlib\npassword_hash = hashlib.md5(pw, usedforsecurity=False).hexdigest()\n",
        'import hashlib\ntoken = hashlib.new("md5", seed, usedforsecurity=False).hexdigest()\n',
        # HTTP validators and caches.
        "import hashlib\netag = hashlib.md5(body).hexdigest()\n",
        'import hashlib\nresp.headers["ETag"] = hashlib.md5(body).hexdigest()\n',
        "import hashlib\nresp.set_etag(hashlib.md5(resp.get_data()).hexdigest())\n",
        "import hashlib\ncache_key = hashlib.md5(password.encode()).hexdigest()\n",
        "import hashlib\ncache[hashlib.md5(url.encode()).hexdigest()] = page\n",
        # "key" alone is as often a cache key as a secret.
        "import hashlib\ndef get(url):\n    key = hashlib.md5(url.encode()).hexdigest()\n",
        # Content-addressed file names and file checksums.
        'import hashlib\nname = hashlib.sha1(upload.read()).hexdigest() + ".png"\n',
        # Nothing says what it is for: precision first.
        "import hashlib\ndigest = hashlib.md5(data).hexdigest()\n",
        "import hashlib\nuser_hash = hashlib.md5(user.email.encode()).hexdigest()\n",
        # A token hashed from fresh cryptographic randomness is as unpredictable as it.
        "import hashlib, os\ndef generate_api_key():\n"
        "    return hashlib.sha1(os.urandom(32)).hexdigest()\n",
        "import hashlib, uuid\nreset_token = hashlib.md5(uuid.uuid4().bytes).hexdigest()\n",
        # Not weak, or not decidable.
        "import hashlib\npassword_hash = hashlib.sha256(password.encode()).hexdigest()\n",
        "import hashlib\ndef h(algo, password):\n    return hashlib.new(algo, password)\n",
        'import hashlib\nALGO = "sha256"\npassword_hash = hashlib.new(ALGO, password)\n',
        'import hashlib\nkey = hashlib.pbkdf2_hmac("sha1", password, salt, 600000)\n',
        # Dead code.
        "import hashlib\nif False:\n    password_hash = hashlib.md5(password).hexdigest()\n",
    ],
)
def test_weak_hash_not_reported(source: str) -> None:
    assert check(FG600, {"app.py": source}) == []


def test_gravatar_urls_are_not_reported() -> None:
    source = """\
        import hashlib

        class User:
            def avatar(self, size):
                digest = hashlib.md5(self.email.lower().encode("utf-8")).hexdigest()
                return "https://www.gravatar.com/avatar/{}?d=identicon&s={}".format(digest, size)

            def picture(self):
                return f"https://www.gravatar.com/avatar/{hashlib.md5(self.email.encode()).hexdigest()}"
        """
    assert check(FG600, {"app.py": source}) == []


def test_file_checksums_are_not_reported() -> None:
    source = """\
        import hashlib

        def file_checksum(path):
            h = hashlib.md5()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(65536), b""):
                    h.update(chunk)
            return h.hexdigest()
        """
    assert check(FG600, {"app.py": source}) == []


@pytest.mark.parametrize(
    "path", ["tests/test_auth.py", "conftest.py", "examples/demo.py", "migrations/0001.py"]
)
def test_weak_hash_in_test_example_and_migration_code_is_not_reported(path: str) -> None:
    source = "import hashlib\npassword_hash = hashlib.md5(password).hexdigest()\n"
    assert check(FG600, {path: source}) == []


# -- FG601 insecure-random: reported ----------------------------------------------------------


def test_random_choices_over_an_alphabet_in_a_token_function() -> None:
    source = """\
        import random
        import string

        def make_reset_token():
            return "".join(random.choices(string.ascii_letters + string.digits, k=32))
        """
    result = only(FG601, source)
    assert result.span.start_line == 5 and result.severity == Severity.MEDIUM
    assert "Mersenne Twister" in result.message and "token" in result.message
    assert "secrets" in result.remediation


@pytest.mark.parametrize(
    "source",
    [
        # A function imported by name, inside a generator expression.
        "from random import choice\nimport string\n"
        "token = ''.join(choice(string.ascii_letters) for _ in range(20))\n",
        # An alias of the function.
        "from random import randint as rnd\notp = rnd(100000, 999999)\n",
        # An alias of the module; a key named in a dict.
        "import random as r\ncreds = {'api_key': r.getrandbits(128)}\n",
        # An alias of an imported function, choosing from a constant alphabet.
        "from random import choice as pick\nALPHABET = 'abcdef0123456789'\n"
        "nonce = ''.join(pick(ALPHABET) for _ in range(16))\n",
        # A random.Random instance.
        "import random\nrng = random.Random()\napi_key = rng.getrandbits(128)\n",
        # Selection from a word list still makes a password when the name says so.
        "import random\npassword = '-'.join(random.sample(WORDS, 4))\n",
    ],
)
def test_insecure_random_reported(source: str) -> None:
    assert len(check(FG601, {"app.py": source})) == 1


def test_value_followed_into_a_message_and_an_attribute() -> None:
    source = """\
        import random

        def send_code(user):
            code = random.randint(100000, 999999)
            sms.send(user.phone, f"Your verification code is {code}")

        def remember(user):
            n = random.randint(100000, 999999)
            user.otp = n
        """
    assert lines(FG601, source) == [4, 8]


def test_values_stored_in_a_cookie_or_the_session() -> None:
    source = """\
        import random
        from flask import make_response, session

        def index():
            session["nonce"] = random.getrandbits(64)
            resp = make_response("hi")
            resp.set_cookie("visitor", str(random.getrandbits(64)))
            return resp
        """
    found = check(FG601, {"app.py": source})
    assert [f.span.start_line for f in found] == [5, 7]
    # The cookie's name says nothing: only storing it in a cookie does.
    assert found[1].confidence == Confidence.MEDIUM and "cookie" in found[1].message


def test_secret_key_generated_in_a_config_class() -> None:
    source = """\
        import random, string

        class Config:
            SECRET_KEY = "".join(random.choice(string.printable) for _ in range(32))
        """
    assert lines(FG601, source) == [4]


def test_one_finding_per_statement() -> None:
    source = "import random\nuser.password = random.choice(WORDS) + str(random.randint(10, 99))\n"
    assert lines(FG601, source) == [2]


# -- FG601 insecure-random: not reported ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import random\ncolor = random.choice(COLORS)\n",
        "import random\ndef deal(cards):\n    random.shuffle(cards)\n",
        "import random\nquestions = random.sample(QUESTIONS, 10)\n",
        "import random\ndef roll():\n    return random.randint(1, 6)\n",
        "import random, time\ntime.sleep(2 ** attempt + random.uniform(0, 1))\n",
        "import random\nif random.random() < 0.01:\n    log_request()\n",
        "import random\nidx = random.randrange(len(items))\n",
        "import random, string\n"
        "filename = ''.join(random.choices(string.ascii_lowercase, k=8)) + '.jpg'\n",
        # Secure generators.
        "import random\nrng = random.SystemRandom()\ntoken = rng.getrandbits(128)\n",
        "import random, string\n"
        "password = ''.join(random.SystemRandom().choice(string.ascii_letters) for _ in range(9))\n",
        "import secrets\nreset_token = secrets.token_urlsafe(32)\notp = secrets.randbelow(10**6)\n",
        # Ambiguous words only count for new randomness.
        "import random\ndef pick(mapping):\n    key = random.choice(list(mapping))\n    return key\n",
        "import random\nfrom flask import session\nsession['tip'] = random.choice(TIPS)\n",
        "import random\nresp.set_cookie('theme', random.choice(THEMES))\n",
        # Nothing says what it is for.
        "import random\nusername = 'user' + str(random.randint(1000, 9999))\n",
    ],
)
def test_insecure_random_not_reported(source: str) -> None:
    assert check(FG601, {"app.py": source}) == []


def test_insecure_random_in_tests_is_not_reported() -> None:
    source = "import random\nreset_token = random.getrandbits(128)\n"
    assert check(FG601, {"tests/factories.py": source}) == []


# -- FG602 tls-verification-disabled: reported -----------------------------------------------


def test_requests_verify_false() -> None:
    result = only(FG602, "import requests\nrequests.get(URL, verify=False)\n")
    assert result.severity == Severity.HIGH and result.confidence == Confidence.HIGH
    assert "requests.get(verify=False)" in result.message
    assert "CA bundle" in result.remediation


def test_verify_from_a_constant_in_another_module_through_an_alias() -> None:
    source = """\
        from requests import post as send
        from config.settings import VERIFY_SSL

        send(URL, json={}, verify=VERIFY_SSL)
        """
    result = only(FG602, source, {"config/settings.py": "VERIFY_SSL = False\n"})
    assert result.span.start_line == 4 and "`VERIFY_SSL` is False" in result.message


def test_verify_from_an_environment_default() -> None:
    source = 'import os, requests\nrequests.get(URL, verify=os.environ.get("VERIFY_TLS", False))\n'
    result = only(FG602, source)
    assert result.confidence == Confidence.MEDIUM and "VERIFY_TLS" in result.message


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import requests\ns = requests.Session()\ns.verify = False\n", 3),
        ("import requests\nwith requests.Session() as s:\n    s.verify = False\n", 3),
        ("import requests\nrequests.Session().verify = False\n", 2),
        (
            "import requests\nSTRICT = False\nrequests.get(URL, verify=True if STRICT else False)\n",
            3,
        ),
        ("import requests\ns = requests.session()\ns.get(URL, verify=False)\n", 3),
        ("import httpx\nclient = httpx.Client(verify=False)\n", 2),
        ("import httpx\nhttpx.get(URL, verify=False)\n", 2),
        ("import aiohttp\nconnector = aiohttp.TCPConnector(ssl=False)\n", 2),
        (
            "import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n"
            "        await s.post(URL, ssl=False)\n",
            4,
        ),
        ("import urllib3\nhttp = urllib3.PoolManager(cert_reqs='CERT_NONE')\n", 2),
        ("import ssl, urllib3\nhttp = urllib3.PoolManager(cert_reqs=ssl.CERT_NONE)\n", 2),
        ("import ssl\nctx = ssl._create_unverified_context()\n", 2),
        ("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n", 3),
        ("import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n", 2),
    ],
)
def test_tls_verification_disabled(source: str, line: int) -> None:
    assert lines(FG602, source) == [line]


def test_hostname_check_and_cert_none_on_one_context_are_one_finding() -> None:
    source = """\
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        """
    result = only(FG602, source)
    assert result.span.start_line == 4 and "any certificate" in result.message


def test_wrapper_whose_parameter_defaults_to_no_verification() -> None:
    source = """\
        import requests

        def fetch(url, verify=False):
            return requests.get(url, verify=verify)

        def strict_fetch(url, verify=True):
            return requests.get(url, verify=verify)
        """
    result = only(FG602, source)
    assert result.span.start_line == 4 and result.confidence == Confidence.MEDIUM


def test_request_method_of_an_unknown_client_is_medium_confidence() -> None:
    result = only(FG602, "client.get(URL, verify=False)\n")
    assert result.confidence == Confidence.MEDIUM


# -- FG602 tls-verification-disabled: not reported -------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.get(URL, verify=True)\n",
        "import requests\nrequests.get(URL, verify='/path/ca.pem')\n",
        "import requests\nCA = '/etc/ssl/internal-ca.pem'\nrequests.get(URL, verify=CA)\n",
        "import os, requests\nrequests.get(URL, verify=os.environ.get('CA_BUNDLE', True))\n",
        "import requests\nrequests.get(URL, verify=config['VERIFY'])\n",
        "import requests\ns = requests.Session()\ns.verify = '/etc/ssl/ca.pem'\n",
        "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = True\n",
        "import ssl, urllib3\nhttp = urllib3.PoolManager(cert_reqs=ssl.CERT_REQUIRED)\n",
        "import httpx, ssl\nclient = httpx.Client(verify=ssl.create_default_context())\n",
        # Not a TLS setting: PyJWT 1's signature switch belongs to another rule.
        "import jwt\njwt.decode(token, verify=False)\n",
        "class Form:\n    verify = False\n",
    ],
)
def test_tls_verification_not_reported(source: str) -> None:
    assert check(FG602, {"app.py": source}) == []


@pytest.mark.parametrize("path", ["tests/test_client.py", "conftest.py", "examples/fetch.py"])
def test_tls_verification_in_test_code_is_not_reported(path: str) -> None:
    assert check(FG602, {path: "import requests\nrequests.get(URL, verify=False)\n"}) == []


# -- the real CLI ----------------------------------------------------------------------------


def test_cli_reports_all_three_rules_and_honours_suppressions(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import hashlib
            import random

            import requests


            def set_password(user, password):
                user.password_hash = hashlib.md5(password.encode()).hexdigest()


            def make_reset_token():
                return "%032x" % random.getrandbits(128)


            def fetch(url):
                return requests.get(url, verify=False)


            def lab_device(url):
                return requests.get(url, verify=False)  # flaskguard: ignore[FG602] -- lab only


            def etag(body):
                return hashlib.md5(body).hexdigest()
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flaskguard", "scan", ".", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = sorted(
        (f["rule_id"], f["start_line"], f["severity"])
        for f in report["findings"]
        if f["rule_id"].startswith("FG6")
    )
    assert found == [("FG600", 8, "high"), ("FG601", 12, "medium"), ("FG602", 16, "high")]
    suppressed = [f for f in report["suppressed"] if f["rule_id"] == "FG602"]
    assert [f["start_line"] for f in suppressed] == [20]
    assert suppressed[0]["suppression_reason"] == "lab only"
