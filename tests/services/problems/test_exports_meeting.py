"""Exports people bring to a meeting: typed workbooks, CSV that Excel keeps as text, the visit log and
the assessment as files, names with an ASCII fallback, streamed through a real server."""

import csv
import io
from datetime import datetime

import pytest
import requests
from openpyxl import load_workbook

from tests.services.problems.helpers import do, file

REOPENED = "LX-2026-000013"  # demo: 康乐县康美, reopened twice, back in progress


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _book(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_the_ledger_workbook_has_real_times_a_frozen_filtered_header_and_a_stint_sheet(login_as):
    book = _book(login_as("kl_coord").get("problems/export.xlsx"))
    assert book.sheetnames == ["问题台账", "办理段"]
    sheet = book["问题台账"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}" \
                                                                  f"{sheet.max_row}"
    for column in ("是否超期", "超期专班", "督办期限", "延期申请次数", "延期获批次数", "未评价直接销号", "用时（工作日）",
                   "办理段", "转交机关"):
        assert column in header
    filed = sheet.cell(2, header.index("登记时间") + 1)
    assert filed.is_date and isinstance(filed.value, datetime) and filed.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(sheet.cell(2, header.index("用时（工作日）") + 1).value, int)
    stints = book["办理段"]
    assert [c.value for c in stints[1]][:4] == ["台账编号", "专班", "层级", "到达时间"]
    assert stints.max_row >= sheet.max_row and stints.cell(2, 4).is_date


def test_a_reopened_problem_shows_its_current_state_not_the_old_resolution_time(login_as):
    (row,) = _csv(login_as("kl_coord").get("problems/export.csv", query_string={"q": REOPENED}))
    assert row["状态"] == "办理中" and row["办结时间"] == "" and row["退回重办次数"] == "2"
    assert row["是否超期"] == "是" and row["超期专班"] == "康乐县"


def test_the_csv_keeps_credit_codes_and_phones_as_text_for_excel(login_as):
    rows = _csv(login_as("lx_coord").get("problems/export.csv"))
    assert rows and all(r["统一社会信用代码"].startswith('="') and r["统一社会信用代码"].endswith('"')
                        and len(r["统一社会信用代码"]) == 21 for r in rows)
    assert all(r["联系电话"].startswith('="') for r in rows if r["联系电话"])


def test_the_ledger_export_names_each_stint_and_the_closure_without_feedback(login_as, demo):
    county, prefecture = login_as("lxx_coord"), login_as("lx_coord")
    problem = file(login_as("liaison_ma"), demo, scope="cross_county")
    do(county, problem["id"], "escalate", {"reason": "跨县"})
    do(prefecture, problem["id"], "accept")
    do(prefecture, problem["id"], "request_extension", {"due_at": "2027-06-30T18:00:00+08:00", "reason": "需协调"})
    do(login_as("gs_coord"), problem["id"], "decide_extension", {"approve": True})
    (row,) = _csv(prefecture.get("problems/export.csv", query_string={"q": problem["number"]}))
    assert "临夏县（县专班）到达" in row["办理段"] and "上报" in row["办理段"]
    assert "临夏回族自治州（州专班）" in row["办理段"] and "受理" in row["办理段"]
    assert (row["延期申请次数"], row["延期获批次数"], row["未评价直接销号"]) == ("1", "1", "否")
    assert row["办理期限"] == "2027-06-30 18:00"


def test_file_names_carry_an_ascii_fallback_beside_the_utf8_name(login_as):
    for path in ("problems/export.csv", "visits/export.xlsx", "assessments/export.csv"):
        disposition = login_as("lx_coord").get(path).headers["Content-Disposition"]
        fallback, utf8 = disposition.split("; ")[1:]
        assert fallback.startswith('filename="') and fallback.isascii() and fallback.endswith('"')
        assert utf8.startswith("filename*=UTF-8''%E")


def test_the_visit_log_export_holds_exactly_the_visit_list(login_as):
    session = login_as("liaison_ma")
    listed = session.get("visits?limit=100").get_json()["items"]
    rows = _csv(session.get("visits/export.csv"))
    assert len(rows) == len(listed) > 0
    assert rows[0]["统一社会信用代码"].startswith('="') and rows[0]["走访人"]
    book = _book(session.get("visits/export.xlsx"))
    sheet = book["走访台账"]
    assert sheet.max_row == len(listed) + 1 and sheet.cell(2, 1).is_date and sheet.freeze_panes == "A2"


def test_the_visit_log_export_applies_the_list_filters(login_as, demo):
    session = login_as("lx_coord")
    enterprise = demo.enterprise_id("清河源")
    listed = session.get(f"visits?enterprise={enterprise}&limit=100").get_json()["items"]
    rows = _csv(session.get(f"visits/export.csv?enterprise={enterprise}"))
    assert len(rows) == len(listed) and {r["企业名称"] for r in rows} == {"临夏县清河源清真食品有限公司"}


@pytest.mark.parametrize("username", ["ent_qhy", "ent_bs"])
def test_enterprise_users_may_not_export_the_visit_log(login_as, username):
    assert login_as(username).get("visits/export.csv").status_code == 403


def test_the_assessment_csv_has_counties_then_industries_with_percentages(login_as):
    rows = _csv(login_as("lx_coord").get("assessments/export.csv?quarter=2026Q4"))
    groups = [r["分组"] for r in rows]
    assert groups.count("县区") == 9 and "行业" in groups and groups.index("行业") == 9
    rates = [r["销号率"] for r in rows if r["销号率"]]
    assert rates and all(r.endswith("%") for r in rates)
    assert all(r["区划代码"].startswith('="') for r in rows if r["分组"] == "县区")


def test_the_assessment_workbook_formats_rates_as_percentages(login_as):
    sheet = _book(login_as("lx_coord").get("assessments/export.xlsx?quarter=2026Q4"))["县区考核"]
    header = [c.value for c in sheet[1]]
    cells = [sheet.cell(r, header.index("销号率") + 1) for r in range(2, sheet.max_row + 1)]
    assert any(c.value is not None for c in cells)
    assert all(c.number_format == "0.00%" for c in cells if c.value is not None)


@pytest.fixture
def live(live_server):
    return live_server.url.rstrip("/")


def test_exports_stream_through_a_real_server_with_compression(live):
    token = requests.post(f"{live}/auth/login", json={"username": "lx_coord", "password": "Demo@2026"},
                          timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    with requests.get(f"{live}/problems/export.csv", headers=headers, stream=True, timeout=10) as response:
        assert response.status_code == 200
        text = b"".join(response.iter_content(4096)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["台账编号", "企业名称", "统一社会信用代码"] and len(rows) > 5
    listed = requests.get(f"{live}/problems?limit=100", headers=headers, timeout=10).json()["items"]
    assert sorted(r[0] for r in rows[1:]) == sorted(p["number"] for p in listed)
    response = requests.get(f"{live}/visits/export.xlsx", headers=headers, timeout=10)
    assert response.status_code == 200 and "filename=\"visits-" in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content))["走访台账"].max_row > 1
    denied = requests.get(f"{live}/visits/export.csv", timeout=10)
    assert denied.status_code == 401


@pytest.mark.parametrize(("path", "action"), [("problems/export.csv", "problem.exported"),
                                               ("visits/export.xlsx", "visit.exported"),
                                               ("assessments/export.csv", "assessment.exported")])
def test_every_export_is_audited(login_as, db_session, path, action):
    from sqlalchemy import func, select

    from services.models import AuditLog

    def count():
        n = db_session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))
        db_session.rollback()
        return n

    before = count()
    assert login_as("lx_coord").get(path).status_code == 200
    assert count() == before + 1
