"""The dependency arrow points one way: api -> services -> db."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            if node.module == "flask":
                yield from (f"flask.{alias.name}" for alias in node.names)


def test_services_never_import_the_http_layer():
    offenders = []
    for path in (ROOT / "services").rglob("*.py"):
        for name in _imports(path):
            if name == "api" or name.startswith("api.") or name in ("flask.request", "flask.g", "flask.abort"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_the_models_never_import_the_scope_module():
    """services.actors imports the models; the models importing it back (even inside a function) is a circle."""
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / "services" / "models").rglob("*.py")
                 for name in _imports(path) if name == "services.actors" or name.startswith("services.problems")]
    assert offenders == []


def test_masking_is_a_pure_module():
    """Phone masking is applied by models, scope, logs and gunicorn's logger: it imports nothing of ours."""
    assert [name for name in _imports(ROOT / "services" / "masking.py") if name.split(".")[0] in ("api", "services")] == []


def test_roles_are_named_from_the_vocabulary_not_spelled_out():
    """`actor.role == "coordinator"` in 31 places let a typo grant or refuse silently: services/roles.py names them."""
    import re

    bare = re.compile(r'\brole\s*(?:==|!=)\s*"|\brole\s+(?:not\s+)?in\s+[({\[]\s*"')
    skip = {"roles.py", "labels.py"}
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in (ROOT / "services").rglob("*.py")
                 if path.name not in skip and "demo" not in path.parts
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if bare.search(line)]
    assert offenders == []


# The idempotency store keeps its own short session (a replayed answer must survive the request's rollback).
OWN_TRANSACTIONS = {"services/db.py", "services/idempotency.py"}


def test_nothing_commits_outside_the_unit_of_work():
    """Use cases end with services.db.unit_of_work; a hand-written commit elsewhere is a second way to end one."""
    offenders = []
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "api").rglob("*.py")]:
        if str(path.relative_to(ROOT)) in OWN_TRANSACTIONS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def _views(path: Path):
    """(name, lines) of every view in a resource module: routed functions and the methods of routed classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        routed = any("route" in ast.unparse(d) for d in getattr(node, "decorator_list", []))
        if isinstance(node, ast.FunctionDef) and routed:
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and routed:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in ("get", "post", "put", "patch", "delete"):
                    yield f"{node.name}.{item.name}", item


def _body_lines(fn: ast.FunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = fn.body[1:] if (fn.body and isinstance(fn.body[0], ast.Expr)
                           and isinstance(fn.body[0].value, ast.Constant)) else fn.body
    return (body[-1].end_lineno - body[0].lineno + 1) if body else 0


def test_views_are_declarations_of_at_most_ten_lines():
    long = [f"{path.name}:{name} ({_body_lines(fn)})" for path in sorted((ROOT / "api" / "resources").glob("*.py"))
            for name, fn in _views(path) if _body_lines(fn) > 10]
    assert long == []
