"""Tests for bot.services.metrics parsing: value formats, both header generations, files, errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from bot.services.metrics.parsing import MetricsFileError, load_column_mapping, normalize_header, parse_rows
from bot.services.metrics.values import parse_count, parse_datetime, parse_duration_seconds, parse_money_cents, parse_rate, validate_metrics
from bot.services.metrics.files import parse_export

# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("$1,205.33", 120533),
        ("1205.33", 120533),
        (1205.33, 120533),  # openpyxl float cell
        (Decimal("1205.33"), 120533),
        (1205, 120500),
        ("$0.1", 10),
        ("$0.2", 20),
        (0.1 + 0.2, 30),  # Excel keeps 15 digits: 0.30000000000000004 is 0.3
        (0.07, 7),
        (19.99, 1999),
        ("$1.2K", 120000),
        ("USD 12.50", 1250),
        ("12.50 USD", 1250),
        ("US$3", 300),
        ("-$5.00", -500),
        ("$0", 0),
        (" $1,234,567.89 ", 123456789),
        (None, None),
        ("", None),
        ("-", None),
        ("--", None),
        ("N/A", None),
    ],
)
def test_parse_money_cents(raw: object, cents: int | None) -> None:
    assert parse_money_cents(raw) == cents


def test_money_sum_is_exact() -> None:
    assert parse_money_cents("$0.1") + parse_money_cents("$0.2") == parse_money_cents("$0.3") == 30


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("$1.005", "fraction of a cent"),
        ("abc", "not an amount of money"),
        ("1,2", "not an amount of money"),
        ("12,34.5", "not an amount of money"),
        ("4.11%", "not an amount of money"),
        ("$$5", "not an amount of money"),
        (True, "TRUE/FALSE"),
        (float("nan"), "not a number"),
    ],
)
def test_parse_money_cents_errors(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_money_cents(raw)


@pytest.mark.parametrize(
    ("raw", "count"),
    [
        (1234, 1234),
        (1234.0, 1234),
        ("1,234", 1234),
        ("1234", 1234),
        ("1.74K", 1740),
        ("1.74k", 1740),
        ("2.1M", 2100000),
        ("1B", 1000000000),
        ("0", 0),
        (None, None),
        ("", None),
        ("  ", None),
        ("-", None),
        ("n/a", None),
    ],
)
def test_parse_count(raw: object, count: int | None) -> None:
    assert parse_count(raw) == count


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.7405K", "not a whole number"),
        (12.5, "not a whole number"),
        ("12.5", "not a whole number"),
        ("many", "not a number"),
        ("$12", "not a number"),
        ("5%", "not a number"),
        ("1,23", "not a number"),
        ("1.2X", "not a number"),
    ],
)
def test_parse_count_errors(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_count(raw)


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("4.11%", Decimal("0.0411")),
        ("0.0411", Decimal("0.0411")),
        (0.0411, Decimal("0.0411")),
        ("100%", Decimal("1")),
        ("0%", Decimal("0")),
        ("12.5 %", Decimal("0.125")),
        (1, Decimal("1")),
        ("", None),
        ("--", None),
    ],
)
def test_parse_rate(raw: object, rate: Decimal | None) -> None:
    assert parse_rate(raw) == rate


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("4.11", "more than 1 without a % sign"),
        (4.11, "more than 1 without a % sign"),
        ("high%", "not a percentage"),
        ("high", "not a percentage or a fraction"),
    ],
)
def test_parse_rate_errors(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_rate(raw)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        (3600, Decimal(3600)),
        ("3600", Decimal(3600)),
        ("18.28s", Decimal("18.28")),
        ("1m28s", Decimal(88)),
        ("1h2m3s", Decimal(3723)),
        ("1h 2m 3s", Decimal(3723)),
        ("2h", Decimal(7200)),
        ("45 min", Decimal(2700)),
        ("01:28", Decimal(88)),
        ("1:02:03", Decimal(3723)),
        ("00:00:18.5", Decimal("18.5")),
        (time(1, 2, 3), Decimal(3723)),
        (timedelta(hours=25, seconds=1), Decimal(90001)),
        (18.28, Decimal("18.28")),
        ("", None),
        ("-", None),
    ],
)
def test_parse_duration_seconds(raw: object, seconds: Decimal | None) -> None:
    assert parse_duration_seconds(raw) == seconds


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("soon", "not a duration"),
        ("1:75", "60 or more"),
        ("1:2:3:4", "not a duration"),
        ("1m28", "not a duration"),
        (datetime(2026, 11, 20), "is a date"),
    ],
)
def test_parse_duration_errors(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration_seconds(raw)


NOV20_7PM = datetime(2026, 11, 20, 19, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-20 19:00", NOV20_7PM),
        ("2026-11-20 19:00:00", NOV20_7PM),
        ("2026/11/20 19:00:00", NOV20_7PM),
        ("2026/11/20 19:00", NOV20_7PM),
        ("2026-11-20T19:00:00", NOV20_7PM),
        ("11/20/2026 7:00 PM", NOV20_7PM),
        ("11/20/2026 7:00PM", NOV20_7PM),
        ("11/20/2026 7:00 pm", NOV20_7PM),
        ("11/20/2026 07:00:00 PM", NOV20_7PM),
        ("11/20/2026 19:00", NOV20_7PM),
        ("Nov 20, 2026 7:00 PM", NOV20_7PM),
        (NOV20_7PM, NOV20_7PM),  # Excel datetime cell
        (46346.791666666664, NOV20_7PM),  # Excel serial number without date format
        ("", None),
        ("--", None),
    ],
)
def test_parse_datetime(raw: object, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2026-11-20", "no time of day"),
        ("11/20/2026", "no time of day"),
        ("tonight", "not a date and time"),
        ("2026-13-01 19:00", "not a date and time"),
        (time(19, 0), "no date"),
        (42, "not a date and time"),
    ],
)
def test_parse_datetime_errors(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_datetime(raw)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"orders": 3, "units_sold": 5, "buyers": 3, "views": 10, "unique_viewers": 8}, []),
        ({"orders": 6, "units_sold": 5}, ["orders"]),
        ({"unique_viewers": 11, "views": 10}, ["unique_viewers"]),
        ({"product_clicks": 101, "product_impressions": 100}, ["product_clicks"]),
        ({"buyers": 4, "orders": 3}, ["buyers"]),
        ({"likes": -1}, ["likes"]),
        ({"gmv_cents": -500}, ["gmv_cents"]),
        ({"avg_view_duration_seconds": Decimal("-1")}, ["avg_view_duration_seconds"]),
        ({"orders": None, "units_sold": 5, "buyers": 9}, []),  # unknown is never checked
        (
            {"start_time": datetime(2026, 11, 20, 19), "end_time": datetime(2026, 11, 20, 18)},
            ["end_time"],
        ),
    ],
)
def test_validate_metrics(values: dict[str, object], expected: list[str]) -> None:
    errors = validate_metrics(values)
    assert [name for name, _ in errors] == expected
    assert all(reason for _, reason in errors)


# --------------------------------------------------------------------------- mapping


def test_mapping_headers_are_normalized() -> None:
    mapping = load_column_mapping()
    assert normalize_header("Avg. view duration") == normalize_header("AVG VIEW-DURATION")
    assert mapping.headers[normalize_header("Gross revenue")] == "gmv_cents"
    assert mapping.headers[normalize_header("Attributed GMV")] == "gmv_cents"
    assert mapping.headers[normalize_header("Direct GMV")] == "direct_gmv_cents"
    assert mapping.headers[normalize_header("PCU")] == "peak_viewers"
    assert normalize_header("LIVE impressions") in mapping.ignored
    assert normalize_header("LIVE impressions") not in mapping.headers


def test_mapping_rejects_a_spelling_listed_twice(tmp_path: Path) -> None:
    bad = tmp_path / "cols.toml"
    bad.write_text(
        '[fields.start_time]\nkind = "datetime"\nheaders = ["Start time"]\n'
        '[fields.views]\nkind = "count"\nheaders = ["Views", "start-time"]\n'
    )
    with pytest.raises(ValueError, match="listed in both"):
        load_column_mapping(bad)


# --------------------------------------------------------------------------- files

OLD_HEADER = [
    "Livestream", "Start time", "Duration", "Gross revenue", "Direct GMV", "Avg. price", "Items sold",
    "Customers", "Orders paid for", "Views", "Viewers", "Peak viewers", "New followers",
    "Avg. view duration", "Likes", "Comments", "Shares", "Product impressions", "Product clicks",
    "CTR", "CTOR (SKU orders)",
]  # fmt: skip

NEW_HEADER = [
    "LIVE title", "LIVE start time", "LIVE end time", "Attributed GMV", "Attributed items sold",
    "Attributed orders", "Attributed SKU orders", "AOV", "Views", "LIVE impressions", "GMV Per Hour",
    "Watch GPM", "Avg. viewing duration per viewer", "Product impressions", "Product clicks",
    "LIVE CTR", "Tap-through rate", "New followers", "Likes", "Comments", "Shares", "Creator handle",
]  # fmt: skip


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_old_generation_xlsx_with_title_and_explanation_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Creator LIVE performance 2026-11-16 ~ 2026-11-22"],
        ["Data updated 2026-11-23 06:00 (PT)"],
        OLD_HEADER,
        ["Name of the LIVE", "When the LIVE started", "Length of the LIVE in seconds", "Total revenue of the LIVE"]
        + ["Explanation"] * (len(OLD_HEADER) - 4),
        [
            "Holiday glow bundles", datetime(2026, 11, 20, 19, 0), 7200, 1205.33, 980.1, 24.11, 50,
            30, 42, 9876, 4321, 310, 57, "1m28s", "12.3K", 845, 61, 20000, 820, 0.041, "5.12%",
        ],
        [
            "Night skincare", "2026-11-21 19:00", "2h", "$3,010.00", "$2,500.00", "$30.10", "100",
            "70", "80", "1.74K", "1,200", "95", "10", "00:45", "900", "30", "4", "15,000", "600", "4.00%", "--",
        ],
        ["Total", None, 14400, 4215.33, None, None, 150, 100, 122, 11616, 5521, None, 67, None, None, None, None,
         35000, 1420, None, None],
    ]  # fmt: skip
    path = _write_xlsx(tmp_path / "Creator-Live-Performance_20261116-20261122.xlsx", rows)

    result = parse_export(path)

    assert result.ok, result.errors
    assert result.header_row == 3
    assert result.columns["Gross revenue"] == "gmv_cents"
    assert result.columns["Viewers"] == "unique_viewers"
    assert result.ignored_columns == ["Avg. price"]
    assert result.unknown_columns == []
    assert result.skipped_rows == [(4, "explanation row under the header"), (7, "total row")]
    assert [r.row_number for r in result.rows] == [5, 6]
    first, second = (r.values for r in result.rows)
    assert first == {
        "title": "Holiday glow bundles",
        "start_time": datetime(2026, 11, 20, 19, 0),
        "end_time": None,
        "duration_seconds": Decimal(7200),
        "gmv_cents": 120533,
        "direct_gmv_cents": 98010,
        "orders": 42,
        "units_sold": 50,
        "buyers": 30,
        "unique_viewers": 4321,
        "views": 9876,
        "avg_view_duration_seconds": Decimal(88),
        "peak_viewers": 310,
        "product_impressions": 20000,
        "product_clicks": 820,
        "new_followers": 57,
        "likes": 12300,
        "comments": 845,
        "shares": 61,
        "exported_ctr": Decimal("0.041"),
        "exported_ctor": Decimal("0.0512"),
        "exported_conversion": None,
    }
    assert second["gmv_cents"] == 301000
    assert second["views"] == 1740
    assert second["duration_seconds"] == Decimal(7200)
    assert second["avg_view_duration_seconds"] == Decimal(45)
    assert second["exported_ctor"] is None
    assert isinstance(first["gmv_cents"], int)


def test_new_generation_xlsx_unknown_and_missing_columns(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        NEW_HEADER,
        [
            "Black Friday early access", "11/20/2026 7:00 PM", "11/20/2026 9:30 PM", "$12,345.67", "1.2K",
            "950", "1,300", "$12.99", "25.3K", "1.1M", "$4,938.27", "$487.97", "1m5s", "88,000", "3,100",
            "2.30%", "2.10%", "410", "33K", "1,020", "77", "@glowstudio",
        ],
    ]  # fmt: skip
    path = _write_xlsx(tmp_path / "live_2026.xlsx", rows)

    result = parse_export(path)

    assert result.ok, result.errors
    assert result.header_row == 1
    assert result.unknown_columns == ["Creator handle"]
    assert set(result.ignored_columns) == {
        "Attributed SKU orders", "AOV", "LIVE impressions", "GMV Per Hour", "Watch GPM", "LIVE CTR",
        "Tap-through rate",
    }  # fmt: skip
    (row,) = result.rows
    values = row.values
    assert values["gmv_cents"] == 1234567
    assert values["units_sold"] == 1200
    assert values["orders"] == 950
    assert values["views"] == 25300  # not LIVE impressions
    assert values["end_time"] == datetime(2026, 11, 20, 21, 30)
    assert values["avg_view_duration_seconds"] == Decimal(65)
    # newer files dropped these: unknown, not zero
    assert values["unique_viewers"] is None
    assert values["peak_viewers"] is None
    assert values["buyers"] is None
    assert values["duration_seconds"] is None
    assert values["exported_ctr"] is None


def test_csv_other_tool_headers(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffLIVE title,LIVE start time,Orders Paid,Unit Sales,Buyers,CO rate,PCU,GMV\n"
        '"Cozy knits, part 2",2026-11-18 12:00,12,"1,015",11,3.5%,1.2K,"$1,205.33"\n'
        ",,,,,,,\n"
        "Summary,,12,1015,11,,,\n",
        encoding="utf-8",
    )
    result = parse_export(path)
    assert result.ok, result.errors
    (row,) = result.rows
    assert row.row_number == 2
    assert row.values["title"] == "Cozy knits, part 2"
    assert row.values["orders"] == 12
    assert row.values["units_sold"] == 1015
    assert row.values["buyers"] == 11
    assert row.values["exported_ctor"] == Decimal("0.035")
    assert row.values["peak_viewers"] == 1200
    assert row.values["gmv_cents"] == 120533
    assert result.skipped_rows == [(4, "total row")]


def test_semicolon_csv_and_filename_override(tmp_path: Path) -> None:
    path = tmp_path / "upload.tmp"
    path.write_text("Start time;Views;Likes\n2026-11-18 12:00;100;5\n", encoding="utf-8")
    result = parse_export(path, filename="Creator-Live-Performance.csv")
    assert result.ok
    assert result.rows[0].values["views"] == 100


def test_bad_rows_are_reported_with_row_column_value_reason(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Livestream", "Start time", "Gross revenue", "Orders paid for", "Items sold", "Views", "Viewers", "CTR"],
        ["ok", "2026-11-20 19:00", "$10.00", 1, 1, 10, 5, "1%"],
        ["bad money", "2026-11-20 21:00", "ten dollars", 1, 1, 10, 5, "1%"],
        ["bad count", "2026-11-21 19:00", "$1", "1.7405K", 2, 10, 5, "1%"],
        ["no start", None, "$1", 1, 1, 10, 5, "1%"],
        ["too many orders", "2026-11-22 19:00", "$1", 5, 2, 10, 12, "4.11"],
    ]
    path = _write_xlsx(tmp_path / "Creator-Live-Performance_20261116-20261122.xlsx", rows)

    result = parse_export(path)

    assert not result.ok
    got = {(e.row_number, e.column, e.value) for e in result.errors}
    assert got == {
        (3, "Gross revenue", "ten dollars"),
        (4, "Orders paid for", "1.7405K"),
        (5, "Start time", ""),
        (6, "Orders paid for", "5"),
        (6, "Viewers", "12"),
        (6, "CTR", "4.11"),
    }
    reasons = {(e.row_number, e.column): e.reason for e in result.errors}
    assert "not an amount of money" in reasons[(3, "Gross revenue")]
    assert "not a whole number" in reasons[(4, "Orders paid for")]
    assert "missing" in reasons[(5, "Start time")]
    assert "more than units sold" in reasons[(6, "Orders paid for")]
    assert "more than views" in reasons[(6, "Viewers")]
    # a bad value never turns into zero
    assert result.rows[1].values["gmv_cents"] is None


def test_bad_first_data_row_is_not_mistaken_for_explanation() -> None:
    rows = [
        ["Start time", "Views", "Likes", "Orders"],
        ["2026-11-20 19:00", "lots", 5, 1],
    ]
    result = parse_rows(rows)
    assert [(e.row_number, e.column) for e in result.errors] == [(2, "Views")]


def test_header_spelling_is_forgiving() -> None:
    result = parse_rows([["  LIVE START-TIME ", "views", "LIKES"], ["2026-11-20 19:00", "1", "2"]])
    assert result.columns == {"LIVE START-TIME": "start_time", "views": "views", "LIKES": "likes"}
    assert result.rows[0].values["likes"] == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Report"], ["a", "b", "c"], [1, 2, 3]], "No header row"),
        ([["Livestream", "Views", "Likes"], ["x", 1, 2]], "No start time column"),
        ([["Start time", "GMV", "Gross revenue", "Views"]], "both mean gmv_cents"),
    ],
)
def test_file_errors(rows: list[list[object]], message: str) -> None:
    with pytest.raises(MetricsFileError, match=message):
        parse_rows(rows)


def test_header_beyond_row_15_is_not_found() -> None:
    rows: list[list[object]] = [[None]] * 15 + [["Start time", "Views", "Likes"]]
    with pytest.raises(MetricsFileError, match="No header row"):
        parse_rows(rows)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"not a zip file", "Could not open"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old .xls"),
        ("notes.pdf", b"%PDF", "not an .xlsx or .csv"),
        ("empty.csv", b"", "No header row"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MetricsFileError, match=message):
        parse_export(path)


def test_metrics_file_error_is_a_value_error() -> None:
    assert issubclass(MetricsFileError, ValueError)
