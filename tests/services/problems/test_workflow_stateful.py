"""Random actions by random demo users, with the ledger's invariants checked after every step."""

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from services.actors import Actor
from services.db import db, utcnow
from services.errors import ServiceError
from services.models import Enterprise, Problem, ProblemEvent, User
from services.problems import workflow
from services.problems.commands import allowed_actions, file_problem, take_action

PLAYERS = ["lxx_coord", "lx_coord", "gs_coord", "liaison_ma", "ent_qhy", "lx_viewer", "kl_coord"]
POSITIVE = ("satisfied", "basically_satisfied")
ENDINGS = ("reject", "withdraw")


def payload_for(action: str, data, now) -> dict:
    scope = data.draw(st.sampled_from(["county", "cross_county", "provincial"]))
    return {
        "accept": {}, "reject": {"reason": "理由"}, "escalate": {"reason": "上报"},
        "return": {"scope": scope, "reason": "退回"}, "reclassify": {"scope": scope, "reason": "调整"},
        "assign": {"department_id": 1}, "resolve": {"resolution": "办结"},
        "feedback": {"rating": data.draw(st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied"])),
                     "comment": "评价"},
        "close": {"note": "未评价"}, "withdraw": {}, "request_info": {"question": "补充"},
        "supply_info": {"answer": "已补充"},
        "request_extension": {"due_at": now + timedelta(days=400), "reason": "延期"},
        "decide_extension": {"approve": data.draw(st.booleans())},
        "supervise": {"deadline": now + timedelta(days=10), "note": "督办"}, "unsupervise": {},
        "comment": {"text": "留言", "internal": data.draw(st.booleans())},
    }[action]


def test_random_walks_keep_the_ledger_consistent(app):
    with app.app_context():
        actors = {u.username: Actor.for_user(u)
                  for u in db.session.scalars(select(User).where(User.username.in_(PLAYERS)))}
        enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
        db.session.remove()
    applied: set[str] = set()

    class Ledger(RuleBasedStateMachine):
        @initialize(filer=st.sampled_from(["liaison_ma", "ent_qhy", "lxx_coord"]),
                    scope=st.sampled_from(["county", "cross_county", "provincial"]))
        def file(self, filer, scope):
            self.now = utcnow()
            with app.app_context():
                problem = file_problem(actor=actors[filer], enterprise_id=enterprise_id, category="financing",
                                       title="贷款", scope=scope, now=self.now)
                db.session.commit()
                self.problem_id = problem.id

        def _counts(self):
            problem = db.session.get(Problem, self.problem_id)
            events = db.session.scalar(select(func.count()).select_from(ProblemEvent)
                                       .where(ProblemEvent.problem_id == self.problem_id))
            return problem.version, events

        @rule(who=st.sampled_from(PLAYERS), action=st.sampled_from(workflow.ACTIONS), data=st.data())
        def take_any(self, who, action, data):
            self._take(who, action, data)

        @rule(data=st.data())
        def take_an_offered_action(self, data):
            """Someone takes an action the API offers them; endings (reject, withdraw) are drawn rarely,
            so walks get deep into the workflow."""
            with app.app_context():
                problem = db.session.get(Problem, self.problem_id)
                moves = [(who, action) for who in PLAYERS for action in allowed_actions(actors[who], problem, self.now)
                         if action != "comment"]
                db.session.rollback()
            ongoing = [m for m in moves if m[1] not in ENDINGS]
            pool = ongoing if ongoing and data.draw(st.integers(0, 9)) > 0 else moves
            if pool:
                who, action = data.draw(st.sampled_from(pool))
                self._take(who, action, data)

        def _take(self, who, action, data):
            with app.app_context():
                before = self._counts()
                try:
                    take_action(actor=actors[who], problem_id=self.problem_id, action=action,
                        payload=payload_for(action, data, self.now), now=self.now)
                except ServiceError:
                    db.session.rollback()
                    assert self._counts() == before, "a refused action changed something"
                else:
                    applied.add(action)
                    version, events = self._counts()
                    assert events == before[1] + 1 and version == before[0] + 1

        @rule()
        def time_passes(self):
            self.now += timedelta(days=16)

        @invariant()
        def consistent(self):
            with app.app_context():
                problem = db.session.get(Problem, self.problem_id)
                events = list(db.session.scalars(select(ProblemEvent).where(
                    ProblemEvent.problem_id == self.problem_id).order_by(ProblemEvent.id)))
                moves = [e for e in events if e.to_status is not None]
                assert (moves[-1].to_status, moves[-1].to_level) == (problem.status, problem.level)
                previous = None
                for event in events:
                    if event.from_level and event.to_level:
                        assert abs(workflow.rank(event.to_level) - workflow.rank(event.from_level)) <= 1
                    if previous is not None:  # each event starts where the one before it ended
                        assert (event.from_status, event.from_level) == (previous.to_status, previous.to_level)
                    previous = event
                if problem.status == "resolved":
                    assert problem.level == workflow.required_level(problem.scope)
                if problem.status == "closed":
                    last = next(e for e in reversed(events) if e.to_status == "closed" and e.from_status != "closed")
                    assert (last.action == "feedback" and last.data["rating"] in POSITIVE) or (
                        last.action == "close" and problem.closed_without_feedback)
                for event in events:
                    if event.action == "resolve":
                        assert event.to_level == event.from_level

    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=50, stateful_step_count=30, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    # The walk must really move problems through the workflow, not only collect refusals.
    assert {"accept", "escalate", "resolve", "feedback"} <= applied, applied
