"""What flaskguard knows about hashing, randomness and TLS clients, as data.

Callables are canonical dotted names as the object resolver reports them; :data:`ALIASES`
maps the other public spellings of the same object onto one name. The vocabularies at the
end decide what a value is *for* from the identifiers around it (rules FG600 and FG601):
they are matched word by word on identifiers split at ``_`` and camelCase, never as
substrings, so ``monkey`` and ``keyboard`` do not contain the word "key".
"""

from __future__ import annotations

from dataclasses import dataclass

# Re-exports and historic module paths of the same objects.
ALIASES: dict[str, str] = {
    "Cryptodome.Hash.MD5.new": "Crypto.Hash.MD5.new",
    "Cryptodome.Hash.MD4.new": "Crypto.Hash.MD4.new",
    "Cryptodome.Hash.MD2.new": "Crypto.Hash.MD2.new",
    "Cryptodome.Hash.SHA1.new": "Crypto.Hash.SHA1.new",
    "Cryptodome.Hash.SHA.new": "Crypto.Hash.SHA1.new",
    "Crypto.Hash.SHA.new": "Crypto.Hash.SHA1.new",
    "Cryptodome.Hash.RIPEMD160.new": "Crypto.Hash.RIPEMD160.new",
    "Cryptodome.Hash.MD5": "Crypto.Hash.MD5",
    "Cryptodome.Hash.SHA1": "Crypto.Hash.SHA1",
    "Cryptodome.Hash.HMAC.new": "Crypto.Hash.HMAC.new",
    "hmac.HMAC": "hmac.new",
    "requests.api.get": "requests.get",
    "requests.api.post": "requests.post",
    "requests.api.put": "requests.put",
    "requests.api.patch": "requests.patch",
    "requests.api.delete": "requests.delete",
    "requests.api.head": "requests.head",
    "requests.api.options": "requests.options",
    "requests.api.request": "requests.request",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "aiohttp.connector.TCPConnector": "aiohttp.TCPConnector",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.poolmanager.ProxyManager": "urllib3.ProxyManager",
    "urllib3.connectionpool.HTTPSConnectionPool": "urllib3.HTTPSConnectionPool",
    "flask.globals.session": "flask.session",
    "numpy.random.random_sample": "numpy.random.random",
}


def alias(name: str) -> str:
    return ALIASES.get(name, name)


# -- FG600 weak hashes ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeakAlgorithm:
    display: str
    weakness: str  # what is broken, said plainly, for finding messages
    collisions: bool  # practical collision attacks exist


MD5 = WeakAlgorithm(
    "MD5", "MD5 has practical collision attacks (chosen-prefix collisions in hours)", True
)
SHA1 = WeakAlgorithm(
    "SHA-1", "SHA-1 has practical collision attacks (SHAttered, chosen-prefix since 2020)", True
)
MD4 = WeakAlgorithm("MD4", "MD4 is completely broken (collisions are computed instantly)", True)
MD2 = WeakAlgorithm("MD2", "MD2 is broken and long obsolete", True)
RIPEMD160 = WeakAlgorithm(
    "RIPEMD-160",
    "RIPEMD-160 is a legacy 160-bit hash that current standards no longer accept for new uses",
    False,
)
MD5_SHA1 = WeakAlgorithm(
    "MD5-SHA1", "MD5-SHA1 is the legacy TLS 1.0 construction built on two broken hashes", True
)

# Names accepted by ``hashlib.new`` and as ``digestmod`` strings, lowercased without ``-``/``_``.
WEAK_ALGORITHM_NAMES: dict[str, WeakAlgorithm] = {
    "md5": MD5,
    "sha1": SHA1,
    "md4": MD4,
    "md2": MD2,
    "ripemd160": RIPEMD160,
    "md5sha1": MD5_SHA1,
}

# Calls that compute a weak hash.
WEAK_HASH_CALLS: dict[str, WeakAlgorithm] = {
    "hashlib.md5": MD5,
    "hashlib.sha1": SHA1,
    "Crypto.Hash.MD5.new": MD5,
    "Crypto.Hash.MD4.new": MD4,
    "Crypto.Hash.MD2.new": MD2,
    "Crypto.Hash.SHA1.new": SHA1,
    "Crypto.Hash.RIPEMD160.new": RIPEMD160,
    "cryptography.hazmat.primitives.hashes.MD5": MD5,
    "cryptography.hazmat.primitives.hashes.SHA1": SHA1,
}

