"""Random task actions by random demo users, with the task cycle's invariants checked after every step."""

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from services.db import db, utcnow
from services.errors import ServiceError
from services.models import ProblemEvent, Task
from services.models.tasks import TASK_STATUSES
from services.tasks import workflow
from services.tasks.commands import take_action
from services.tasks.queries import roles_for
from tests.services.tasks.helpers import actor, dispatched_problem

PLAYERS = ["dept_lxx_gxj", "dept_lx_jrb", "lxx_coord", "kl_coord", "lx_coord", "liaison_ma"]
ENDINGS = ("refuse", "recall")
PAYLOADS = {"sign": {}, "refuse": {"reason": "不属于本单位职责"}, "progress": {"note": "已现场调研"},
            "report": {"result": "已协调专项资金 50 万元"}, "recall": {"reason": "改派其他单位"}}


def test_random_task_walks_keep_one_event_per_step_and_final_stays_final(app):
    applied: set[str] = set()

    class Desk(RuleBasedStateMachine):
        @initialize()
        def dispatch(self):
            self.now = utcnow()
            self.problem_id, ids = dispatched_problem(app, assists=(), now=self.now)
            self.task_id = ids[0]
            with app.app_context():
                self.actors = {name: actor(name) for name in PLAYERS}
                db.session.remove()
            self.seen_final = None

        def _counts(self):
            task = db.session.get(Task, self.task_id)
            events = db.session.scalar(select(func.count()).select_from(ProblemEvent).where(
                ProblemEvent.problem_id == self.problem_id, ProblemEvent.action.like("task_%")))
            return task.version, task.status, events

        def _take(self, who, action, payload):
            with app.app_context():
                before = self._counts()
                try:
                    take_action(actor=self.actors[who], task_id=self.task_id, action=action, payload=payload, now=self.now)
                except ServiceError as error:
                    db.session.rollback()
                    assert error.status in (403, 404, 409, 422)
                    assert self._counts() == before, "a refused action changed something"
                else:
                    applied.add(action)
                    version, status, events = self._counts()
                    assert events == before[2] + 1 and version == before[0] + 1
                    assert status == workflow.next_status(action, before[1])
                db.session.remove()

        @rule(who=st.sampled_from(PLAYERS), action=st.sampled_from(workflow.ACTIONS),
              blank=st.booleans())
        def take_any(self, who, action, blank):
            self._take(who, action, {} if blank and action != "sign" else PAYLOADS[action])

        @rule(data=st.data())
        def take_an_offered_action(self, data):
            with app.app_context():
                task = db.session.get(Task, self.task_id)
                moves = [(who, a) for who in PLAYERS
                         for a in workflow.allowed_actions(roles_for(self.actors[who], task, task.problem), task,
                                                           task.problem.status)]
                db.session.remove()
            ongoing = [m for m in moves if m[1] not in ENDINGS]
            pool = ongoing if ongoing and data.draw(st.integers(0, 2)) > 0 else moves
            if pool:
                who, action = data.draw(st.sampled_from(pool))
                self._take(who, action, PAYLOADS[action])

        @rule()
        def time_passes(self):
            self.now += timedelta(days=3)

        @invariant()
        def consistent(self):
            with app.app_context():
                task = db.session.get(Task, self.task_id)
                assert task.status in TASK_STATUSES
                if self.seen_final is not None:
                    assert task.status == self.seen_final, "a final task moved"
                if task.status in workflow.FINAL:
                    self.seen_final = task.status
                    assert task.ended_at is not None
                if task.status == "reported":
                    assert task.result and task.signed_at is not None
                if task.status == "refused":
                    assert task.refusal_reason and task.signed_at is None
                db.session.remove()

    run_state_machine_as_test(Desk, settings=settings(
        max_examples=40, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    assert {"sign", "refuse", "progress", "report", "recall"} <= applied, applied
