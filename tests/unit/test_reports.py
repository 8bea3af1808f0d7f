"""The Markdown pictures, on a hand-made snapshot whose every cell is worked out below."""

import duckdb

from dagster_project.serving.reports import bar, cohort_heatmap, segment_map, shade


def test_bar_and_shade():
    assert bar(1, 4) == "█" * 5 + "░" * 15  # 25 % of 20 cells
    assert bar(5, 4) == "█" * 20  # capped at the whole
    assert bar(1, 0) == "░" * 20  # no potential: nothing filled
    assert [shade(r) for r in (0.0, 0.19, 0.2, 0.59, 0.6, 0.8, 1.0)] == [" ", " ", "░", "▒", "▓", "█", "█"]


def test_segment_map_orders_by_untapped_potential():
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute("""create table marts.segment_summary as select * from (values
            ('AA11A', 'Small gap', 10, 90.0, 100.0),
            ('BB22D', 'Big gap', 40, 100.0, 400.0),
            ('CC33P', 'No potential', 5, 0.0, 0.0)) as t(segment_code, segment_name, records,
            actual_revenue_year, potential_revenue_year)""")
        text = segment_map(con)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "segment |" not in line]
    # gaps: BB22D 300, AA11A 10, CC33P 0
    assert rows == [
        "| BB22D | Big gap | 40 | 100 | 400 | `" + "█" * 5 + "░" * 15 + "` 25% |",
        "| AA11A | Small gap | 10 | 90 | 100 | `" + "█" * 18 + "░" * 2 + "` 90% |",
        "| CC33P | No potential | 5 | 0 | 0 | |",
    ]


def test_cohort_heatmap_cells():
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute("""create table marts.cohort_retention as select * from (values
            (date '2024-01-01', 0, 1.0, 4), (date '2024-01-01', 1, 0.5, 4), (date '2024-01-01', 2, 0.25, 4),
            (date '2024-02-01', 0, 1.0, 10), (date '2024-02-01', 1, 0.9, 10)
            ) as t(cohort_month, months_since_first_order, retention_rate, cohort_customers)""")
        text = cohort_heatmap(con)
    rows = [line for line in text.splitlines() if line.startswith("| 2024")]
    # month 0 is not shown (always 100 %); 50 % is ▒ (40-59 %), 25 % ░ (20-39 %), 90 % █;
    # months without a row stay empty: 12 month columns in all
    assert rows == [
        "| 2024-01 | 4 | 50% ▒ | 25% ░ |" + "  |" * 10,
        "| 2024-02 | 10 | 90% █ |" + "  |" * 11,
    ]
