"""Web sessions and events (web/events, JSON lines).

Behaviour planted here:
- every web user has one or two devices, each with its own anonymous_id (cookie) and
  device class; a session is a run of events a minute or two apart on one device;
- every web-channel order has a purchase session: page and product views, add_to_cart,
  login, checkout and purchase of the order's first SKU, logged in under the order's
  customer number;
- some new customers sign up on their registration day (a signup event identifies them);
- browsing sessions of customers while they are in touch (45 % of them log in part-way)
  and of anonymous visitors who never log in;
- identification: events before the login carry only anonymous_id; the login event and
  those after it carry user_email (with case/whitespace/typo noise) and/or customer_id;
- utm_source / utm_campaign on the first event of a third of the sessions (newsletter and
  email visits name the latest outbound campaign);
- contract violation for quarantine: a few events with an event_type outside the contract
  (unknown_event_type, listed in defects.csv).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config as c
from .campaigns import campaign_ids, launch_day
from .contact_center import windows
from .people import People
from .rows import carry_over, cat, day_chunks, sort_rows
from .sales import Lifecycle

EVENT_TYPES = [
    "page_view",
    "product_view",
    "add_to_cart",
    "checkout",
    "purchase",
    "login",
    "signup",
    "self_service",
    "scroll",
    "video_play",
]
PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, CHECKOUT, PURCHASE, LOGIN, SIGNUP, SELF_SERVICE, UNKNOWN = range(9)
BROWSE, BUY, SIGN_UP = range(3)
DEVICES = ["desktop", "mobile", "tablet", "app"]
UTM_SOURCES = ["google", "facebook", "instagram", "newsletter", "email", "tiktok"]
UTM_OTHER = ["search_brand", "search_generic", "social_promo"]
UNKNOWN_EVENT_RATE = 0.0001


CHUNK_SESSIONS = 300_000  # sessions expanded into events at a time: bounds memory on L and XL


def events(people: People, life: Lifecycle, orders: pd.DataFrame, size: c.Size, rng: np.random.Generator):
    """The feed's rows, one frame per chunk of days; a session that runs past midnight at the
    end of a chunk hands its late events to the next one."""
    sessions = plan_sessions(people, life, orders, size, rng)
    pending, numbered = None, 0
    for s0, s1, end_day in day_chunks(sessions["day"], CHUNK_SESSIONS):
        block = {k: v[s0:s1] for k, v in sessions.items()} | {"session": np.arange(s0, s1, dtype=np.int32)}
        now, pending = carry_over(session_events(block, rng), pending, end_day)
        frame = pd.DataFrame(now, copy=False)
        for col, labels in (
            ("event_type", EVENT_TYPES),
            ("line", c.LINE_NAMES),
            ("utm_source", UTM_SOURCES),
            ("utm_campaign", campaign_ids() + UTM_OTHER),
            ("device", DEVICES),
        ):
            frame[col] = cat(frame[col].to_numpy(), labels)
        frame = sort_rows(frame, ["at", "session", "pos"])
        frame["event_no"] = numbered + frame["_ord"] + 1
        numbered += len(frame)
        yield frame


def plan_sessions(
    people: People, life: Lifecycle, orders: pd.DataFrame, size: c.Size, rng: np.random.Generator
) -> dict:
    """Every web session (person, day, kind, length, login position, device, ...), sorted by start."""
    n, p = people.n_customers, people.n_persons
    web_orders = orders[orders["channel"].to_numpy() == c.CHANNELS.index("web")]
    user = np.zeros(p, bool)
    user[:n] = rng.random(n) < 0.45
    user[web_orders["person"].to_numpy()] = True
    user[n:] = rng.random(p - n) < 0.8

    # Devices: one or two per web user, each an anonymous id.
    users = np.flatnonzero(user)
    n_dev = 1 + (rng.random(len(users)) < 0.35)
    dev_first = np.zeros(p, np.int64)
    dev_first[users] = np.cumsum(n_dev) - n_dev
    dev_count = np.zeros(p, np.int64)
    dev_count[users] = n_dev
    dev_class = c.pick(rng, [0.35, 0.45, 0.05, 0.15], n_dev.sum())
    dev_anon = rng.integers(0, 2**63 - 1, n_dev.sum(), dtype=np.int64)

    # Sessions: purchases, signups, then browsing up to the size's event target.
    buy_n = len(web_orders)
    signup = np.flatnonzero(user[:n] & (people.created >= 0) & (rng.random(n) < 0.3))
    kind = [np.full(buy_n, BUY), np.full(len(signup), SIGN_UP)]
    person = [web_orders["person"].to_numpy(), signup]
    day = [web_orders["day"].to_numpy(), people.created[signup]]
    length = [5 + rng.poisson(1.5, buy_n), 3 + rng.poisson(1, len(signup))]
    left = size.web_events - sum(x.sum() for x in length)
    n_browse = max(0, round(left / 5))
    a, b = windows(people, life, 90)
    a = np.maximum(a - 30, 0)
    w = np.where(user[:n], b - a, 0).astype(float)
    n_cust = round(n_browse * 0.85)
    bp = rng.choice(n, n_cust, p=w / w.sum())
    bd = (a[bp] + rng.random(n_cust) * (b[bp] - a[bp])).astype(np.int32)
    visitors = n + np.flatnonzero(user[n:])
    vp = rng.choice(visitors, n_browse - n_cust)
    kind.append(np.full(n_browse, BROWSE)), person.append(np.concatenate([bp, vp]))
    day.append(np.concatenate([bd, rng.integers(0, c.N_DAYS, len(vp))]))
    length.append(np.minimum(rng.geometric(0.2, n_browse), 40))
    kind, person, day, length = (np.concatenate(x) for x in (kind, person, day, length))
    s = len(kind)

    customer_no = people.customer_for(np.minimum(person, n - 1), day, rng, 0.3)
    customer_no[:buy_n] = web_orders["customer_no"].to_numpy()
    login_pos = np.select(
        [kind == BUY, kind == SIGN_UP, (person < n) & (rng.random(s) < 0.45)],
        [length - 3, np.ones(s, np.int64), (rng.random(s) * length).astype(np.int64)],
        -1,
    )
    sku = np.concatenate(
        [
            web_orders["first_sku"].to_numpy(),
            c.pick(rng, c.LINE_POPULARITY, s - buy_n).astype(np.int32) * c.SKUS_PER_LINE,
        ]
    )
    email_kind = c.pick(rng, [0.62, 0.15, 0.03, 0.01, 0.19], s)  # ok, case, space, typo, none
    utm = np.where(rng.random(s) < 0.33, c.pick(rng, [0.35, 0.2, 0.15, 0.15, 0.1, 0.05], s), -1)
    latest = np.searchsorted([launch_day(i) for i in range(len(c.CAMPAIGNS))], day, side="right") - 1
    n_camp = len(c.CAMPAIGNS)
    device = dev_first[person] + (rng.random(s) * dev_count[person]).astype(np.int64)
    start = day.astype(np.int64) * c.DAY + c.seconds_in_day(rng, c.WEB_HOURS, s)
    plan = pd.DataFrame(
        {
            "day": day.astype(np.int32),
            "start": start,
            "kind": kind.astype(np.int8),
            "person": person.astype(np.int32),
            "length": length.astype(np.int32),
            "login_pos": login_pos.astype(np.int32),
            "customer_no": customer_no,
            "sku": sku.astype(np.int32),
            "email_kind": email_kind.astype(np.int8),
            "has_cid": (rng.random(s) < 0.7) | (email_kind == 4),
            "utm": utm.astype(np.int8),
            "utm_campaign": np.select(
                [np.isin(utm, [3, 4]) & (latest >= 0), utm == 0, utm >= 0],
                [latest, n_camp + rng.integers(0, 2, s), np.full(s, n_camp + 2)],
                -1,
            ).astype(np.int8),
            "anon": dev_anon[device],
            "device": dev_class[device].astype(np.int8),
        }
    ).sort_values(["start", "person"], kind="stable", ignore_index=True)
    return {k: plan[k].to_numpy() for k in plan.columns}


def session_events(ss: dict, rng: np.random.Generator) -> dict:
    """One row per position in each of the given sessions."""
    length, login_pos, kind = ss["length"], ss["login_pos"], ss["kind"]
    e = np.repeat(np.arange(len(length), dtype=np.int32), length)
    n = len(e)
    pos = (np.arange(n) - np.repeat(np.cumsum(length) - length, length)).astype(np.int32)
    from_end = length[e] - 1 - pos
    k = kind[e]
    browse_type = np.array([PAGE_VIEW, PRODUCT_VIEW, ADD_TO_CART, CHECKOUT, SELF_SERVICE])[
        c.pick(rng, [0.42, 0.33, 0.08, 0.05, 0.12], n)
    ]
    buy_type = np.select(
        [from_end == 0, from_end == 1, from_end == 2, from_end == 3, pos == 0],
        [PURCHASE, CHECKOUT, LOGIN, ADD_TO_CART, PAGE_VIEW],
        PRODUCT_VIEW,
    )
    etype = np.where(
        k == BUY, buy_type, np.where(pos == login_pos[e], np.where(k == SIGN_UP, SIGNUP, LOGIN), browse_type)
    )
    etype = np.where((k == SIGN_UP) & (pos != 1) & (etype != PAGE_VIEW), PRODUCT_VIEW, etype)
    unknown = (etype != LOGIN) & (etype != SIGNUP) & (rng.random(n) < UNKNOWN_EVENT_RATE)
    etype = np.where(unknown, UNKNOWN + (rng.random(n) < 0.5), etype)
    # The session's SKU for the cart and purchase, other SKUs of the same line for views.
    session_sku = ss["sku"][e]
    line_sku = (session_sku // c.SKUS_PER_LINE) * c.SKUS_PER_LINE + (c.SKUS_PER_LINE * rng.random(n) ** 2).astype(
        np.int32
    )
    ev_sku = np.where(np.isin(etype, [ADD_TO_CART, PURCHASE]) | ((k == BUY) & (from_end == 4)), session_sku, line_sku)
    ev_sku = np.where(np.isin(etype, [PRODUCT_VIEW, ADD_TO_CART, PURCHASE]), ev_sku + 1, -1)
    gap = np.where(pos == 0, 0, 5 + rng.exponential(100, n)).astype(np.int64)
    elapsed = np.cumsum(gap)
    elapsed -= np.repeat(elapsed[np.cumsum(length) - length], length)
    at = ss["start"][e] + elapsed
    logged = (login_pos[e] >= 0) & (pos >= login_pos[e])
    first = pos == 0
    keep = at < c.N_DAYS * c.DAY
    rows = {
        "_day": (at // c.DAY).astype(np.int32),
        "_person": ss["person"][e],
        "at": at,
        "session": ss["session"][e],
        "pos": pos,
        "anon": ss["anon"][e],
        "email_kind": np.where(logged, ss["email_kind"][e], 4).astype(np.int8),
        "email_r": (ss["session"][e] * 7919 % 1_000_000).astype(np.int32),  # the same typo all session
        "customer_no": np.where(logged & ss["has_cid"][e], ss["customer_no"][e], -1).astype(np.int32),
        "event_type": etype.astype(np.int8),
        "page": rng.integers(0, 30, n).astype(np.int8),
        "sku": ev_sku.astype(np.int16),
        "line": (session_sku // c.SKUS_PER_LINE).astype(np.int8),
        "utm_source": np.where(first, ss["utm"][e], -1).astype(np.int8),
        "utm_campaign": np.where(first, ss["utm_campaign"][e], -1).astype(np.int8),
        "device": ss["device"][e],
    }
    return {k: v[keep] for k, v in rows.items()}
