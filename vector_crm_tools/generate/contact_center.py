"""Cases and interactions (contact_center/cases, contact_center/interactions).

Behaviour planted here:
- complaints precede desertion: at the end of every active spell that ends inside the span
  the customer raises on average half a complaint or claim (categories error, delay,
  missing, failure) during the last four months; other cases (mostly queries, requests
  and updates, some complaints) come at a steady background rate while the customer is
  active;
- service levels: priority depends on the customer's tier (companies and the top tenth
  by purchase rate) and claims get one level more; each priority has its SLA hours;
  resolution times are lognormal so about a quarter breach the SLA; some cases get
  escalated, a few are cancelled or stay open;
- case versions: a case is exported on the day it opens (open or in_progress) and again on
  the day it closes (closed or cancelled, later updated_at);
- interactions: every case is opened in an inbound contact that carries its case_id;
  other inbound contacts by phone, chat, email, IVR, USSD and social media, with wait,
  talk, hold and wrap seconds; 9 % of phone calls are abandoned (no talk, no agent) and
  most IVR/USSD sessions are self-served; a tenth of inbound contacts come from persons
  who are not customers;
- identification: the agent records customer_id for only part of the contacts; otherwise
  the person is known by caller_phone / caller_email, in any format and with email noise
  (case, whitespace, typo); household phones are shared;
- outbound: every pilot member of a campaign gets an outbound contact with campaign_id.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config as c
from .campaigns import campaign_ids
from .people import People
from .rows import NA, cat, sort_rows
from .sales import Lifecycle

CHANNELS = ["phone", "chat", "email", "ivr", "ussd", "social"]
PHONE, CHAT, EMAIL, IVR, USSD, SOCIAL = range(6)
CASE_TYPES = ["query", "update", "request", "complaint", "claim"]
CATEGORIES = ["error", "delay", "missing", "failure", "other"]
PRIORITIES = ["low", "medium", "high", "critical"]
SLA_HOURS = np.array([120, 72, 24, 8])
STATUSES = ["open", "in_progress", "closed", "cancelled"]
QUEUES = ["general", "billing", "sales", "support", "collections", "claims", "ivr", "outbound"]
DISPOSITIONS = [
    "resolved",
    "info_given",
    "transferred",
    "callback",
    "sale",
    "abandoned",
    "self_served",
    "case_opened",
    "interested",
    "not_interested",
    "no_answer",
    "sent",
]
D = {name: i for i, name in enumerate(DISPOSITIONS)}


def windows(people: People, life: Lifecycle, tail: int):
    """Days [a, b) during which an ERP person is in touch: from registration (or the span
    start) to `tail` days after their last active day; prospects for a few months."""
    a = np.maximum(people.created, 0)
    b = np.where(life.buyer, np.minimum(life.last_end + tail, c.N_DAYS), np.minimum(a + 120, c.N_DAYS))
    return a, np.maximum(b, a)


def draw_days(rng, person, a, b):
    return (a[person] + rng.random(len(person)) * (b[person] - a[person])).astype(np.int32)


def cases(people: People, life: Lifecycle, size: c.Size, rng: np.random.Generator) -> pd.DataFrame:
    """One row per case (not yet per version)."""
    n = people.n_customers
    company = people.is_company[:n]
    a, b = windows(people, life, 60)
    # Complaints before each desertion (end of a spell inside the span).
    ends, who = [], []
    for start, end in ((life.start1, life.end1), (life.start2, life.end2)):
        ok = (start != NA) & (end >= 30) & (end < c.N_DAYS)
        ends.append(end[ok]), who.append(np.flatnonzero(ok))
    ends, who = np.concatenate(ends), np.concatenate(who)
    k = rng.poisson(np.where(company[who], 0.7, 0.5))
    pre_person, pre_end = np.repeat(who, k), np.repeat(ends, k)
    pre_day = np.maximum(pre_end - 1 - (rng.random(len(pre_end)) * 120).astype(np.int32), a[pre_person])

    target = round(size.cc_rows * 0.16)
    n_bg = max(target - len(pre_person), target // 3)
    w = (b - a) * np.where(company, 2.0, 1.0)
    bg_person = rng.choice(n, n_bg, p=w / w.sum())
    bg_day = draw_days(rng, bg_person, a, b)

    person = np.concatenate([bg_person, pre_person]).astype(np.int32)
    day = np.concatenate([bg_day, pre_day]).astype(np.int32)
    pre = np.arange(len(person)) >= n_bg
    m = len(person)
    ctype = np.where(pre, c.pick(rng, [0, 0, 0, 0.65, 0.35], m), c.pick(rng, [0.40, 0.15, 0.25, 0.13, 0.07], m))
    complaint = ctype >= 3
    category = np.where(complaint, c.pick(rng, [0.3, 0.3, 0.2, 0.15, 0.05], m), np.where(rng.random(m) < 0.1, 4, -1))
    top = life.rate >= np.quantile(life.rate, 0.9)
    tier1 = company[person] | top[person]
    priority = np.where(tier1, c.pick(rng, [0.05, 0.3, 0.5, 0.15], m), c.pick(rng, [0.25, 0.55, 0.17, 0.03], m))
    priority = np.minimum(priority + (ctype == 4), 3)
    opened = day.astype(np.int64) * c.DAY + c.seconds_in_day(rng, c.OFFICE_HOURS, m)
    sla = SLA_HOURS[priority] * 3600
    closed = opened + c.lognormal(rng, 1.0, 0.9, m) * sla * 0.6
    final = c.pick(rng, [0.92, 0.03, 0.05], m)  # closed, cancelled, stays open
    has_v2 = (final < 2) & (closed < c.N_DAYS * c.DAY)
    channel = c.pick(rng, [0.55, 0.15, 0.2, 0, 0, 0.1], m)  # phone, chat, email, -, -, social
    frame = pd.DataFrame(
        {
            "person": person,
            "opened": opened,
            "closed": np.where(has_v2, closed, NA).astype(np.int64),
            "type": ctype.astype(np.int8),
            "category": category.astype(np.int8),
            "priority": priority.astype(np.int8),
            "status1": (rng.random(m) < 0.25).astype(np.int8),  # open / in_progress
            "status2": np.where(has_v2, 2 + final, -1).astype(np.int8),
            "escalated": rng.random(m) < 0.05 + 0.15 * (ctype == 4) + 0.2 * (priority == 3),
            "sla_due": opened + sla,
            "channel": channel.astype(np.int8),
            "customer_no": np.where(rng.random(m) < 0.85, people.customer_for(person, day, rng, 0.3), -1),
            "email_kind": np.where(
                np.isin(channel, [CHAT, EMAIL, SOCIAL]) | (rng.random(m) < 0.3), contact_email_kind(rng, m), 4
            ).astype(np.int8),
            "email_r": rng.integers(0, 1_000_000, m).astype(np.int32),
            "phone_fmt": np.where(
                (channel == PHONE) | (rng.random(m) < 0.2), c.pick(rng, [0.3, 0.25, 0.15, 0.1, 0.2], m), -1
            ).astype(np.int8),
        }
    )
    frame = frame.sort_values(["opened", "person"], kind="stable", ignore_index=True)
    frame["case_no"] = np.arange(1, m + 1, dtype=np.int32)
    return frame


def contact_email_kind(rng, n):
    return c.pick(rng, [0.85, 0.07, 0.03, 0.05], n)


def case_rows(cs: pd.DataFrame, people: People) -> pd.DataFrame:
    """The cases feed: the open version on the opening day, the closing version on the closing day."""
    v2 = np.flatnonzero(cs["closed"].to_numpy() != NA)
    rows = pd.concat([cs, cs.iloc[v2]], ignore_index=True)
    is_v2 = np.arange(len(rows)) >= len(cs)
    updated = np.where(is_v2, rows["closed"], rows["opened"])
    rows["_day"] = (updated // c.DAY).astype(np.int32)
    rows["_person"] = rows.pop("person")
    rows["updated"] = updated
    rows["is_v2"] = is_v2
    rows["closed"] = np.where(is_v2, rows["closed"], NA)
    rows["status"] = cat(np.where(is_v2, rows["status2"], rows["status1"]), STATUSES)
    rows["escalated"] = is_v2 & rows["escalated"].to_numpy()
    rows["shared_phone"] = people.shared_phone[rows["_person"].to_numpy()]
    for col, labels in (("type", CASE_TYPES), ("category", CATEGORIES), ("priority", PRIORITIES)):
        rows[col] = cat(rows[col].to_numpy(), labels)
    return sort_rows(rows.drop(columns=["status1", "status2", "channel"]), ["_day", "updated", "case_no"])


def contact_parts(rng, channel, abandon_rate, self_serve_rate):
    """Wait, talk, hold, wrap and total seconds of inbound contacts on the given channels."""
    n = len(channel)
    phone_like = np.isin(channel, [PHONE, IVR, USSD])
    abandoned = (channel == PHONE) & (rng.random(n) < abandon_rate)
    self_served = np.isin(channel, [IVR, USSD]) & (rng.random(n) < self_serve_rate)
    agent = ~abandoned & ~self_served
    wait_median = np.array([35, 20, 3 * 3600, 30, 30, 1800])[channel]
    wait = np.where(abandoned, c.lognormal(rng, 90, 0.8, n), c.lognormal(rng, 1.0, 1.0, n) * wait_median)
    wait = np.where(self_served, 0, np.minimum(wait, 86_000))
    talk = np.where(agent, c.lognormal(rng, 1.0, 0.7, n) * np.array([240, 420, 180, 240, 240, 120])[channel], 0)
    hold = np.where(agent & phone_like & (rng.random(n) < 0.3), c.lognormal(rng, 60, 0.8, n), 0)
    wrap = np.where(agent, c.lognormal(rng, 40, 0.6, n), 0)
    ivr_time = np.where(self_served, c.lognormal(rng, 90, 0.6, n), 0)
    parts = [x.astype(np.int32) for x in (wait, talk, hold, wrap)]
    return parts, parts[0] + parts[1] + parts[2] + ivr_time.astype(np.int32), abandoned, self_served, agent


def interactions(
    people: People,
    life: Lifecycle,
    cs: pd.DataFrame,
    members: pd.DataFrame,
    n_case_rows: int,
    size: c.Size,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n, n_agents = people.n_customers, max(12, people.n_customers // 2500)
    pilot = members[members["pilot"]]
    n_other = max(0, size.cc_rows - len(members) - n_case_rows - len(cs) - len(pilot))

    # Contacts that open a case: answered, identified as the case is.
    m = len(cs)
    channel = cs["channel"].to_numpy()
    parts, total, abandoned, self_served, _ = contact_parts(rng, channel, 0, 0)
    queue = np.array([0, 3, 3, 5, 5])[cs["type"].to_numpy()]
    case_contacts = {
        "person": cs["person"].to_numpy(),
        "start": cs["opened"].to_numpy() - rng.integers(60, 900, m),
        "channel": channel,
        "direction": np.zeros(m, np.int8),
        "customer_no": cs["customer_no"].to_numpy(),
        "email_kind": cs["email_kind"].to_numpy(),
        "email_r": cs["email_r"].to_numpy(),
        "phone_fmt": cs["phone_fmt"].to_numpy(),
        "queue": queue,
        "agent": rng.integers(1, n_agents + 1, m),
        "parts": parts,
        "total": total,
        "abandoned": abandoned,
        "self_served": self_served,
        "campaign": np.full(m, -1),
        "disposition": np.full(m, D["case_opened"]),
        "case_no": cs["case_no"].to_numpy(),
    }

    # Other inbound contacts: customers while in touch, and some non-customers.
    a, b = windows(people, life, 120)
    n_cust = round(n_other * 0.9)
    w = (b - a) * np.where(people.is_company[:n], 1.5, 1.0)
    person = rng.choice(n, n_cust, p=w / w.sum())
    day = draw_days(rng, person, a, b)
    visitors = rng.integers(n, people.n_persons, n_other - n_cust)
    person = np.concatenate([person, visitors]).astype(np.int32)
    day = np.concatenate([day, rng.integers(0, c.N_DAYS, len(visitors))]).astype(np.int32)
    m = len(person)
    channel = c.pick(rng, [0.42, 0.14, 0.12, 0.16, 0.10, 0.06], m)
    parts, total, abandoned, self_served, agent = contact_parts(rng, channel, 0.09, 0.8)
    identified = agent & (person < n) & (rng.random(m) < np.array([0.6, 0.5, 0.45, 0.6, 0.6, 0.3])[channel])
    has_phone = np.isin(channel, [PHONE, IVR, USSD]) & (rng.random(m) < 0.95)
    has_email = (
        (channel == EMAIL) | ((channel == CHAT) & (rng.random(m) < 0.7)) | ((channel == SOCIAL) & (rng.random(m) < 0.4))
    )
    customer_no = np.full(m, -1, np.int32)
    customer_no[identified] = people.customer_for(person[identified], day[identified], rng, 0.3)
    answered = c.pick(rng, [0.55, 0.25, 0.08, 0.07, 0.05], m)
    inbound = {
        "person": person,
        "start": day.astype(np.int64) * c.DAY + c.seconds_in_day(rng, c.OFFICE_HOURS, m),
        "channel": channel,
        "direction": np.zeros(m, np.int8),
        "customer_no": customer_no,
        "email_kind": np.where(has_email, contact_email_kind(rng, m), 4),
        "email_r": rng.integers(0, 1_000_000, m),
        "phone_fmt": np.where(has_phone, c.pick(rng, [0.3, 0.25, 0.15, 0.1, 0.2], m), -1),
        "queue": np.where(self_served, 6, c.pick(rng, [0.4, 0.2, 0.15, 0.15, 0.1], m)),
        "agent": np.where(agent, rng.integers(1, n_agents + 1, m), -1),
        "parts": parts,
        "total": total,
        "abandoned": abandoned,
        "self_served": self_served,
        "campaign": np.full(m, -1),
        "disposition": np.where(abandoned, D["abandoned"], np.where(self_served, D["self_served"], answered)),
        "case_no": np.full(m, -1),
    }

    # Outbound: every pilot member is contacted on launch day.
    m = len(pilot)
    channel = np.array([PHONE, EMAIL, USSD])[c.pick(rng, [0.75, 0.2, 0.05], m)]
    on_phone = channel == PHONE
    responded = pilot["responded"].to_numpy()
    missed = np.array([D["not_interested"], D["no_answer"], D["callback"]])[c.pick(rng, [0.6, 0.25, 0.15], m)]
    disposition = np.where(responded, D["interested"], np.where(on_phone, missed, D["sent"]))
    talk = np.where(on_phone & (disposition != D["no_answer"]), c.lognormal(rng, 150, 0.6, m), 0).astype(np.int32)
    wrap = np.where(on_phone, c.lognormal(rng, 30, 0.5, m), 0).astype(np.int32)
    zeros = np.zeros(m, np.int32)
    outbound = {
        "person": pilot["_person"].to_numpy(),
        "start": pilot["contacted_sec"].to_numpy(),
        "channel": channel,
        "direction": np.ones(m, np.int8),
        "customer_no": pilot["customer_no"].to_numpy(),
        "email_kind": np.where(channel == EMAIL, 0, 4),
        "email_r": zeros,
        "phone_fmt": np.where(channel == EMAIL, -1, 1),
        "queue": np.full(m, 7),
        "agent": np.where(on_phone, rng.integers(1, n_agents + 1, m), -1),
        "parts": [zeros, talk, zeros, wrap],
        "total": talk,
        "abandoned": np.zeros(m, bool),
        "self_served": np.zeros(m, bool),
        "campaign": pilot["campaign"].to_numpy(),
        "disposition": disposition,
        "case_no": np.full(m, -1),
    }

    blocks = [case_contacts, inbound, outbound]
    col = lambda key: np.concatenate([blk[key] for blk in blocks])  # noqa: E731
    start = col("start").astype(np.int64)
    frame = pd.DataFrame(
        {
            "_day": (start // c.DAY).astype(np.int32),
            "_person": col("person").astype(np.int32),
            "started": start,
            "ended": start + col("total"),
            "channel": cat(col("channel"), CHANNELS),
            "direction": cat(col("direction"), ["inbound", "outbound"]),
            "customer_no": col("customer_no").astype(np.int32),
            "email_kind": col("email_kind").astype(np.int8),
            "email_r": col("email_r").astype(np.int32),
            "phone_fmt": col("phone_fmt").astype(np.int8),
            "queue": cat(col("queue"), QUEUES),
            "agent": col("agent").astype(np.int32),
            **{
                name: np.concatenate([blk["parts"][i] for blk in blocks])
                for i, name in enumerate(["wait", "talk", "hold", "wrap"])
            },
            "abandoned": col("abandoned"),
            "self_served": col("self_served"),
            "campaign": cat(col("campaign"), campaign_ids()),
            "disposition": cat(col("disposition"), DISPOSITIONS),
            "case_no": col("case_no").astype(np.int32),
        }
    )
    frame["shared_phone"] = people.shared_phone[frame["_person"].to_numpy()]
    frame = sort_rows(frame, ["started", "_person", "channel"])
    frame["interaction_no"] = frame["_ord"] + 1
    return frame