# Calls that take the algorithm by name: (position, keyword) of the name.
HASH_BY_NAME: dict[str, tuple[int, str]] = {
    "hashlib.new": (0, "name"),
    "hashlib.file_digest": (1, "digest"),
}

# Where each weak-hash call takes the data it hashes: (position, keyword).
HASHED_DATA: dict[str, tuple[int, str]] = {
    "hashlib.md5": (0, "string"),
    "hashlib.sha1": (0, "string"),
    "hashlib.new": (1, "data"),
    "hashlib.file_digest": (0, "fileobj"),
    "Crypto.Hash.MD5.new": (0, "data"),
    "Crypto.Hash.MD4.new": (0, "data"),
    "Crypto.Hash.MD2.new": (0, "data"),
    "Crypto.Hash.SHA1.new": (0, "data"),
    "Crypto.Hash.RIPEMD160.new": (0, "data"),
}

# HMAC constructors: (position, keyword) of the digest.
HMAC_CALLS: dict[str, tuple[int, str]] = {
    "hmac.new": (2, "digestmod"),
    "hmac.digest": (2, "digest"),
    "Crypto.Hash.HMAC.new": (2, "digestmod"),
}

# Weak hash constructors (or modules) passed by reference as the digest of a keyed MAC.
WEAK_HASH_REFERENCES: dict[str, WeakAlgorithm] = {
    "hashlib.md5": MD5,
    "hashlib.sha1": SHA1,
    "Crypto.Hash.MD5": MD5,
    "Crypto.Hash.SHA1": SHA1,
}

# Cryptographic random generators: a digest of their output is as unpredictable as they are.
SECURE_RANDOM_CALLS = frozenset(
    {
        "os.urandom",
        "secrets.token_bytes",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "secrets.randbits",
        "secrets.randbelow",
        "secrets.choice",
        "uuid.uuid4",
    }
)

# Keywords under which libraries take the hash of a MAC or signer (itsdangerous' Signer).
DIGEST_KEYWORDS = frozenset({"digestmod", "digest_method"})


# -- FG601 insecure randomness ----------------------------------------------------------------

# Functions of the ``random`` module (and methods of ``random.Random`` instances) backed by
# the Mersenne Twister.
RANDOM_FUNCTIONS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "getrandbits",
        "sample",
        "shuffle",
        "randbytes",
        "uniform",
    }
)
NUMPY_RANDOM_FUNCTIONS = frozenset({"rand", "randint", "random", "choice", "bytes", "shuffle"})
RANDOM_CALLS = frozenset(
    {
        *(f"random.{f}" for f in RANDOM_FUNCTIONS),
        *(f"numpy.random.{f}" for f in NUMPY_RANDOM_FUNCTIONS),
    }
)
RANDOM_CLASS = "random.Random"  # ``random.SystemRandom`` is not one of its known subclasses

# Functions that pick from or reorder a population rather than make a new value: their
# output is only a secret when the population is an alphabet.
SELECTING_FUNCTIONS = frozenset({"choice", "choices", "sample", "shuffle"})

# Where a selecting function takes its population: (position, keyword).
POPULATION_ARGUMENT: dict[str, tuple[int, str]] = {
    "random.choice": (0, "seq"),
    "random.choices": (0, "population"),
    "random.sample": (0, "population"),
    "numpy.random.choice": (0, "a"),
}

# The secure replacement for each function, named in remediations.
SECURE_REPLACEMENTS: dict[str, str] = {
    "random": "secrets.token_urlsafe() for tokens, secrets.randbelow() for numbers",
    "randint": 'secrets.randbelow() (e.g. f"{secrets.randbelow(10**6):06d}" for a code)',
    "randrange": "secrets.randbelow()",
    "choice": "secrets.choice(), or secrets.token_urlsafe() for a whole token",
    "choices": "''.join(secrets.choice(alphabet) for _ in range(n)), or secrets.token_urlsafe()",
    "getrandbits": "secrets.randbits()",
    "sample": "random.SystemRandom().sample()",
    "shuffle": "random.SystemRandom().shuffle()",
    "randbytes": "secrets.token_bytes()",
    "uniform": "random.SystemRandom().uniform()",
    "rand": "secrets.token_bytes() or secrets.randbelow()",
    "bytes": "secrets.token_bytes()",
}

