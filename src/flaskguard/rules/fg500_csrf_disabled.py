"""## What it does
Finds Flask-WTF CSRF protection switched off in code that production runs:

- `WTF_CSRF_ENABLED = False` in a configuration that is not a testing or development one;
- `WTF_CSRF_CHECK_DEFAULT = False` when nothing calls `csrf.protect()` (the global check is
  off and no view turns it back on);
- a `FlaskForm` whose `class Meta` sets `csrf = False`, or a form built with
  `meta={"csrf": False}`.

Testing profiles (`TESTING = True`, `TestingConfig`), `tests/` and `conftest.py` are not
reported: disabling CSRF there is the documented way to test forms. Development profiles
are reported at `info`.

## Why is this bad?
Browsers attach the session cookie to requests that other sites trigger. Without the token
check, any page the user visits can submit forms to the app as that user: change the
e-mail address, transfer money, delete data (OWASP A01, CWE-352).

## Example
```python
class Config:
    WTF_CSRF_ENABLED = False
```

## Use instead
```python
class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
```
and keep `CSRFProtect(app)` on in every other profile.

## References
- Flask-WTF, "CSRF Protection" (`CSRFProtect.init_app`, `WTF_CSRF_CHECK_DEFAULT`)
- CWE-352: Cross-Site Request Forgery
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.devserver import analysis_for
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.flaskapp import CSRF_FORM_CLASSES
from flaskguard.model.apps import flask_model
from flaskguard.model.objects import ClassRef
from flaskguard.model.project import Frame, Project, site_frame
from flaskguard.model.settings import config_model
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG500",
    name="csrf-disabled",
    summary="CSRF protection disabled",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(352,),
    owasp="A01:2021",
    tags=("csrf", "configuration", "flask-wtf"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    "Keep CSRF protection on (`CSRFProtect(app)`); disable it only in the testing "
    "configuration, and exempt individual token-authenticated API views instead."
)


def check(project: Project) -> Iterator[Finding]:
    yield from _settings(project)
    yield from _forms(project)


def _settings(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    model = flask_model(project)
    settings = config_model(project)
    protect_called = bool(model.extensions_of("csrf")) and any(
        True for _ in model.method_calls("protect")
    )
    for key in ("WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"):
        if key == "WTF_CSRF_CHECK_DEFAULT" and protect_called:
            continue
        for setting in settings.for_key(key):
            if setting.kind == "testing" or not is_production_path(project, setting.path):
                continue
            if analysis.evaluator.evaluate(setting.value, setting.frame).value is not False:
                continue
            profile = f" in {setting.profile}" if setting.profile else ""
            effect = (
                "Flask-WTF checks no CSRF token at all, neither globally nor in forms"
                if key == "WTF_CSRF_ENABLED"
                else "CSRFProtect no longer checks requests, and nothing calls `csrf.protect()`"
            )
            yield finding(
                META,
                path=setting.path,
                loc=setting.loc,
                message=f"{key} = False{profile}: {effect}, so other sites can submit "
                "forms as the logged-in user.",
                remediation=REMEDIATION,
                severity=Severity.INFO if setting.kind == "development" else None,
                scope=setting.scope,
                code=f"{setting.via} = False",
            )


def _forms(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    resolver = model.resolver
    for module in project.modules:
        if not is_production_path(project, module.path):
            continue
        for cls in module.classes:
            if cls.name != "Meta" or "." not in cls.qualname:
                continue
            owner = ClassRef(module.path, cls.qualname.rsplit(".", 1)[0])
            if not any(resolver.class_is(owner, name) for name in CSRF_FORM_CLASSES):
                continue
            frame = Frame(module.path, f"<class {cls.qualname}>")
            for name, value, loc in cls.attributes:
                if name == "csrf" and model.constant(value, frame) is False:
                    form = owner.qualname.rsplit(".", 1)[-1]
                    yield finding(
                        META,
                        path=module.path,
                        loc=loc,
                        message=f"Form {form} sets Meta.csrf = False: submitting it checks no "
                        "CSRF token, so other sites can post it as the logged-in user.",
                        remediation=REMEDIATION,
                        scope=cls.qualname,
                        code=f"class {form}.Meta: csrf = False",
                    )
        for site in project.view(module, _calls_with_meta_dict):
            meta = site.call.keyword("meta")
            assert meta is not None
            frame = site_frame(Frame(module.path, site.scope), site)
            options = model.constant(meta, frame)
            if not (isinstance(options, dict) and options.get("csrf") is False):
                continue
            forms = [
                v
                for v in resolver.infer(site.call.func, frame)
                if isinstance(v, ClassRef)
                and any(resolver.class_is(v, name) for name in CSRF_FORM_CLASSES)
            ]
            if not forms:
                continue
            yield finding(
                META,
                path=module.path,
                loc=site.call.loc,
                message=f"{forms[0].qualname} is built with meta csrf False: this form checks no "
                "CSRF token, so other sites can submit it as the logged-in user.",
                remediation=REMEDIATION,
                scope=site.scope,
                code=site.statement.code,
                anchors=[(module.path, site.statement.first_line)],
            )


RULE = Rule(META, check)


def _calls_with_meta_dict(module: ModuleFacts) -> tuple[CallSite, ...]:
    """Calls with ``meta={...}``: how a WTForms form is built with options."""
    return tuple(
        site for site in module.calls if isinstance(site.call.keyword("meta"), ir.DictExpr)
    )
