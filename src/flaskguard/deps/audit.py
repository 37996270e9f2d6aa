"""The dependency audit: which declared packages are affected by which advisories, and whether
the advisory matters for this code.

Versions come from lock files when there are any (the exact version installed), else from
exact pins in manifests; a range without a lock is reported when every version it admits is
affected, and at ``info`` when it merely admits one. Each (package, advisory) is reported
once, at the manifest line that declares the package (where a fix can raise the pin), or at
the lock entry when no manifest names it.

Reachability correlates an advisory with code facts: the Werkzeug debugger advisories matter
where the debugger can run, the Jinja2 sandbox escapes where a sandbox is used, the Flask-CORS
path-matching bugs where CORS has per-resource rules, and so on. The verdict is ``used``,
``not used`` (with the reason) or ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import analysis_for, dev_server_uses
from flaskguard.deps.advisories import (
    Advisory,
    is_affected,
    lowest_fixed_above,
    specifier_exposure,
)
from flaskguard.deps.manifests import Dependency
from flaskguard.facts.module import ModuleFacts
from flaskguard.knowledge.frameworks import DEBUGGED_APPLICATION
from flaskguard.model.project import Project


@dataclass(frozen=True)
class AdvisoryDatabase:
    by_package: Mapping[str, Sequence[Advisory]]
    description: str  # where the data comes from and its date, for reports


@dataclass(frozen=True)
class Verdict:
    state: str  # "used" | "not used" | "unknown"
    reason: str


@dataclass(frozen=True)
class Exposure:
    dependency: Dependency  # where it is reported
    version: Optional[str]  # the exact version, when known (lock or pin)
    locked_in: Optional[Dependency]  # the lock entry the version comes from
    advisory: Advisory
    certain: bool  # the version is affected (False: the range merely admits one)
    fixed_in: Optional[str]
    verdict: Verdict


@dataclass(frozen=True)
class DeclaredPackage:
    name: str
    declared: Dependency  # the manifest declaration (or the lock entry if none)
    version: Optional[str]
    locked_in: Optional[Dependency]


# Advisories whose impact is limited to a feature, by id or alias.
_DEBUGGER = {"CVE-2024-34069", "GHSA-2g68-c3qc-8985", "CVE-2019-14806", "CVE-2016-10516"}
_DEV_SERVER = {"CVE-2022-29361", "CVE-2020-28724"}
_JINJA_SANDBOX = {
    "CVE-2025-27516",
    "GHSA-cpwx-vrp4-4pq7",
    "CVE-2024-56326",
    "GHSA-q2x7-8rv6-6q7h",
    "CVE-2019-10906",
    "CVE-2016-10745",
}
_CORS_PATHS = {
    "CVE-2024-6839",
    "CVE-2024-6844",
    "GHSA-8vgw-p6qm-5gr7",
    "CVE-2024-6866",
    "GHSA-43qf-4rqw-9q2g",
    "CVE-2020-25032",
    "GHSA-xc3p-ff3m-f46v",
}
# Packages that only matter when the code imports them (others, like Werkzeug and Jinja2,
# are used through Flask whatever the code imports).
_IMPORTED_AS = {
    "flask-cors": "flask_cors",
    "flask-caching": "flask_caching",
    "flask-security-too": "flask_security",
    "flask-admin": "flask_admin",
    "flask-appbuilder": "flask_appbuilder",
    "pyyaml": "yaml",
    "lxml": "lxml",
    "requests": "requests",
    "pyjwt": "jwt",
    "bottle": "bottle",
    "sanic": "sanic",
    "dash": "dash",
}
_SERVERS = {"gunicorn", "waitress", "uvicorn"}
_CORS_CONFIGURATION = {"flask_cors.CORS", "flask_cors.cross_origin"}
_SANDBOXES = {"jinja2.sandbox.SandboxedEnvironment", "jinja2.sandbox.ImmutableSandboxedEnvironment"}


def declared_packages(project: Project) -> list[DeclaredPackage]:
    """One entry per package: its declaration, and the exact version when known."""
    manifests: dict[str, Dependency] = {}
    locks: dict[str, Dependency] = {}
    for facts in project.dependencies:
        for dependency in facts.dependencies:
            table = locks if dependency.locked else manifests
            current = table.get(dependency.name)
            # Prefer main dependencies over groups, and pins over ranges.
            if current is None or _rank(dependency) < _rank(current):
                table[dependency.name] = dependency
    packages = []
    for name in sorted(set(manifests) | set(locks)):
        lock = locks.get(name)
        declared = manifests.get(name) or lock
        assert declared is not None
        version = lock.version if lock is not None else declared.version
        packages.append(DeclaredPackage(name, declared, version, lock))
    return packages


def _rank(dependency: Dependency) -> tuple[int, int, str, int]:
    return (
        0 if not dependency.group else 1,
        0 if dependency.version else 1,
        dependency.path,
        dependency.line,
    )


def exposures(project: Project) -> list[Exposure]:
    database = project.advisories
    if database is None:
        return []
    found = []
    for package in declared_packages(project):
        for advisory in database.by_package.get(package.name, ()):
            if package.version is not None:
                if not is_affected(advisory, package.version):
                    continue
                certain = True
                fixed = lowest_fixed_above(advisory, package.version)
            else:
                exposure = specifier_exposure(advisory, package.declared.specifier, ())
                if exposure == "none":
                    continue
                certain = exposure == "all"
                fixed = advisory.fixed_versions[-1] if advisory.fixed_versions else None
            found.append(
                Exposure(
                    package.declared,
                    package.version,
                    package.locked_in,
                    advisory,
                    certain,
                    fixed,
                    verdict(project, package.name, advisory),
                )
            )
    return found


def verdict(project: Project, package: str, advisory: Advisory) -> Verdict:
    ids = {advisory.id, *advisory.aliases}
    if ids & _DEBUGGER:
        if _debugger_can_run(project):
            return Verdict("used", "the code can run Werkzeug's interactive debugger")
        return Verdict("not used", "no code path runs Werkzeug's interactive debugger")
    if ids & _DEV_SERVER:
        if _dev_server_used(project):
            return Verdict("used", "the code starts Werkzeug's development server")
        return Verdict(
            "not used", "no code or deployment file starts Werkzeug's development server"
        )
    if ids & _JINJA_SANDBOX:
        if _calls_any(project, _SANDBOXES):
            return Verdict("used", "the code renders templates in a Jinja2 sandbox")
        return Verdict("not used", "the code never creates a Jinja2 sandboxed environment")
    if ids & _CORS_PATHS:
        rules = _cors_resource_rules(project)
        if rules is None:
            return Verdict("not used", "the code does not configure Flask-CORS")
        if rules:
            return Verdict("used", "Flask-CORS is configured with per-resource rules")
        return Verdict("not used", "Flask-CORS is configured without per-resource rules")
    module = _IMPORTED_AS.get(package)
    if module is not None:
        if _imports(project, module):
            return Verdict("used", f"the code imports {module}")
        return Verdict("not used", f"no module of the project imports {module}")
    if package in _SERVERS:
        if any(c.server == package for d in project.deployments for c in d.commands):
            return Verdict("used", f"a deployment file serves the app with {package}")
        return Verdict("unknown", f"no deployment file found here runs {package}")
    return Verdict("unknown", "the advisory is not tied to a feature the analysis can see")


def _debugger_can_run(project: Project) -> bool:
    analysis = analysis_for(project)
    for use in dev_server_uses(project):
        if analysis.is_dead(use):
            continue
        if analysis.settings(use).debugger is not False:
            return True
    return _calls_any(project, {DEBUGGED_APPLICATION})


def _dev_server_used(project: Project) -> bool:
    werkzeug = {"Flask", "Flask-SocketIO", "Dash", "Werkzeug"}
    if any(
        u.call.spec.framework in werkzeug
        and (u.import_reach != Reach.NO or u.main_reach != Reach.NO)
        for u in dev_server_uses(project)
    ):
        return True
    return any(c.server == "flask-run" for d in project.deployments for c in d.commands)


def _calls_any(project: Project, names: set[str]) -> bool:
    return any(analysis_for(project).resolver.calls_to(names))


def _cors_resource_rules(project: Project) -> Optional[bool]:
    """None when Flask-CORS is not configured; else whether any call has ``resources``."""
    configured = False
    for _, site, _ in analysis_for(project).resolver.calls_to(_CORS_CONFIGURATION):
        configured = True
        if site.call.keyword("resources") is not None:
            return True
    return False if configured else None


def _imports(project: Project, module_name: str) -> bool:
    return any(project.view_entry(m, _imported_names, module_name) for m in project.modules)


def _imported_names(module: ModuleFacts) -> dict[str, bool]:
    """The modules a module imports, and their packages (``a``, ``a.b`` for ``a.b``)."""
    found: dict[str, bool] = {}
    for binding in module.imports:
        parts = Project.absolute_import(module, binding).split(".")
        for end in range(1, len(parts) + 1):
            found[".".join(parts[:end])] = True
    return found
