"""Demo step 60: one warning scan over the demo data, so warnings exist."""

from services import monitoring

STEP_ORDER = 60


def run(ctx: dict) -> None:
    monitoring.reconcile_all()