# Populations that are alphabets: choosing from them builds a new string.
STRING_CHARSETS = frozenset(
    {
        "string.ascii_letters",
        "string.ascii_lowercase",
        "string.ascii_uppercase",
        "string.digits",
        "string.hexdigits",
        "string.octdigits",
        "string.punctuation",
        "string.printable",
        "string.letters",
        "string.lowercase",
        "string.uppercase",
    }
)
CHARSET_WORDS = frozenset(
    {
        "alphabet",
        "alnum",
        "alphanumeric",
        "ascii",
        "char",
        "chars",
        "character",
        "characters",
        "charset",
        "digit",
        "digits",
        "hexdigits",
        "letter",
        "letters",
        "lowercase",
        "printable",
        "punctuation",
        "symbols",
        "uppercase",
    }
)


# -- purpose vocabulary (FG600, FG601) --------------------------------------------------------

PASSWORD_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pw",
        "passphrase",
        "passcode",
        "pwhash",
        "pwdhash",
        "passhash",
        "passwordhash",
        "hashedpassword",
    }
)
# Values that are handed out and later checked: guessing one is logging in as its owner.
TOKEN_WORDS = frozenset(
    {
        "token",
        "authtoken",
        "accesstoken",
        "refreshtoken",
        "csrftoken",
        "nonce",
        "otp",
        "totp",
        "hotp",
        "mfa",
        "tfa",
        "pin",
        "session",
        "sessionid",
        "sessid",
        "sid",
        "csrf",
        "xsrf",
        "reset",
        "activation",
        "activate",
        "confirmation",
        "confirm",
        "verification",
        "verify",
        "invite",
        "invitation",
        "recovery",
        "challenge",
        "captcha",
        "cookie",
        "remember",
        "bearer",
        "oauth",
        "jwt",
        "jti",
    }
)
SIGNATURE_WORDS = frozenset(
    {"signature", "sig", "sign", "signed", "signing", "signer", "hmac", "integrity", "tamper"}
)
KEY_WORDS = frozenset(
    {
        "key",
        "apikey",
        "accesskey",
        "privatekey",
        "signingkey",
        "encryptionkey",
        "masterkey",
        "hmackey",
        "licensekey",
        "secret",
        "secretkey",
        "private",
        "salt",
        "pepper",
        "iv",
        "kdf",
        "keygen",
        "credential",
        "credentials",
        "cred",
        "creds",
    }
)
AUTH_WORDS = frozenset(
    {
        "auth",
        "authenticate",
        "authentication",
        "authorize",
        "authorization",
        "login",
        "signin",
    }
)
# Checked in this order: ``password_reset_token`` is a token, ``password_hash`` a password.
SECURITY_CATEGORIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("token", TOKEN_WORDS),
    ("signature", SIGNATURE_WORDS),
    ("password", PASSWORD_WORDS),
    ("key", KEY_WORDS),
    ("auth", AUTH_WORDS),
)
# Words of the hashed data that make the digest security-relevant whatever it is used for.
SECRET_DATA_WORDS = PASSWORD_WORDS | frozenset(
    {"secret", "secretkey", "salt", "pepper", "private", "credential", "credentials"}
)
# Security words that also name everyday things (a dict key, a database session, the sign of
# a number, a map pin): alone, they mark a security value only when the value is generated
# rather than picked from existing data, and never from a function name alone.
AMBIGUOUS_WORDS = frozenset(
    {"key", "session", "sign", "pin", "confirm", "verify", "reset", "login", "signin", "challenge"}
)
# Uses where neither collision resistance nor unpredictability matters.
BENIGN_WORDS = frozenset(
    {
        # caching and HTTP validators
        "etag",
        "cache",
        "cached",
        "caching",
        "memo",
        "memoize",
        "bust",
        "buster",
        "version",
        "revision",
        "lookup",
        # checksums of data and content-addressed names
        "checksum",
        "crc",
        "fingerprint",
        "dedup",
        "dedupe",
        "duplicate",
        "filename",
        "file",
        "path",
        "dir",
        "directory",
        "folder",
        "asset",
        "static",
        "image",
        "img",
        "thumbnail",
        "thumb",
        "photo",
        "picture",
        "media",
        # avatars and colours derived from a user name or e-mail
        "gravatar",
        "avatar",
        "identicon",
        "color",
        "colour",
        "hue",
        "rgb",
        "palette",
        "theme",
        # distribution of load and data
        "shard",
        "partition",
        "bucket",
        "sort",
        "idx",
        "primary",
        "foreign",
        # timing
        "jitter",
        "backoff",
        "delay",
        "sleep",
        "retry",
        "wait",
        "timeout",
        # sampling, experiments and telemetry
        "sample",
        "sampling",
        "sampled",
        "shuffle",
        "shuffled",
        "weight",
        "probability",
        "chance",
        "noise",
        "experiment",
        "variant",
        "trace",
        "tracing",
        "span",
        "correlation",
        "metric",
        "metrics",
        "stats",
        "statistics",
        "analytics",
        # games and content
        "game",
        "dice",
        "roll",
        "card",
        "deck",
        "player",
        "score",
        "level",
        "quote",
        "joke",
        "fact",
        "tip",
        "greeting",
        "motd",
        "banner",
        "position",
        "offset",
        "coordinate",
        "animation",
        # placeholders
        "placeholder",
        "fake",
        "dummy",
        "mock",
        "lorem",
        "demo",
    }
)


