"""Hypothesis: whatever plans, repayments and corrections are tried, in whatever order, repaid + remaining equals the
undisputed amount, repaid equals the sum of the repayments, and a case is never closed without the creditor's
confirmation."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.actors import Actor
from services.arrears import cases
from services.db import db
from services.errors import ServiceError
from services.models import ArrearsCase, Enterprise, User
from services.timeutil import local_today

cents = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n) / 100)
steps = st.lists(st.one_of(
    st.tuples(st.just("plan"), st.lists(cents, min_size=1, max_size=6), st.booleans()),
    st.tuples(st.just("repay"), cents, st.sampled_from(["coord", "party"])),
    st.tuples(st.just("dispute"), cents),
    st.tuples(st.just("confirm"), st.sampled_from(["coord", "party"])),
), max_size=12)


def _actor(username):
    return Actor.for_user(db.session.scalar(select(User).where(User.username == username)))


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(amount=cents, disputed_share=st.integers(0, 100), steps=steps)
def test_repaid_plus_remaining_is_the_undisputed_amount_and_nothing_closes_unconfirmed(app, amount, disputed_share,
                                                                                      steps):
    with app.app_context():
        coord, party = _actor("lxx_coord"), _actor("ent_qhy")
        qhy = db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
        disputed = (amount * disputed_share / 100).quantize(Decimal("0.01"))
        case = cases.create_case(actor=coord, creditor_enterprise_id=qhy, debtor_name="债务人", debtor_kind="soe",
                                 amount_10k=amount, disputed_10k=disputed)
        confirmed = False
        for step in steps:
            current = db.session.get(ArrearsCase, case.id)
            try:
                if step[0] == "plan":
                    months, exact = step[1], step[2]
                    if exact:  # the last month takes up the rest, so some plans add up
                        rest = current.undisputed_10k - sum(months[:-1], Decimal(0))
                        months = [*months[:-1], rest]
                    first = local_today().replace(day=1)
                    periods = [(first + timedelta(days=32 * i)).strftime("%Y-%m") for i in range(len(months))]
                    cases.set_plan(actor=coord, case_id=case.id, expected_version=current.version,
                                   months=[{"period": p, "amount_10k": a} for p, a in zip(periods, months, strict=True)])
                elif step[0] == "repay":
                    cases.record_repayment(actor=coord if step[2] == "coord" else party, case_id=case.id,
                                           paid_on=local_today(), amount_10k=step[1])
                elif step[0] == "dispute":
                    cases.update_case(actor=coord, case_id=case.id, expected_version=current.version,
                                      disputed_10k=min(step[1], current.amount_10k))
                else:
                    cases.confirm(actor=coord if step[1] == "coord" else party, case_id=case.id)
                    confirmed = True
            except ServiceError:
                db.session.rollback()
            db.session.expire_all()
            current = db.session.get(ArrearsCase, case.id)
            assert current.repaid_10k + current.remaining_10k == current.undisputed_10k
            assert current.repaid_10k == sum((r.amount_10k for r in current.repayments), Decimal(0))
            assert current.remaining_10k >= 0
            if current.plan:
                assert sum((m.amount_10k for m in current.plan), Decimal(0)) == current.undisputed_10k
            assert (current.status == "closed") == confirmed
            if current.status == "closed":
                assert current.remaining_10k == 0 and current.confirmed_by_id == party.user_id
        db.session.execute(ArrearsCase.__table__.delete().where(ArrearsCase.id == case.id))
        db.session.commit()
