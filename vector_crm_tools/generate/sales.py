"""Life cycles, orders and order lines (sales/order_lines).

Behaviour planted here:
- life cycle: a buyer starts soon after registration, buys at a personal rate (lognormal:
  a few customers buy most, Pareto-like revenue), slows down to a third of that rate over
  the last months of an active spell (decline) and then stops (desertion: an exponential
  hazard, companies stay longer); 20 % of deserters come back after a gap (win-back);
  15 % of registered customers never buy (prospects);
- seasonality: order days follow the monthly and weekday weights of config (December peak);
- product lines with their own margin and price range; a customer has a favourite line;
  unit_cost = unit_price x (1 - line margin) with 4 % noise; list prices rise each year;
- companies order more lines and larger quantities, mostly through field sales and phone;
- payment: phone and field-sales orders and company orders are due 30 days after the order;
  a personal share of them is paid late; some are never paid and recent ones are unpaid
  (payment fields are as known at the end of the span); other orders are paid on the day;
- 3 % of orders are cancelled; 2 % of completed lines are returned later: the line reappears
  in the return day's file as a second version with status returned (latest version wins);
- contract violations for quarantine (first versions only, each listed in defects.csv):
  non-numeric net_amount (bad_amount), an impossible order_date such as 2024-02-30
  (impossible_date) and a status outside the contract (unknown_status).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import config as c
from .people import People
from .rows import NA, carry_over, cat, day_chunks, sort_rows

BAD_AMOUNTS = ["N/A", "12,50", "#VALUE!", "1.234,56", "-", "abc"]
UNKNOWN_STATUSES = ["pending", "on_hold", "shipped"]
DEFECT_RATES = {"bad_amount": 0.00025, "impossible_date": 0.00025, "unknown_status": 0.0001}
RETURN_RATE, CANCEL_RATE = 0.02, 0.03
STATUSES = ["completed", "cancelled", "returned"]
CHUNK_ORDERS = 1_000_000  # orders priced at a time: bounds memory on L and XL


@dataclass
class Lifecycle:
    """Per ERP person: up to two active spells [start, end) in days (NA when absent)."""

    buyer: np.ndarray
    start1: np.ndarray
    end1: np.ndarray
    start2: np.ndarray
    end2: np.ndarray
    rate: np.ndarray  # orders per (seasonally average) day while active
    fav_line: np.ndarray
    channel: np.ndarray  # preferred channel
    qty_scale: np.ndarray
    lines_per_order: np.ndarray
    late_share: np.ndarray

    @property
    def last_end(self) -> np.ndarray:
        return np.where(self.start2 != NA, self.end2, self.end1)


def lifecycles(people: People, size: c.Size, rng: np.random.Generator) -> Lifecycle:
    n = people.n_customers
    company = people.is_company[:n]
    created = people.created
    buyer = rng.random(n) >= 0.15
    start1 = np.where(created < 0, created, created + rng.exponential(20, n)).astype(np.int32)
    mean_life = np.where(company, 1400, 700)
    end1 = (start1 + 1 + rng.exponential(mean_life)).astype(np.int32)
    start2 = (end1 + 90 + rng.exponential(150, n)).astype(np.int32)
    won_back = buyer & (start2 < c.N_DAYS - 30) & (rng.random(n) < 0.2)
    end2 = (start2 + 1 + rng.exponential(mean_life * 0.6)).astype(np.int32)
    life = Lifecycle(
        buyer=buyer,
        start1=np.where(buyer, start1, NA),
        end1=np.where(buyer, end1, NA),
        start2=np.where(won_back, start2, NA),
        end2=np.where(won_back, end2, NA),
        rate=c.lognormal(rng, 1.0, 0.9, n) * np.where(company, 2.5, 1.0),
        fav_line=c.pick(rng, c.LINE_POPULARITY, n),
        channel=np.where(company, c.pick(rng, c.CHANNEL_MIX_COMPANY, n), c.pick(rng, c.CHANNEL_MIX_PERSON, n)),
        qty_scale=c.lognormal(rng, 1.0, 0.5, n) * np.where(company, 3.0, 0.35),
        lines_per_order=1 + c.lognormal(rng, 1.0, 0.3, n) * np.where(company, 2.0, 0.75),
        late_share=np.where(company, rng.beta(2, 6, n), rng.beta(1, 6, n)),
    )
    # Calibrate the rate so that the expected number of lines meets the size's target.
    segs = segments(life)
    expected = (life.rate[segs[0]] * segs[3] * weight(segs) * life.lines_per_order[segs[0]]).sum()
    life.rate *= size.order_lines * 0.985 / expected  # campaigns add the last ~1.5 %
    return life


def segments(life: Lifecycle):
    """Active periods as (person, lo, hi, rate multiplier), clipped to the span; each spell's last
    months (30 %, at most 150 days) run at a third of the rate: the decline before desertion."""
    parts = []
    for start, end in ((life.start1, life.end1), (life.start2, life.end2)):
        ok = start != NA
        decline = np.minimum((end - start) * 0.3, 150).astype(np.int32)
        parts.append((start, end - decline, 1.0, ok))
        parts.append((end - decline, end, 0.33, ok))
    person, lo, hi, mult = [], [], [], []
    for start, end, m, ok in parts:
        a, b = np.clip(start, 0, c.N_DAYS), np.clip(end, 0, c.N_DAYS)
        keep = ok & (b > a)
        idx = np.flatnonzero(keep)
        person.append(idx), lo.append(a[idx]), hi.append(b[idx]), mult.append(np.full(len(idx), m))
    return tuple(np.concatenate(x) for x in (person, lo, hi, mult))


def weight(segs) -> np.ndarray:
    return c.DAY_CDF[segs[2]] - c.DAY_CDF[segs[1]]


def base_orders(life: Lifecycle, rng: np.random.Generator) -> pd.DataFrame:
    segs = segments(life)
    person, lo, hi, mult = segs
    k = rng.poisson(life.rate[person] * mult * weight(segs))
    rows = np.repeat(np.arange(len(person)), k)
    return pd.DataFrame(
        {
            "person": person[rows].astype(np.int32),
            "day": c.seasonal_days(rng, lo[rows], hi[rows]),
            "forced_line": np.full(len(rows), -1, np.int8),
            "campaign_customer": np.full(len(rows), -1, np.int32),
        }
    )


def sku_prices(rng: np.random.Generator) -> np.ndarray:
    """List price (cents) of every SKU: log-uniform within its line's range, ending in .99."""
    lo = np.log([p[2] for p in c.PRODUCT_LINES])
    hi = np.log([p[3] for p in c.PRODUCT_LINES])
    line = np.repeat(np.arange(len(c.PRODUCT_LINES)), c.SKUS_PER_LINE)
    price = np.exp(lo[line] + rng.random(len(line)) * (hi - lo)[line])
    return (np.maximum(np.round(price), 1) * 100 - 1).astype(np.int64)


