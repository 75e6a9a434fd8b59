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
