"""Outbound campaigns and their members (contact_center/campaign_members).

Behaviour planted here:
- twelve campaigns (config.CAMPAIGNS: cross_sell, up_sell, win_back, retention, each
  promoting one product line) chosen from the customers' real state at launch:
  cross_sell targets active customers who have not bought the line for a year, up_sell
  frequent buyers, retention active customers who have gone quiet for two months or more,
  win_back customers whose last order was 6 to 24 months ago;
- members are assigned at random: 70 % pilot (contacted on launch day), 30 % control;
- uplift: a pilot member buys the promoted line within four weeks with the chance of
  config.CAMPAIGN_RESPONSE on top of whatever they would have bought anyway (control
  members get nothing extra); won-back responders keep buying for a few months;
  `responded` is true for the buyers and a few more pilot members.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import config as c
from .people import People
from .rows import NA, cat, sort_rows
from .sales import Lifecycle

K = 2048  # day slots per person in the search keys (more than N_DAYS)


def launch_day(i: int) -> int:
    return (date.fromisoformat(c.CAMPAIGNS[i][0]) - c.SPAN_START).days


def campaign_ids() -> list[str]:
    return [f"CMP-{d[:7]}" for d, _, _ in c.CAMPAIGNS]


def run(people: People, life: Lifecycle, orders: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator):
    """Members of every campaign and the extra orders the campaigns cause.

    `orders` (person, day) and `lines` (order, line) are the orders before campaigns."""
    n = people.n_customers
    who = np.arange(n, dtype=np.int64)
    o_person, o_day = orders["person"].to_numpy().astype(np.int64), orders["day"].to_numpy()
    okey = np.sort(o_person * K + o_day)
    l_order = lines["order"].to_numpy()
    lkey = np.sort((o_person[l_order] * 16 + lines["line"].to_numpy()) * K + o_day[l_order])

    def count(keys, base, lo, hi):  # orders (or lines) of each person with day in [lo, hi)
        return np.searchsorted(keys, base * K + hi) - np.searchsorted(keys, base * K + lo)

    members, extra = [], []
    for i, (_, ctype, line_name) in enumerate(c.CAMPAIGNS):
        t = launch_day(i)
        line = c.LINE_NAMES.index(line_name)
        last = np.searchsorted(okey, who * K + t) - 1
        known = (last >= 0) & (okey[np.maximum(last, 0)] // K == who)
        since = np.where(known, t - okey[np.maximum(last, 0)] % K, 10**6)
        n365 = count(okey, who, max(t - 365, 0), t)
        eligible = {
            "cross_sell": (since <= 180) & (count(lkey, who * 16 + line, max(t - 365, 0), t) == 0),
            "up_sell": (since <= 120) & (n365 >= 3),
            "retention": (since > 60) & (since <= 180) & (n365 >= 2),
            "win_back": (since > 180) & (since <= 720),
        }[ctype]
        pool = np.flatnonzero(eligible)
        chosen = np.sort(rng.choice(pool, min(len(pool), max(60, round(0.03 * n))), replace=False))
        m = len(chosen)
        pilot = rng.random(m) < c.PILOT_SHARE
        buys = pilot & (rng.random(m) < c.CAMPAIGN_RESPONSE[ctype])
        customer_no = people.customer_no[chosen]
        members.append(
            pd.DataFrame(
                {
                    "_day": np.full(m, t, np.int32),
                    "_person": chosen.astype(np.int32),
                    "campaign": np.full(m, i, np.int8),
                    "customer_no": customer_no,
                    "pilot": pilot,
                    "contacted_sec": np.where(pilot, t * c.DAY + 8 * 3600 + rng.integers(0, 11 * 3600, m), NA),
                    "responded": buys | (pilot & (rng.random(m) < 0.04)),
                }
            )
        )
        # The campaign order: the promoted line, within four weeks of the contact.
        b = np.flatnonzero(buys)
        extra.append(
            orders_for(
                chosen[b], t + np.minimum(1 + rng.exponential(6, len(b)), 28).astype(np.int32), line, customer_no[b]
            )
        )
        # Won-back and retained customers keep buying for a while.
        follow = {"win_back": (2.0, 30, 210), "retention": (1.0, 14, 120)}.get(ctype)
        if follow:
            k = rng.poisson(follow[0], len(b))
            p = np.repeat(chosen[b], k)
            extra.append(
                orders_for(p, t + rng.integers(follow[1], follow[2], len(p)).astype(np.int32), -1, np.full(len(p), -1))
            )
    extra_orders = pd.concat(extra, ignore_index=True)
    extra_orders = extra_orders[extra_orders["day"] < c.N_DAYS].reset_index(drop=True)
    return sort_rows(pd.concat(members, ignore_index=True), ["_day", "campaign", "customer_no"]), extra_orders


def orders_for(person, day, line, customer_no) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person": person.astype(np.int32),
            "day": day.astype(np.int32),
            "forced_line": np.full(len(person), line, np.int8),
            "campaign_customer": customer_no.astype(np.int32),
        }
    )


def labels():
    """Per campaign: id, human name, type and promoted line, as categoricals over the campaign code."""
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    names = [f"{months[int(d[5:7]) - 1]} {d[:4]} {t.replace('_', '-')}: {line}" for d, t, line in c.CAMPAIGNS]
    return campaign_ids(), names


def member_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Attach the campaign's descriptive columns as categoricals."""
    code = frame["campaign"].to_numpy()
    ids, names = labels()
    frame["campaign_id"] = cat(code, ids)
    frame["campaign_name"] = cat(code, names)
    frame["campaign_type"] = cat(
        np.array([c.CAMPAIGN_TYPES.index(t) for _, t, _ in c.CAMPAIGNS])[code], c.CAMPAIGN_TYPES
    )
    frame["product_line"] = cat(np.array([c.LINE_NAMES.index(x) for _, _, x in c.CAMPAIGNS])[code], c.LINE_NAMES)
    return frame
