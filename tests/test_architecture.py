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
