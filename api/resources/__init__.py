"""One Blueprint per resource; every module's `blp` is registered by create_app."""

import importlib
import pkgutil


def blueprints():
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        blp = getattr(module, "blp", None)
        if blp is not None:
            yield blp