def lines(orders: pd.DataFrame, life: Lifecycle, rng: np.random.Generator) -> pd.DataFrame:
    """Lines of the given orders (person, forced_line): a favourite line or a popular one, the
    campaign's line first on campaign orders."""
    person = orders["person"].to_numpy()
    n_lines = 1 + rng.poisson(life.lines_per_order[person] - 1)
    o = np.repeat(np.arange(len(orders)), n_lines)
    line_no = (np.arange(len(o)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1).astype(np.int16)
    p = person[o]
    n = len(o)
    popular = c.pick(rng, c.LINE_POPULARITY, n)
    line = np.where(rng.random(n) < 0.4, life.fav_line[p], popular)
    forced = orders["forced_line"].to_numpy()[o]
    line = np.where((line_no == 1) & (forced >= 0), forced, line).astype(np.int8)
    # Within a line a few SKUs sell most.
    sku = (line.astype(np.int32) * c.SKUS_PER_LINE + (c.SKUS_PER_LINE * rng.random(n) ** 2).astype(np.int32)).astype(
        np.int16
    )
    return pd.DataFrame(
        {
            "order": o.astype(np.int32),
            "line_no": line_no,
            "person": p,
            "line": line,
            "sku": sku,
            "qty": 1 + rng.poisson(life.qty_scale[p]).astype(np.int32),
        }
    )


def number_orders(
    orders: pd.DataFrame,
    lines_: pd.DataFrame,
    extra: pd.DataFrame,
    extra_lines: pd.DataFrame,
    people: People,
    life: Lifecycle,
    rng: np.random.Generator,
):
    """All orders, campaign orders included, numbered chronologically with their attributes;
    each line's `order` becomes its order's row, and each order gets its first line's SKU."""
    lines_ = pd.concat([lines_, extra_lines.assign(order=extra_lines["order"] + len(orders))], ignore_index=True)
    orders = pd.concat([orders, extra], ignore_index=True)
    orders["oid"] = np.arange(len(orders), dtype=np.int32)
    orders = order_attributes(
        orders.sort_values(["day", "person"], kind="stable", ignore_index=True), people, life, rng
    )
    row_of = np.empty(len(orders), np.int32)
    row_of[orders.pop("oid").to_numpy()] = np.arange(len(orders), dtype=np.int32)
    lines_["order"] = row_of[lines_["order"].to_numpy()]
    first = lines_["line_no"].to_numpy() == 1
    first_sku = np.zeros(len(orders), np.int32)
    first_sku[lines_["order"].to_numpy()[first]] = lines_["sku"].to_numpy()[first]
    orders["first_sku"] = first_sku
    return orders, lines_


def order_attributes(orders: pd.DataFrame, people: People, life: Lifecycle, rng: np.random.Generator) -> pd.DataFrame:
    """Give each order (sorted by day) its number, customer number, channel, branch, status and
    payment dates."""
    n = len(orders)
    person, day = orders["person"].to_numpy(), orders["day"].to_numpy()
    company = people.is_company[person]
    other = np.where(company, c.pick(rng, c.CHANNEL_MIX_COMPANY, n), c.pick(rng, c.CHANNEL_MIX_PERSON, n))
    channel = np.where(rng.random(n) < 0.7, life.channel[person], other)
    # Branch: a store of the customer's city for store and field sales, a virtual one otherwise.
    # (codes index branch_labels(): the cities' stores, then WEB-01, MKT-01, CC-01)
    n_branches = np.array([x[4] for x in c.CITIES])
    city = people.city[person]
    city_branch = np.cumsum(n_branches)[city] - n_branches[city] + person % n_branches[city]
    branch = np.full(n, -1)
    for offset, name in enumerate(["web", "marketplace", "phone"]):
        branch[channel == c.CHANNELS.index(name)] = n_branches.sum() + offset
    physical = np.isin(channel, [c.CHANNELS.index("store"), c.CHANNELS.index("field_sales")])
    branch[physical] = city_branch[physical]

    cancelled = rng.random(n) < CANCEL_RATE
    credit = (np.isin(channel, c.CREDIT_CHANNELS) | company) & (channel != c.CHANNELS.index("marketplace"))
    due = np.where(credit, day + 30, day)
    late = rng.random(n) < life.late_share[person]
    paid = np.where(credit, np.where(late, due + 1 + rng.exponential(20, n), due - rng.integers(0, 29, n)), day)
    paid = np.maximum(paid, day).astype(np.int32)
    unpaid = cancelled | (paid >= c.N_DAYS) | (credit & (rng.random(n) < 0.015))
    orders["order_no"] = np.arange(1, n + 1, dtype=np.int32)
    orders["customer_no"] = people.customer_for(person, day, rng, 0.5)
    # campaign orders are placed under the number the campaign targeted
    camp = orders["campaign_customer"].to_numpy()
    orders["customer_no"] = np.where(camp >= 0, camp, orders["customer_no"].to_numpy())
    orders["channel"] = channel.astype(np.int8)
    orders["branch"] = branch.astype(np.int16)
    orders["cancelled"] = cancelled
    orders["due"] = np.where(cancelled, NA, due).astype(np.int32)
    orders["paid"] = np.where(unpaid, NA, paid).astype(np.int32)
    return orders


def branch_labels() -> list[str]:
    labels = [f"{x[2]}-{i + 1:02d}" for x in c.CITIES for i in range(x[4])]
    return [*labels, "WEB-01", "MKT-01", "CC-01"]


def order_line_frames(orders: pd.DataFrame, lines_: pd.DataFrame, rng: np.random.Generator):
    """The feed's rows, one frame per chunk of days: lines are priced a chunk of orders at a
    time; return versions land on later days and wait for their chunk."""
    sku_price = sku_prices(rng)
    by_order = np.argsort(lines_["order"].to_numpy(), kind="stable")
    ln = {k: lines_[k].to_numpy()[by_order] for k in lines_.columns}
    first_line = np.searchsorted(ln["order"], np.arange(len(orders) + 1))
    od = {
        k: orders[k].to_numpy()
        for k in ("day", "order_no", "customer_no", "channel", "branch", "cancelled", "due", "paid")
    }
    pending = None
    for o0, o1, end_day in day_chunks(od["day"], CHUNK_ORDERS):
        block = {k: v[first_line[o0] : first_line[o1]] for k, v in ln.items()}
        now, pending = carry_over(priced_rows(block, od, sku_price, rng), pending, end_day)
        frame = pd.DataFrame(now, copy=False)
        for col, labels in (
            ("channel", c.CHANNELS),
            ("branch", branch_labels()),
            ("line", c.LINE_NAMES),
            ("status", STATUSES),
        ):
            frame[col] = cat(frame[col].to_numpy(), labels)
        yield sort_rows(frame, ["_day", "order_no", "line_no", "is_v2"])


def priced_rows(ln: dict, od: dict, sku_price: np.ndarray, rng: np.random.Generator) -> dict:
    """Price a block of lines; first versions on the order day, return versions on the return
    day, and a few contract violations."""
    o = ln["order"]
    day = od["day"][o]
    n = len(o)
    year = np.clip((np.datetime64(c.SPAN_START.isoformat()) + day).astype("datetime64[Y]").astype(int) - 53, 0, 2)
    sku, line = ln["sku"], ln["line"]
    price = np.round(sku_price[sku] * c.YEAR_INFLATION[year]).astype(np.int64)
    qty = ln["qty"].astype(np.int64)
    pct = np.where(rng.random(n) < 0.15, rng.integers(1, 5, n) * 5, 0)
    discount = qty * price * pct // 100
    cost = np.round(price * (1 - c.LINE_MARGIN[line]) * (1 + 0.04 * rng.standard_normal(n))).astype(np.int64)
    status = od["cancelled"][o].astype(np.int8)  # 0 completed, 1 cancelled (2 returned: second versions)
    ret_day = day + 2 + rng.exponential(10, n).astype(np.int32)
    returned = np.flatnonzero((status == 0) & (rng.random(n) < RETURN_RATE) & (ret_day < c.N_DAYS))

    # One draw decides the (rare, mutually exclusive) contract violation of each first version.
    u = rng.random(n)
    edges = np.cumsum(list(DEFECT_RATES.values()))
    defect = np.where(u < edges[-1], np.searchsorted(edges, u, side="right") + 1, 0).astype(np.int8)

    v = np.concatenate([np.arange(n), returned])
    is_v2 = np.arange(len(v)) >= n
    return {
        "_day": np.concatenate([day, ret_day[returned]]).astype(np.int32),
        "_person": ln["person"][v],
        "order_no": od["order_no"][o][v],
        "line_no": ln["line_no"][v],
        "order_day": day[v],
        "customer_no": od["customer_no"][o][v],
        "channel": od["channel"][o][v],
        "branch": od["branch"][o][v],
        "sku": sku[v] + 1,
        "line": line[v],
        "qty": qty[v],
        "price": price[v],
        "discount": discount[v],
        "net": (qty * price - discount)[v],
        "cost": cost[v],
        "status": np.where(is_v2, 2, status[v]).astype(np.int8),
        "due": od["due"][o][v],
        "paid": od["paid"][o][v],
        "defect": np.where(is_v2, 0, defect[v]).astype(np.int8),
        "defect_r": rng.integers(0, 1000, len(v)).astype(np.int16),
        "is_v2": is_v2,
    }
