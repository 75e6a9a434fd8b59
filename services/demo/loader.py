"""Runs the demo steps in order; a database that already has regions is left alone."""

import importlib
import pkgutil
from pathlib import Path

from sqlalchemy import select

import services.demo as package
from services.db import db, unit_of_work
from services.models import Region


def steps():
    """Every module in services/demo with STEP_ORDER and run(ctx), in that order."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "STEP_ORDER") and hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: m.STEP_ORDER)


@unit_of_work()
def load(upload_dir: Path | None = None) -> bool:
    """Seed an empty database; photos of the demo are written under `upload_dir` (none without it)."""
    if db.session.scalar(select(Region.id).limit(1)) is not None:
        return False
    ctx: dict = {"upload_dir": upload_dir}
    for step in steps():
        step.run(ctx)
        db.session.flush()
    return True
