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


def test_views_never_name_model_columns():
    """Paging, sorting and filtering happen below the views: a resource module imports no model."""
    offenders = [f"{path.name}: {name}" for path in sorted((ROOT / "api" / "resources").glob("*.py"))
                 for name in _imports(path) if name.startswith("services.models")]
    assert offenders == []


def _public_service_functions():
    """(where, function) of every public module-level function and public method of a public class in services/,
    the demo data left out."""
    for path in sorted((ROOT / "services").rglob("*.py")):
        if "demo" in path.relative_to(ROOT / "services").parts:
            continue
        where = path.relative_to(ROOT)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                yield f"{where}:{node.name}", node
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                        yield f"{where}:{node.name}.{item.name}", item


def test_every_public_service_function_says_what_it_does():
    """Issue 14: a reader learns what a service function does from its first line, not from its body."""
    silent = [where for where, fn in _public_service_functions() if not ast.get_docstring(fn)]
    assert silent == []


def _service_error_names() -> set[str]:
    from services import errors

    names, todo = set(), [errors.ServiceError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__ == errors.__name__:
                names.add(sub.__name__)
                todo.append(sub)
    return names


def _raised_names(fn: ast.FunctionDef, known: set[str]) -> set[str]:
    """The ServiceErrors a function's body raises by name: `raise NotFound(...)`, `raise errors.NotFound`."""
    raised = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name in known:
                raised.add(name)
    return raised


def test_a_service_function_that_raises_a_service_error_names_it():
    """The errors a caller must be ready for are in the docstring of the function that raises them."""
    known = _service_error_names()
    assert {"NotFound", "Forbidden", "VersionMismatch", "ValidationFailed"} <= known
    unnamed = [f"{where}: {name}" for where, fn in _public_service_functions()
               for name in sorted(_raised_names(fn, known)) if name not in (ast.get_docstring(fn) or "")]
    assert unnamed == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of `package` it imports at module level (imports inside functions are left out)."""
    modules = {_module_name(p): p for p in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            edges.update(t for t in targets if t in modules and t != name)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_services_import_no_circle():
    """A package's __init__ re-exporting its modules is not a circle; a module importing one that imports it is."""
    graph = _import_graph("services")
    for name in graph:  # a package's own __init__ may import its submodules (re-exports)
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    assert _cycle(graph) is None


def test_the_circle_finder_sees_a_circle_of_three():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_every_resource_has_its_schema_module_and_defines_no_schema_itself():
    """One grouping from URL to test: api/resources/x.py declares routes, api/schemas/x.py its bodies and answers."""
    resources = {p.stem for p in (ROOT / "api" / "resources").glob("*.py")} - {"__init__"}
    schemas = {p.stem for p in (ROOT / "api" / "schemas").glob("*.py")} - {"__init__", "base", "common"}
    assert resources == schemas
    inline = [f"{path.name}: {node.name}" for path in sorted((ROOT / "api" / "resources").glob("*.py"))
              for node in ast.parse(path.read_text(encoding="utf-8")).body
              if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith(("Schema", "ListArgsSchema"))
                                                         for b in node.bases)]
    assert inline == []