# -- FG602 TLS verification -------------------------------------------------------------------


@dataclass(frozen=True)
class TlsOption:
    """A keyword that controls certificate verification, and which values switch it off."""

    keyword: str
    # "falsy": False or 0 (requests treats any falsy verify as "do not verify");
    # "false": exactly False; "true": exactly True; "cert_none": ssl.CERT_NONE or "CERT_NONE".
    disabled_by: str


_VERIFY = (TlsOption("verify", "falsy"),)
_AIOHTTP = (TlsOption("ssl", "false"), TlsOption("verify_ssl", "false"))
_URLLIB3 = (TlsOption("cert_reqs", "cert_none"), TlsOption("assert_hostname", "false"))
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

TLS_OPTIONS: dict[str, tuple[TlsOption, ...]] = {
    **{f"requests.{m}": _VERIFY for m in HTTP_METHODS},
    **{f"requests.Session.{m}": _VERIFY for m in (*HTTP_METHODS, "send")},
    **{f"httpx.{m}": _VERIFY for m in (*HTTP_METHODS, "stream")},
    "httpx.Client": _VERIFY,
    "httpx.AsyncClient": _VERIFY,
    "httpx.HTTPTransport": _VERIFY,
    "httpx.AsyncHTTPTransport": _VERIFY,
    **{f"aiohttp.ClientSession.{m}": _AIOHTTP for m in (*HTTP_METHODS, "ws_connect")},
    "aiohttp.request": _AIOHTTP,
    "aiohttp.TCPConnector": _AIOHTTP,
    "urllib3.PoolManager": _URLLIB3,
    "urllib3.ProxyManager": _URLLIB3,
    "urllib3.HTTPSConnectionPool": _URLLIB3,
    "urllib3.connection_from_url": _URLLIB3,
    "urllib3.proxy_from_url": _URLLIB3,
    "boto3.client": _VERIFY,
    "boto3.resource": _VERIFY,
    "hvac.Client": _VERIFY,
    "elasticsearch.Elasticsearch": (TlsOption("verify_certs", "false"),),
    "pymongo.MongoClient": (
        TlsOption("tlsAllowInvalidCertificates", "true"),
        TlsOption("tlsInsecure", "true"),
        TlsOption("ssl_cert_reqs", "cert_none"),
    ),
}
# Methods that send a request: on a receiver the resolver cannot identify (a session bound
# by ``with ... as s``, a wrapper object), these keywords still mean certificate checks.
REQUEST_METHODS = frozenset({*HTTP_METHODS, "send", "stream", "ws_connect"})
GENERIC_REQUEST_OPTIONS = (*_VERIFY, *_AIOHTTP)

# Objects whose ``verify`` attribute is the default for every request they send.
VERIFY_ATTRIBUTE_CLASSES = frozenset({"requests.Session"})

# Factories of SSL contexts that skip certificate and hostname checks.
UNVERIFIED_CONTEXT_FACTORIES = frozenset(
    {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
)
CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})
CERT_NONE_NAMES = frozenset({"CERT_NONE", "NONE"})
# The hook urllib and http.client call for their default HTTPS context.
DEFAULT_HTTPS_CONTEXT_HOOK = "_create_default_https_context"
