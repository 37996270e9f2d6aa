"""``flaskguard routes``: the route table of a project, as the model sees it.

One row per URL rule an application serves: the full rule (blueprint prefixes included,
converters as written), methods (without the implicit HEAD and OPTIONS), endpoint, where the
view is, whether it requires authentication and how, and whether state-changing requests
are CSRF-checked. ``auth`` is None when the view cannot be resolved; ``csrf`` is None for
routes that only accept safe methods.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Optional, Union

from flaskguard.config import Config
from flaskguard.model.apps import Route, flask_model
from flaskguard.scan import build_project, collector_paused, project_inputs

RouteRow = dict[str, Union[str, bool, list[str], None]]


def route_rows(
    paths: Sequence[Path], config: Config, root: Path, jobs: Optional[int]
) -> list[RouteRow]:
    with collector_paused():
        inputs = project_inputs(paths, config=config, root=root, jobs=jobs, load_advisories=False)
        project = build_project(inputs, config)
        routes = flask_model(project).routes
        project.release_analyses()
    rows: list[RouteRow] = []
    seen: set[str] = set()
    for route in routes:
        row = _row(route)
        key = json.dumps(row, sort_keys=True)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _row(route: Route) -> RouteRow:
    return {
        "rule": route.rule,
        "methods": list(route.methods),
        "endpoint": route.endpoint,
        "view": f"{route.path}:{route.line}",
        "auth": route.auth,
        "auth_via": list(route.auth_via),
        "csrf": route.csrf,
    }


def render_routes_json(rows: list[RouteRow]) -> str:
    return json.dumps(rows, indent=2) + "\n"


def render_routes_text(rows: list[RouteRow]) -> str:
    if not rows:
        return "No routes found.\n"
    header = ("RULE", "METHODS", "ENDPOINT", "VIEW", "AUTH", "CSRF")
    table = [header]
    for row in rows:
        auth = _yes_no(row["auth"])
        via = row["auth_via"]
        if row["auth"] and isinstance(via, list) and via:
            auth += f" ({', '.join(via)})"
        methods = row["methods"]
        table.append(
            (
                str(row["rule"]),
                ",".join(methods) if isinstance(methods, list) else "",
                str(row["endpoint"]),
                str(row["view"]),
                auth,
                "-" if row["csrf"] is None else _yes_no(row["csrf"]),
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1]
        for line in table
    ]
    return "\n".join(line.rstrip() for line in lines) + f"\n\n{len(rows)} route(s).\n"


def _yes_no(value: object) -> str:
    if value is None:
        return "unknown"
    return "yes" if value else "no"
