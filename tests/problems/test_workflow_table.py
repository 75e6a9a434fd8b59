"""The transition table, without HTTP or a database."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.problems import workflow
from services.problems.effects import EFFECTS
from services.problems.workflow import TABLE, Roles, allowed_actions, blocked_reason, role_may

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
HOLDER = Roles(holder=True, reader=True)
PARTY = Roles(party=True, reader=True)


def problem(**kw):
    base = dict(status="pending", level="county", scope="county", resolved_at=None, extension_due_at=None,
                supervised=False)
    return SimpleNamespace(**{**base, **kw})


def test_every_action_in_the_table_has_an_effect_and_back():
    assert set(TABLE) == set(EFFECTS)


def test_a_county_task_force_accepts_a_county_problem():
    assert blocked_reason("accept", problem(), HOLDER, NOW) is None


@pytest.mark.parametrize("scope", ["cross_county", "provincial"])
def test_a_county_task_force_cannot_accept_a_problem_above_its_level(scope):
    assert blocked_reason("accept", problem(scope=scope), HOLDER, NOW)


def test_a_county_problem_cannot_be_escalated():
    assert blocked_reason("escalate", problem(), HOLDER, NOW)


def test_a_provincial_problem_at_the_prefecture_escalates():
    assert blocked_reason("escalate", problem(level="prefecture", scope="provincial"), HOLDER, NOW) is None


def test_the_province_never_escalates():
    assert blocked_reason("escalate", problem(level="province", scope="provincial"), HOLDER, NOW)


def test_a_county_task_force_cannot_return_anything():
    assert blocked_reason("return", problem(), HOLDER, NOW)


def test_nothing_is_resolved_below_its_required_level():
    assert blocked_reason("resolve", problem(status="in_progress", scope="cross_county"), HOLDER, NOW)
    assert blocked_reason("resolve", problem(status="in_progress", scope="cross_county", level="prefecture"),
                          HOLDER, NOW) is None


def test_closing_without_feedback_waits_fifteen_days():
    fresh = problem(status="resolved", resolved_at=NOW - timedelta(days=14))
    old = problem(status="resolved", resolved_at=NOW - timedelta(days=15))
    assert blocked_reason("close", fresh, HOLDER, NOW)
    assert blocked_reason("close", old, HOLDER, NOW) is None


def test_only_the_enterprise_side_gives_feedback():
    assert role_may("feedback", PARTY) and not role_may("feedback", HOLDER)


def test_viewers_take_no_action_at_all():
    assert allowed_actions(Roles(), problem(), NOW) == []


def test_the_holder_of_a_fresh_county_problem_may_do_these():
    assert allowed_actions(HOLDER, problem(), NOW) == ["accept", "reject", "reclassify", "assign", "request_info",
                                                       "comment"]


def test_final_states_allow_only_comments():
    for status in ("closed", "rejected", "withdrawn"):
        assert allowed_actions(HOLDER, problem(status=status), NOW) == ["comment"]


def test_levels_are_ordered_county_prefecture_province():
    assert [workflow.rank(level) for level in workflow.LEVELS] == [0, 1, 2]


def test_every_rule_names_its_action_in_chinese_for_the_api_document():
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in rule.summary) for rule in TABLE.values())


def test_a_rule_with_one_target_lands_there_from_any_status_it_starts_from():
    for action, rule in TABLE.items():
        if isinstance(rule.to, str):
            assert all(rule.lands_on(before) == {rule.to} for before in rule.statuses), action


def test_a_rule_that_keeps_the_status_lands_where_it_started():
    assert TABLE["comment"].lands_on("closed") == {"closed"}
    assert TABLE["assign"].lands_on("awaiting_info") == {"awaiting_info"}


def test_every_target_status_is_a_status_of_the_ledger():
    targets = {t for rule in TABLE.values() if rule.to for t in (rule.to if isinstance(rule.to, tuple) else (rule.to,))}
    assert targets <= set(workflow.STATUSES)
