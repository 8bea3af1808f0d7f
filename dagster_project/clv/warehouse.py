"""Reading the purchase summary from the warehouse and writing the CLV tables back.

Both tables are written in one transaction: a failure anywhere leaves the previous
customer_clv and clv_model_fit exactly as they were (DuckDB's DDL is transactional).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

SCHEMA = "marts"
SUMMARY_TABLE = f"{SCHEMA}.customer_purchase_stats"
CLV_TABLE = f"{SCHEMA}.customer_clv"
FIT_TABLE = f"{SCHEMA}.clv_model_fit"

# BG/NBD's x, t_x and T and Gamma-Gamma's z̄ from the dbt mart (definitions in its YAML):
# x counts order days after the first; the mean repeat spend is the net revenue of those days per day.
# The mart has no row for the missing member (it is not a customer), so nothing is filtered here.
SUMMARY_SQL = f"""
select
    customer_key,
    order_days - 1 as x,
    date_diff('day', first_order_date, last_order_date) as t_x_days,
    date_diff('day', first_order_date, as_of_date) as t_cal_days,
    case when order_days > 1 then repeat_net_revenue / (order_days - 1) end as mean_repeat_spend,
    as_of_date
from {SUMMARY_TABLE}
"""

CLV_COLUMNS = """
    customer_key varchar not null primary key,
    as_of_date date not null,
    x integer not null,
    t_x double,
    t_cal double,
    mean_repeat_spend double,
    p_alive double,
    expected_purchases_90d double,
    expected_purchases_365d double,
    expected_avg_order_value double,
    clv_12m double,
    run_id varchar not null
"""

FIT_COLUMNS = """
    run_id varchar not null primary key,
    fitted_at timestamp not null,
    as_of_date date,
    time_unit_days integer not null,
    discount_rate_annual double not null,
    penalizer double not null,
    customers bigint not null,
    customers_excluded bigint not null,
    bgnbd_customers bigint not null,
    bgnbd_r double,
    bgnbd_alpha double,
    bgnbd_a double,
    bgnbd_b double,
    bgnbd_log_likelihood double,
    bgnbd_converged boolean not null,
    bgnbd_message varchar,
    gg_customers bigint not null,
    gg_p double,
    gg_q double,
    gg_gamma double,
    gg_log_likelihood double,
    gg_converged boolean not null,
    gg_message varchar,
    frequency_spend_correlation double,
    fit_seconds double
"""


def read_summary(con) -> tuple[pd.DataFrame, date | None]:
    """The per-customer summary (model.py's input) and the as-of date (None when empty)."""
    summary = con.execute(SUMMARY_SQL).df()
    as_of = summary["as_of_date"].iloc[0] if len(summary) else None
    if as_of is not None and summary["as_of_date"].nunique() != 1:
        raise ValueError(f"{SUMMARY_TABLE} holds more than one as_of_date")
    return summary.drop(columns="as_of_date"), (pd.Timestamp(as_of).date() if as_of is not None else None)


def write(con, customers: pd.DataFrame, fit: dict, run_id: str, as_of: date | None, fitted_at: datetime) -> None:
    """Replace customer_clv and append this fit to clv_model_fit, all or nothing.

    Re-running with the same run_id replaces that run's fit row, so a retried step never
    leaves two rows for one run.
    """
    fit_row = pd.DataFrame([{"run_id": run_id, "fitted_at": fitted_at, "as_of_date": as_of, **fit}])
    con.register("clv_customers_frame", customers)
    con.register("clv_fit_frame", fit_row)
    try:
        con.execute("begin transaction")
        try:
            con.execute(f"create schema if not exists {SCHEMA}")
            con.execute(f"create or replace table {CLV_TABLE} ({CLV_COLUMNS})")
            con.execute(
                f"insert into {CLV_TABLE} by name "
                "select *, cast(? as date) as as_of_date, ? as run_id from clv_customers_frame",
                [as_of, run_id],
            )
            con.execute(f"create table if not exists {FIT_TABLE} ({FIT_COLUMNS})")
            con.execute(f"delete from {FIT_TABLE} where run_id = ?", [run_id])
            con.execute(f"insert into {FIT_TABLE} by name select * from clv_fit_frame")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.unregister("clv_customers_frame")
        con.unregister("clv_fit_frame")
