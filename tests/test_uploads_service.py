"""The pieces of a DMed import that need no Slack: file checks, telling a calendar from an export, trusted URLs."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from bot.services import uploads
from bot.services.errors import Invalid
from bot.services.schedule.xlsx import HEADER, ROS_HEADER, ROS_SHEET
from bot.slack_files import allowed_url


def test_check_file_names_the_local_copy_and_refuses_the_rest():
    assert uploads.check_file("../../etc/week 48.xlsx", "xlsx", 100) == "week 48.xlsx"
    assert uploads.check_file("Creator-Live-Performance_1.csv", "csv", 100) == "Creator-Live-Performance_1.csv"
    with pytest.raises(Invalid, match="isn't a spreadsheet"):
        uploads.check_file("plan.xls", "xls", 100)
    with pytest.raises(Invalid, match="up to 5 MB"):
        uploads.check_file("plan.xlsx", "xlsx", uploads.MAX_BYTES + 1)


def test_detect_by_content_not_name(tmp_path):
    cal = tmp_path / "Creator-Live-Performance_x.xlsx"  # a calendar, whatever its name says
    wb = Workbook()
    wb.active.title = ROS_SHEET
    wb.active.append(ROS_HEADER)
    wb.create_sheet("Week").append(HEADER)
    wb.save(cal)
    assert uploads.detect(cal) == "schedule"
    export = tmp_path / "schedule.xlsx"
    wb = Workbook()
    wb.active.append(["LIVE performance"])
    wb.active.append(["Livestream", "Start time", "Gross revenue", "Views"])
    wb.save(export)
    assert uploads.detect(export) == "metrics"


@pytest.mark.parametrize("url, ok", [
    ("https://files.slack.com/files-pri/T1-F1/download/plan.xlsx", True),
    ("http://files.slack.com/files-pri/T1-F1/download/plan.xlsx", False),
    ("https://files.slack.com.evil.example/x", False),
    ("https://evil.example/x", False),
    ("http://127.0.0.1:8080/download/F1", True),  # the configured SLACK_API_URL's origin (the stand-in)
    ("http://127.0.0.1:8081/download/F1", False),
    ("file:///etc/passwd", False),
])
def test_only_slack_or_the_configured_api_origin_gets_the_token(url, ok):
    assert allowed_url(url, "http://127.0.0.1:8080/api/") is ok
