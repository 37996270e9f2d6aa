"""Sources, sinks, sanitisers and propagators of the taint engine.

Facts from ``shared/FLASK_SECURITY.md`` sections 4 (XSS/SSTI), 5 (sinks and their safe
alternatives) and 6 (sources). Names are canonical dotted names as the object resolver
reports them (``flask.request.args``, ``requests.Session.get``); methods of values whose
class the engine does not know are matched by method name only where the name is specific
enough (``executescript``, ``search_s``, ``xpath``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# Sink kinds, one per FG3xx rule.
SQL = "sql"
SQL_FRAGMENT = "sql-fragment"  # a raw string in an ORM clause: only str-built values count
XSS = "xss"
SSTI = "ssti"
COMMAND = "command"
CODE = "code"
PATH = "path"
REDIRECT = "redirect"
SSRF = "ssrf"
DESERIALIZATION = "deserialization"
XXE = "xxe"
LDAP = "ldap"
XPATH = "xpath"
HEADER = "header"
LOG = "log"
TRUST_BOUNDARY = "trust-boundary"

ALL_KINDS = frozenset(
    {
        SQL,
        SQL_FRAGMENT,
        XSS,
        SSTI,
        COMMAND,
        CODE,
        PATH,
        REDIRECT,
        SSRF,
        DESERIALIZATION,
        XXE,
        LDAP,
        XPATH,
        HEADER,
        LOG,
        TRUST_BOUNDARY,
    }
)

# The rule kind a sink kind is reported under.
RULE_KIND = {SQL_FRAGMENT: SQL}

# -- sources ----------------------------------------------------------------------------------

REQUEST = "flask.request"
SESSION = "flask.session"
_REQUEST_ALIASES = ("flask.globals.request", "quart.request", "werkzeug.local.request")

# What a request attribute holds: its value shape (see the engine's Value kinds).
REQUEST_ATTRIBUTES: dict[str, str] = {
    "args": "mapping",
    "form": "mapping",
    "values": "mapping",
    "files": "files",
    "cookies": "mapping",
    "headers": "mapping",
    "view_args": "mapping",
    "environ": "mapping",
    "json": "json",
    "data": "text",
    "stream": "stream",
    "input_stream": "stream",
    "query_string": "text",
    "path": "text",
    "full_path": "text",
    "script_root": "text",
    "url": "text",
    "base_url": "text",
    "url_root": "text",
    "host_url": "text",
    "root_url": "text",
    "host": "text",
    "referrer": "text",
    "origin": "text",
    "user_agent": "object",
    "authorization": "object",
    "content_type": "text",
    "mimetype": "text",
    "access_route": "list",
    "accept_languages": "object",
    "accept_mimetypes": "object",
    "accept_charsets": "object",
    "if_match": "object",
    "if_none_match": "object",
    "range": "object",
    "access_control_request_headers": "object",
}
# Request methods whose result is attacker data.
REQUEST_METHODS: dict[str, str] = {
    "get_json": "json",
    "get_data": "text",
}
# Request members that are not attacker data (section 6): everything not listed above is
# treated the same way; these are named for the documentation.
NOT_ATTACKER_DATA = frozenset(
    {"method", "endpoint", "url_rule", "blueprint", "blueprints", "is_json", "is_secure"}
)

# URL converters whose values cannot carry strings.
SAFE_CONVERTERS = frozenset({"int", "float", "uuid", "any"})

# -- sanitisers --------------------------------------------------------------------------------

EVERYTHING = ALL_KINDS

# Callables whose result is clean for the kinds given.
SANITISERS: dict[str, frozenset[str]] = {
    **{
        name: EVERYTHING
        for name in (
            "builtins.int",
            "builtins.float",
            "builtins.bool",
            "builtins.len",
            "builtins.abs",
            "builtins.round",
            "builtins.hash",
            "builtins.id",
            "builtins.ord",
            "builtins.isinstance",
            "builtins.callable",
            "builtins.hasattr",
            "builtins.any",
            "builtins.all",
            "uuid.UUID",
            "decimal.Decimal",
            "fractions.Fraction",
            "datetime.date",
            "datetime.datetime",
            "flask.url_for",
            "flask.jsonify",
            "secrets.compare_digest",
            "hmac.compare_digest",
            "os.path.exists",
            "os.path.isfile",
            "os.path.isdir",
            "ast.literal_eval",
            "werkzeug.security.check_password_hash",
            "werkzeug.security.generate_password_hash",
            "ipaddress.ip_address",
        )
    },
    # ``repr`` escapes control characters: CR and LF cannot survive it.
    "builtins.repr": frozenset({LOG, HEADER}),
    "html.escape": frozenset({XSS}),
    "markupsafe.escape": frozenset({XSS}),
    "markupsafe.Markup.escape": frozenset({XSS}),
    "flask.escape": frozenset({XSS}),
    "jinja2.escape": frozenset({XSS}),
    "cgi.escape": frozenset({XSS}),
    "werkzeug.utils.escape": frozenset({XSS}),
    "xml.sax.saxutils.escape": frozenset({XSS}),
    "bleach.clean": frozenset({XSS}),
    "bleach.linkify": frozenset({XSS}),
    "urllib.parse.quote": frozenset({XSS, HEADER, LOG}),
    "urllib.parse.quote_plus": frozenset({XSS, HEADER, LOG}),
    "urllib.parse.urlencode": frozenset({XSS, HEADER, LOG}),
    "shlex.quote": frozenset({COMMAND}),
    "pipes.quote": frozenset({COMMAND}),
    "shlex.join": frozenset({COMMAND}),
    "werkzeug.utils.secure_filename": frozenset({PATH, COMMAND, HEADER, LOG, XSS}),
    "werkzeug.secure_filename": frozenset({PATH, COMMAND, HEADER, LOG, XSS}),
    "os.path.basename": frozenset({PATH}),
    "posixpath.basename": frozenset({PATH}),
    "ntpath.basename": frozenset({PATH}),
    "werkzeug.utils.safe_join": frozenset({PATH}),
    "werkzeug.security.safe_join": frozenset({PATH}),
    "flask.safe_join": frozenset({PATH}),
    "flask.helpers.safe_join": frozenset({PATH}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({LDAP}),
    "ldap.filter.escape_filter_chars": frozenset({LDAP}),
    "ldap.filter.filter_format": frozenset({LDAP}),
    "ldap.dn.escape_dn_chars": frozenset({LDAP}),
}

# Path functions after which a prefix or parent-directory comparison is a containment check.
PATH_NORMALISERS = frozenset(
    {"os.path.realpath", "os.path.abspath", "os.path.normpath", "posixpath.normpath"}
)
BASENAMES = frozenset({"os.path.basename", "posixpath.basename", "ntpath.basename"})

# Values of the ``type=`` keyword of ``MultiDict.get`` that convert to a safe type.
SAFE_TYPE_NAMES = frozenset(
    {"builtins.int", "builtins.float", "builtins.bool", "uuid.UUID", "decimal.Decimal"}
)

# -- propagators -------------------------------------------------------------------------------

# External callables whose result carries the taint of their arguments. Everything else
# external is opaque: its result is clean (a library function returning a model object does
# not make the object attacker data).
PROPAGATORS = frozenset(
    {
        "builtins.str",
        "builtins.format",
        "builtins.bytes",
        "builtins.bytearray",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.dict",
        "builtins.sorted",
        "builtins.reversed",
        "builtins.iter",
        "builtins.next",
        "builtins.zip",
        "builtins.enumerate",
        "builtins.map",
        "builtins.filter",
        "builtins.min",
        "builtins.max",
        "collections.deque",
        "collections.OrderedDict",
        "collections.defaultdict",
        "copy.copy",
        "copy.deepcopy",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "urllib.parse.unquote_to_bytes",
        "urllib.parse.urljoin",
        "urllib.parse.urlparse",
        "urllib.parse.urlsplit",
        "urllib.parse.urlunparse",
        "urllib.parse.urlunsplit",
        "urllib.parse.parse_qs",
        "urllib.parse.parse_qsl",
        "base64.b64decode",
        "base64.b64encode",
        "base64.urlsafe_b64decode",
        "base64.urlsafe_b64encode",
        "base64.b32decode",
        "base64.b16decode",
        "base64.decodebytes",
        "base64.standard_b64decode",
        "binascii.unhexlify",
        "binascii.a2b_base64",
        "codecs.decode",
        "codecs.encode",
        "json.loads",
        "json.dumps",
        "json.load",
        "html.unescape",
        "textwrap.dedent",
        "textwrap.indent",
        "string.Template",
        "os.path.join",
        "os.path.normpath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.expanduser",
        "os.path.dirname",
        "os.path.splitext",
        "os.path.split",
        "os.fsencode",
        "os.fsdecode",
        "posixpath.join",
        "posixpath.normpath",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
        "io.StringIO",
        "io.BytesIO",
        "tempfile.SpooledTemporaryFile",
        "functools.reduce",
        "urllib.request.Request",
        "xml.sax.InputSource",
        "markupsafe.Markup.unescape",
    }
)

# Methods of strings, bytes and containers whose result carries the receiver's taint.
STRING_METHODS = frozenset(
    {
        "capitalize",
        "casefold",
        "center",
        "decode",
        "encode",
        "expandtabs",
        "format",
        "format_map",
        "join",
        "ljust",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "strip",
        "swapcase",
        "title",
        "translate",
        "upper",
        "zfill",
        "hex",
    }
)
# Methods whose result says nothing an attacker chose (booleans, numbers).
CLEAN_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isdecimal",
        "isnumeric",
        "isalpha",
        "isalnum",
        "isidentifier",
        "islower",
        "isupper",
        "isspace",
        "isascii",
        "istitle",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "__len__",
        "hexdigest",
        "digest",
        "is_file",
        "is_dir",
        "exists",
        "is_absolute",
        "is_relative_to",
        "total_seconds",
        "timestamp",
    }
)
# Validations: in the true branch of ``if x.isdigit():`` the value is a number.
VALIDATING_METHODS = frozenset(
    {"isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isidentifier"}
)
ABORTS = frozenset({"flask.abort", "werkzeug.exceptions.abort", "sys.exit", "builtins.exit"})

# -- sinks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sink:
    kind: str
    # The arguments checked: (position, keyword) pairs; position None means keyword only.
    arguments: tuple[tuple[Optional[int], Optional[str]], ...]
    special: str = ""  # a check beyond "is the argument tainted" (see the engine)


def _sink(kind: str, *arguments: tuple[Optional[int], Optional[str]], special: str = "") -> Sink:
    return Sink(kind, arguments, special)


_FIRST = (0, None)

FUNCTION_SINKS: dict[str, Sink] = {
    # SQL
    "sqlalchemy.text": _sink(SQL, (0, "text")),
    "sqlalchemy.sql.text": _sink(SQL, (0, "text")),
    "sqlalchemy.sql.expression.text": _sink(SQL, (0, "text")),
    "sqlalchemy.literal_column": _sink(SQL, (0, "text")),
    "pandas.read_sql": _sink(SQL, (0, "sql")),
    "pandas.read_sql_query": _sink(SQL, (0, "sql")),
    # XSS
    "markupsafe.Markup": _sink(XSS, (0, "base")),
    "flask.Markup": _sink(XSS, (0, "base")),
    "jinja2.Markup": _sink(XSS, (0, "base")),
    "flask.make_response": _sink(XSS, _FIRST, special="response"),
    "flask.Response": _sink(XSS, (0, "response"), special="response"),
    "flask.wrappers.Response": _sink(XSS, (0, "response"), special="response"),
    "werkzeug.wrappers.Response": _sink(XSS, (0, "response"), special="response"),
    "werkzeug.Response": _sink(XSS, (0, "response"), special="response"),
    "flask.render_template": _sink(XSS, special="template"),
    # SSTI
    "flask.render_template_string": _sink(SSTI, (0, "source")),
    "flask.stream_template_string": _sink(SSTI, (0, "source")),
    "jinja2.Template": _sink(SSTI, (0, "source")),
    "jinja2.Environment.from_string": _sink(SSTI, (0, "source")),
    "jinja2.sandbox.SandboxedEnvironment.from_string": _sink(SSTI, (0, "source")),
    # Commands
    "os.system": _sink(COMMAND, (0, "command")),
    "os.popen": _sink(COMMAND, (0, "cmd")),
    "subprocess.getoutput": _sink(COMMAND, (0, "cmd")),
    "subprocess.getstatusoutput": _sink(COMMAND, (0, "cmd")),
    "commands.getoutput": _sink(COMMAND, (0, "cmd")),
    "asyncio.create_subprocess_shell": _sink(COMMAND, (0, "cmd")),
    "subprocess.run": _sink(COMMAND, (0, "args"), special="subprocess"),
    "subprocess.call": _sink(COMMAND, (0, "args"), special="subprocess"),
    "subprocess.check_call": _sink(COMMAND, (0, "args"), special="subprocess"),
    "subprocess.check_output": _sink(COMMAND, (0, "args"), special="subprocess"),
    "subprocess.Popen": _sink(COMMAND, (0, "args"), special="subprocess"),
    "pty.spawn": _sink(COMMAND, (0, "argv"), special="argv"),
    "asyncio.create_subprocess_exec": _sink(COMMAND, (0, "program")),
    "os.execl": _sink(COMMAND, (0, "path")),
    "os.execlp": _sink(COMMAND, (0, "file")),
    "os.execv": _sink(COMMAND, (0, "path")),
    "os.execvp": _sink(COMMAND, (0, "file")),
    "os.execve": _sink(COMMAND, (0, "path")),
    "os.execvpe": _sink(COMMAND, (0, "file")),
    "os.spawnl": _sink(COMMAND, (1, "path")),
    "os.spawnlp": _sink(COMMAND, (1, "file")),
    "os.spawnv": _sink(COMMAND, (1, "path")),
    "os.spawnvp": _sink(COMMAND, (1, "file")),
    "os.posix_spawn": _sink(COMMAND, (0, "path")),
    # Code
    "builtins.eval": _sink(CODE, (0, "source")),
    "builtins.exec": _sink(CODE, (0, "source")),
    "builtins.compile": _sink(CODE, (0, "source")),
    "builtins.__import__": _sink(CODE, (0, "name")),
    "importlib.import_module": _sink(CODE, (0, "name")),
    "importlib.__import__": _sink(CODE, (0, "name")),
    # Paths
    "builtins.open": _sink(PATH, (0, "file")),
    "io.open": _sink(PATH, (0, "file")),
    "codecs.open": _sink(PATH, (0, "filename")),
    "os.open": _sink(PATH, (0, "path")),
    "os.remove": _sink(PATH, (0, "path")),
    "os.unlink": _sink(PATH, (0, "path")),
    "os.rmdir": _sink(PATH, (0, "path")),
    "os.removedirs": _sink(PATH, (0, "name")),
    "os.mkdir": _sink(PATH, (0, "path")),
    "os.makedirs": _sink(PATH, (0, "name")),
    "os.listdir": _sink(PATH, (0, "path")),
    "os.scandir": _sink(PATH, (0, "path")),
    "os.walk": _sink(PATH, (0, "top")),
    "os.chmod": _sink(PATH, (0, "path")),
    "os.chown": _sink(PATH, (0, "path")),
    "os.truncate": _sink(PATH, (0, "path")),
    "os.rename": _sink(PATH, (0, "src"), (1, "dst")),
    "os.renames": _sink(PATH, (0, "old"), (1, "new")),
    "os.replace": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.copy": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.copy2": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.copyfile": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.copytree": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.move": _sink(PATH, (0, "src"), (1, "dst")),
    "shutil.rmtree": _sink(PATH, (0, "path")),
    "flask.send_file": _sink(PATH, (0, "path_or_file")),
    "flask.helpers.send_file": _sink(PATH, (0, "path_or_file")),
    "werkzeug.utils.send_file": _sink(PATH, (0, "path_or_file")),
    "flask.send_from_directory": _sink(PATH, (0, "directory")),
    "flask.helpers.send_from_directory": _sink(PATH, (0, "directory")),
    "werkzeug.utils.send_from_directory": _sink(PATH, (0, "directory")),
    "tarfile.open": _sink(PATH, (0, "name")),
    "zipfile.ZipFile": _sink(PATH, (0, "file")),
    # Redirects
    "flask.redirect": _sink(REDIRECT, (0, "location")),
    "werkzeug.utils.redirect": _sink(REDIRECT, (0, "location")),
    "werkzeug.redirect": _sink(REDIRECT, (0, "location")),
    # SSRF
    **{
        f"{client}.{method}": _sink(SSRF, (0, "url"))
        for client in (
            "requests",
            "requests.api",
            "requests.Session",
            "requests.sessions.Session",
            "httpx",
            "httpx.Client",
            "httpx.AsyncClient",
            "aiohttp.ClientSession",
        )
        for method in ("get", "post", "put", "patch", "delete", "head", "options", "stream")
    },
    **{
        f"{client}.request": _sink(SSRF, (1, "url"))
        for client in (
            "requests",
            "requests.api",
            "requests.Session",
            "requests.sessions.Session",
            "httpx",
            "httpx.Client",
            "httpx.AsyncClient",
            "aiohttp.ClientSession",
            "aiohttp",
            "urllib3",
            "urllib3.PoolManager",
            "urllib3.ProxyManager",
            "urllib3.poolmanager.PoolManager",
        )
    },
    "urllib3.PoolManager.urlopen": _sink(SSRF, (1, "url")),
    "urllib3.PoolManager.request_encode_url": _sink(SSRF, (1, "url")),
    "urllib.request.urlopen": _sink(SSRF, (0, "url")),
    "urllib.request.urlretrieve": _sink(SSRF, (0, "url")),
    "urllib.urlopen": _sink(SSRF, (0, "url")),
    "urllib2.urlopen": _sink(SSRF, (0, "url")),
    # Deserialization
    "pickle.loads": _sink(DESERIALIZATION, (0, "data")),
    "pickle.load": _sink(DESERIALIZATION, (0, "file")),
    "pickle.Unpickler": _sink(DESERIALIZATION, (0, "file")),
    "_pickle.loads": _sink(DESERIALIZATION, (0, "data")),
    "cPickle.loads": _sink(DESERIALIZATION, (0, "data")),
    "dill.loads": _sink(DESERIALIZATION, (0, "str")),
    "dill.load": _sink(DESERIALIZATION, (0, "file")),
    "marshal.loads": _sink(DESERIALIZATION, (0, "bytes")),
    "marshal.load": _sink(DESERIALIZATION, (0, "file")),
    "jsonpickle.decode": _sink(DESERIALIZATION, (0, "string")),
    "jsonpickle.loads": _sink(DESERIALIZATION, (0, "string")),
    "shelve.open": _sink(DESERIALIZATION, (0, "filename")),
    "pandas.read_pickle": _sink(DESERIALIZATION, (0, "filepath_or_buffer")),
    "joblib.load": _sink(DESERIALIZATION, (0, "filename")),
    "yaml.unsafe_load": _sink(DESERIALIZATION, (0, "stream")),
    "yaml.unsafe_load_all": _sink(DESERIALIZATION, (0, "stream")),
    "yaml.load": _sink(DESERIALIZATION, (0, "stream"), special="yaml"),
    "yaml.load_all": _sink(DESERIALIZATION, (0, "stream"), special="yaml"),
    "numpy.load": _sink(DESERIALIZATION, (0, "file"), special="numpy"),
    # XXE
    "lxml.etree.fromstring": _sink(XXE, (0, "text"), special="lxml"),
    "lxml.etree.XML": _sink(XXE, (0, "text"), special="lxml"),
    "lxml.etree.parse": _sink(XXE, (0, "source"), special="lxml"),
    "xml.dom.minidom.parseString": _sink(XXE, (0, "string"), special="parser-argument"),
    "xml.dom.minidom.parse": _sink(XXE, (0, "file"), special="parser-argument"),
    "xml.dom.pulldom.parseString": _sink(XXE, (0, "string"), special="parser-argument"),
    "xml.dom.pulldom.parse": _sink(XXE, (0, "stream_or_string"), special="parser-argument"),
    # LDAP
    "ldap3.Connection.search": _sink(LDAP, (1, "search_filter")),
    **{
        f"ldap.ldapobject.{cls}.{method}": _sink(LDAP, (2, "filterstr"))
        for cls in ("LDAPObject", "SimpleLDAPObject", "ReconnectLDAPObject")
        for method in ("search", "search_s", "search_st", "search_ext", "search_ext_s")
    },
    # XPath
    "lxml.etree.XPath": _sink(XPATH, (0, "path")),
    "lxml.etree.ETXPath": _sink(XPATH, (0, "path")),
    # Logs
    **{
        f"logging.{level}": _sink(LOG, special="log")
        for level in ("info", "warning", "warn", "error", "critical", "exception", "log")
    },
}

# Methods matched by name whatever the receiver (names specific to one kind of API).
METHOD_SINKS: dict[str, Sink] = {
    "execute": _sink(SQL, (0, None)),
    "executemany": _sink(SQL, (0, None)),
    "executescript": _sink(SQL, (0, None)),
    "exec_driver_sql": _sink(SQL, (0, None)),
    "raw": _sink(SQL, (0, "raw_query")),
    "order_by": _sink(SQL_FRAGMENT, special="positional"),
    "group_by": _sink(SQL_FRAGMENT, special="positional"),
    "having": _sink(SQL_FRAGMENT, special="positional"),
    "filter": _sink(SQL_FRAGMENT, special="positional"),
    "where": _sink(SQL_FRAGMENT, special="positional"),
    "from_string": _sink(SSTI, (0, "source")),
    "search_s": _sink(LDAP, (2, "filterstr")),
    "search_st": _sink(LDAP, (2, "filterstr")),
    "search_ext": _sink(LDAP, (2, "filterstr")),
    "search_ext_s": _sink(LDAP, (2, "filterstr")),
    "xpath": _sink(XPATH, (0, "_path")),
}

# Methods of typed values (the engine's value kinds for objects it created).
TYPED_METHOD_SINKS: dict[tuple[str, str], Sink] = {
    **{
        ("path", method): _sink(PATH, special="receiver")
        for method in (
            "read_text",
            "read_bytes",
            "write_text",
            "write_bytes",
            "open",
            "unlink",
            "rmdir",
            "mkdir",
            "touch",
            "rename",
            "replace",
            "iterdir",
            "glob",
            "rglob",
        )
    },
    ("filestorage", "save"): _sink(PATH, (0, "dst")),
    **{
        ("xml", method): _sink(XPATH, (0, "path"))
        for method in ("find", "findall", "findtext", "iterfind")
    },
    ("sax-parser-xxe", "parse"): _sink(XXE, (0, "source"), special="sax"),
    ("xml", "xpath"): _sink(XPATH, (0, "_path")),
    ("ldap3", "search"): _sink(LDAP, (1, "search_filter")),
    ("python-ldap", "search"): _sink(LDAP, (2, "filterstr")),
    **{
        ("logger", level): _sink(LOG, special="log")
        for level in ("info", "warning", "warn", "error", "critical", "exception", "log")
    },
}

# External constructors whose result the engine tracks by kind.
TYPED_CONSTRUCTORS: dict[str, str] = {
    "pathlib.Path": "path",
    "pathlib.PosixPath": "path",
    "pathlib.PurePath": "path",
    "pathlib.PurePosixPath": "path",
    "configparser.ConfigParser": "configparser",
    "configparser.RawConfigParser": "configparser",
    "configparser.SafeConfigParser": "configparser",
    "xml.etree.ElementTree.fromstring": "xml",
    "xml.etree.ElementTree.parse": "xml",
    "xml.etree.ElementTree.XML": "xml",
    "xml.etree.ElementTree.ElementTree": "xml",
    "xml.etree.cElementTree.fromstring": "xml",
    "lxml.etree.fromstring": "xml",
    "lxml.etree.parse": "xml",
    "lxml.etree.XML": "xml",
    "xml.sax.make_parser": "sax-parser",
    "ldap3.Connection": "ldap3",
    "ldap.initialize": "python-ldap",
    "logging.getLogger": "logger",
    "collections.deque": "list",
}

LOGGER_NAMES = frozenset({"logger", "log", "LOG", "LOGGER", "_logger", "_log", "_LOG", "logging"})
# ``debug`` is left out on purpose: debug records are dropped by production logging
# configurations (the default level is WARNING), and reporting them drowned the rest.
LOG_LEVELS = frozenset({"info", "warning", "warn", "error", "critical", "exception", "log"})

# Class-based views whose return values are serialised (JSON by default), never sent as HTML.
SERIALISING_RESOURCES = (
    "flask_restful.Resource",
    "flask_restx.Resource",
    "flask_restplus.Resource",
)

# What creates response objects (whose ``headers`` are response headers).
RESPONSE_FACTORIES = (
    "flask.make_response",
    "flask.Response",
    "flask.wrappers.Response",
    "werkzeug.wrappers.Response",
    "werkzeug.Response",
    "flask.send_file",
    "flask.send_from_directory",
    "flask.jsonify",
    "flask.redirect",
    "flask.render_template",
    "flask.Flask.make_response",
    "flask.Flask.response_class",
)

# Loaders that make ``yaml.load`` safe.
SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})

# Content types that are not rendered as HTML by browsers.
NON_HTML_MIMETYPE_PREFIXES = (
    "text/plain",
    "application/json",
    "text/csv",
    "application/octet-stream",
    "image/",
    "application/pdf",
)

# The lxml release whose default parser stopped resolving external entities.
LXML_SAFE_DEFAULT = "5.0"
