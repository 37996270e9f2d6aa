"""## What it does
Finds HTML output rendered with Jinja's autoescaping switched off:

- `{% autoescape false %}` blocks in HTML templates (`.html`, `.htm`, `.xml`, `.svg`, and
  `.j2`/`.jinja` names without another suffix), reported at the tag;
- `app.jinja_env.autoescape = False`, and `autoescape: False` in `app.jinja_options`;
- `jinja2.Environment(...)` (or `SandboxedEnvironment`) with `autoescape=False` or without
  `autoescape` (Jinja's default is off) whose templates are HTML: it loads `.html` templates
  (`get_template("page.html")`) or renders markup from a string.

Templates that are not HTML — plain-text e-mail bodies, SQL, CSS, configuration files — are
not reported: escaping HTML there would corrupt them, and there is no browser to attack.
An `Environment` whose output cannot be told is not reported either.

## Why is this bad?
With autoescaping off, every `{{ value }}` is inserted into the page as markup. Any value
that comes from a user — a name, a comment, a query parameter — becomes script in other
users' browsers (stored or reflected XSS).

## Example
```python
env = jinja2.Environment(loader=FileSystemLoader("templates"))
env.get_template("report.html").render(comment=comment)
```

## Use instead
```python
env = jinja2.Environment(
    loader=FileSystemLoader("templates"), autoescape=jinja2.select_autoescape()
)
```

## References
- Jinja docs, "Autoescaping"; Flask docs, "Controlling Autoescaping"
- CWE-79: Cross-site Scripting; CWE-116: Improper Encoding or Escaping of Output
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import FlaskModel, flask_model
from flaskguard.model.objects import ClassRef, Instance
from flaskguard.model.project import Frame, Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG507",
    name="jinja-autoescape-disabled",
    summary="Jinja autoescaping disabled for HTML output",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(79, 116),
    owasp="A03:2021",
    tags=("xss", "jinja"),
    fixable=False,
    doc=__doc__ or "",
)

ENVIRONMENTS = frozenset(
    {
        "jinja2.Environment",
        "jinja2.environment.Environment",
        "jinja2.sandbox.SandboxedEnvironment",
    }
)
_HTML_NAME = re.compile(r"\.(html?|xhtml|xml|svg)(\.(j2|jinja2?))?$", re.IGNORECASE)
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s>/]")
REMEDIATION = (
    "Keep autoescaping on (`select_autoescape()` for Environments; never set "
    "`jinja_env.autoescape = False`); mark only trusted, already-sanitised HTML with `Markup`."
)


def check(project: Project) -> Iterator[Finding]:
    yield from _templates(project)
    model = flask_model(project)
    yield from _app_settings(project, model)
    yield from _environments(model)


def _templates(project: Project) -> Iterator[Finding]:
    for template in project.templates_by_path.values():
        if template.output != "html" or not is_production_path(project, template.path):
            continue
        for line, column, end_column in template.autoescape_off:
            yield finding(
                META,
                path=template.path,
                loc=ir.Loc(line, column, line, end_column),
                message="`{% autoescape false %}` turns HTML escaping off in this template: "
                "every `{{ value }}` inside the block is inserted as markup, so user-supplied "
                "values become script in the page.",
                remediation=REMEDIATION,
                code="{% autoescape false %}",
            )


def _app_settings(project: Project, model: FlaskModel) -> Iterator[Finding]:
    for module in project.modules:
        if not is_production_path(project, module.path):
            continue
        for assignment in project.view(module, _jinja_option_assignments):
            target = assignment.target
            frame = Frame(module.path, assignment.scope)
            off: Optional[str] = None
            if (
                isinstance(target, ir.Attr)
                and target.attr == "autoescape"
                and isinstance(target.value, ir.Attr)
                and target.value.attr == "jinja_env"
                and model.apps_of(target.value.value, frame)
                and _is_false(model, assignment.value, frame)
            ):
                off = "app.jinja_env.autoescape = False"
            elif (
                isinstance(target, ir.Attr)
                and target.attr == "jinja_options"
                and model.apps_of(target.value, frame)
                and _options_disable(model, assignment.value, frame)
            ):
                off = "app.jinja_options sets autoescape to False"
            elif (
                isinstance(target, ir.Subscript)
                and isinstance(target.value, ir.Attr)
                and target.value.attr == "jinja_options"
                and isinstance(target.index, ir.Const)
                and target.index.value == "autoescape"
                and _is_false(model, assignment.value, frame)
            ):
                off = 'app.jinja_options["autoescape"] = False'
            if off is None:
                continue
            yield finding(
                META,
                path=module.path,
                loc=assignment.loc,
                message=f"{off}: Flask renders every template without HTML escaping, so "
                "user-supplied values become script in the pages.",
                remediation=REMEDIATION,
                scope=assignment.scope,
                code=assignment.statement.code,
                anchors=[(module.path, assignment.statement.first_line)],
            )
        for cls in module.classes:
            for name, value, loc in cls.attributes:
                class_frame = Frame(module.path, f"<class {cls.qualname}>")
                if name != "jinja_options" or not _options_disable(model, value, class_frame):
                    continue
                if not model.resolver.class_is(ClassRef(module.path, cls.qualname), "flask.Flask"):
                    continue
                yield finding(
                    META,
                    path=module.path,
                    loc=loc,
                    message=f"{cls.name}.jinja_options sets autoescape to False: the app renders "
                    "every template without HTML escaping.",
                    remediation=REMEDIATION,
                    scope=cls.qualname,
                    code=f"class {cls.name}: jinja_options",
                )


def _environments(model: FlaskModel) -> Iterator[Finding]:
    for path, site, frame in model.resolver.calls_to(ENVIRONMENTS):
        if not is_production_path(model.project, path):
            continue
        setting = site.call.keyword("autoescape")
        if setting is not None and not _is_false(model, setting, frame):
            continue
        origin = (path, site.call.loc.line, site.call.loc.col)
        evidence = _html_evidence(model, origin)
        if evidence is None:
            continue
        how = (
            "autoescape=False" if setting is not None else "no autoescape (Jinja's default is off)"
        )
        yield finding(
            META,
            path=path,
            loc=site.call.loc,
            message=f"This Jinja Environment has {how} and renders HTML ({evidence}): values "
            "are inserted as markup, so user-supplied values become script in the page.",
            remediation=REMEDIATION,
            scope=site.scope,
            code=site.statement.code,
            anchors=[(path, site.statement.first_line)],
        )


def _html_evidence(model: FlaskModel, origin: tuple[str, int, int]) -> Optional[str]:
    for path, site, frame in model.method_calls("get_template", "select_template", "from_string"):
        func = site.call.func
        assert isinstance(func, ir.Attr)
        receivers = model.resolver.infer(func.value, frame)
        if not any(isinstance(v, Instance) and v.origin == origin for v in receivers):
            continue
        argument = site.call.argument(0, "name" if func.attr != "from_string" else "source")
        if argument is None:
            continue
        value = model.constant(argument, frame)
        if value is None:
            value = _literal_suffix(argument)
        names = value if isinstance(value, (list, tuple)) else [value]
        for name in names:
            if not isinstance(name, str):
                continue
            if func.attr == "from_string" and _MARKUP.search(name):
                return f"markup passed to from_string at {path}:{site.call.loc.line}"
            if func.attr != "from_string" and _HTML_NAME.search(name):
                return f"loads {name} at {path}:{site.call.loc.line}"
    return None


def _literal_suffix(expr: ir.Expr) -> Optional[str]:
    """The constant end of a built name: ``f"{name}.html"`` or ``name + ".html"``."""
    if isinstance(expr, ir.FString) and expr.parts:
        last = expr.parts[-1]
        if isinstance(last, ir.Const) and isinstance(last.value, str):
            return last.value
    if isinstance(expr, ir.BinOp) and expr.op == "+":
        right = expr.right
        if isinstance(right, ir.Const) and isinstance(right.value, str):
            return right.value
    return None


def _is_false(model: FlaskModel, expr: ir.Expr, frame: Frame) -> bool:
    return model.evaluator.evaluate(expr, frame).value is False


def _options_disable(model: FlaskModel, expr: ir.Expr, frame: Frame) -> bool:
    value = model.evaluator.evaluate(expr, frame).value
    if isinstance(value, dict):
        return value.get("autoescape") is False
    if isinstance(expr, ir.Call):
        return any(k == "autoescape" and _is_false(model, v, frame) for k, v in expr.kwargs)
    return False


RULE = Rule(META, check)


def _jinja_option_assignments(module: ModuleFacts) -> tuple[Assignment, ...]:
    """``x.jinja_env.autoescape = ...``, ``x.jinja_options = ...`` and
    ``x.jinja_options["autoescape"] = ...``."""
    return tuple(a for a in module.assignments if _sets_jinja_option(a.target))


def _sets_jinja_option(target: ir.Expr) -> bool:
    if isinstance(target, ir.Attr):
        return target.attr == "jinja_options" or (
            target.attr == "autoescape"
            and isinstance(target.value, ir.Attr)
            and target.value.attr == "jinja_env"
        )
    return (
        isinstance(target, ir.Subscript)
        and isinstance(target.value, ir.Attr)
        and target.value.attr == "jinja_options"
        and isinstance(target.index, ir.Const)
        and target.index.value == "autoescape"
    )
