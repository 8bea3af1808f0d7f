"""The six landing feeds: each contract column as a SQL expression over the simulation's codes.

`r` is the feed's row, `p` the person it belongs to (table `persons`, see sql.PERSONS).
Identity-noise defects are listed per record and column in ground_truth/defects.csv.
"""

from __future__ import annotations

from dagster_project.contracts import contact_center as cc
from dagster_project.contracts import sales, web

from .people import EMAIL_CASE, EMAIL_MISSING, EMAIL_SPACE, EMAIL_TYPO
from .sales import BAD_AMOUNTS, UNKNOWN_STATUSES
from .writer import FeedSpec


def sql_list(values) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


CUSTOMER = "code('C', r.customer_no, 7)"
KNOWN_CUSTOMER = f"case when r.customer_no >= 0 then {CUSTOMER} end"
EMAIL = "noisy_email(p.email, r.email_kind, r.email_r)"
PHONE = "phone(p.phone, r.phone_fmt)"


def email_defects(column: str) -> list[tuple[str, str, str]]:
    return [
        (column, "email_case", f"r.email_kind = {EMAIL_CASE}"),
        (column, "email_whitespace", f"r.email_kind = {EMAIL_SPACE}"),
        (column, "email_typo", f"r.email_kind = {EMAIL_TYPO}"),
    ]


def phone_defects(column: str) -> list[tuple[str, str, str]]:
    return [
        (column, "phone_format", "r.phone_fmt between 1 and 4"),
        (column, "shared_phone", "r.shared_phone and r.phone_fmt >= 0"),
    ]


def customers() -> FeedSpec:
    return FeedSpec(
        feed=sales.CUSTOMERS,
        columns={
            "customer_id": CUSTOMER,
            # duplicates are typed differently: without second names, without accents, in capitals
            "customer_name": "case r.name_variant when 0 then p.name when 1 then p.short_name when 2 then strip_accents(p.name) else upper(p.name) end",
            "document_id": "case when p.is_company then thousands(p.doc // 10) || '-' || (p.doc % 10)::varchar else thousands(p.doc) end",
            "email": EMAIL,
            "phone": PHONE,
            "birth_date": "d(p.birth)",
            "is_company": "bool(p.is_company)",
            "economic_activity": "p.activity::varchar",
            "city": "r.city::varchar",
            "region": "r.region::varchar",
            "created_date": "d(r.created)",
            "updated_at": "ts(r.updated_sec)",
        },
        record_id=CUSTOMER,
        identity_where="not r.is_update",
        defects=[
            ("customer_id", "duplicate_customer", "r.is_dup and not r.is_update"),
            *email_defects("email"),
            ("email", "missing_email", f"r.email_kind = {EMAIL_MISSING}"),
            *phone_defects("phone"),
            ("phone", "missing_phone", "r.phone_fmt = -1"),
            ("city", "missing_city", "r.city is null"),
        ],
    )


ORDER_LINE = "code('O', r.order_no, 8) || '|' || r.line_no::varchar"


def order_lines() -> FeedSpec:
    return FeedSpec(
        feed=sales.ORDER_LINES,
        columns={
            "order_id": "code('O', r.order_no, 8)",
            "order_line": "r.line_no::varchar",
            "order_date": "case when r.defect = 2 then year(day_date(r.order_day))::varchar"
            " || ['-02-30', '-04-31', '-13-01'][r.defect_r % 3 + 1] else d(r.order_day) end",
            "customer_id": CUSTOMER,
            "channel": "r.channel::varchar",
            "branch": "r.branch::varchar",
            "product_sku": "code('SKU-', r.sku, 5)",
            "product_line": "r.line::varchar",
            "quantity": "money(r.qty * 100)",
            "unit_price": "money(r.price)",
            "discount": "money(r.discount)",
            "net_amount": f"case when r.defect = 1 then {sql_list(BAD_AMOUNTS)}[r.defect_r % {len(BAD_AMOUNTS)} + 1] else money(r.net) end",
            # 1 % of lines come without cost (allowed: marts fall back to the line's margin)
            "unit_cost": "case when r.defect_r >= 10 then money(r.cost) end",
            "status": f"case when r.defect = 3 then {sql_list(UNKNOWN_STATUSES)}[r.defect_r % {len(UNKNOWN_STATUSES)} + 1] else r.status::varchar end",
            "payment_due_date": "d(r.due)",
            "paid_date": "d(r.paid)",
        },
        record_id=ORDER_LINE,
        identity_where="not r.is_v2",
        defects=[
            ("net_amount", "bad_amount", "r.defect = 1"),
            ("order_date", "impossible_date", "r.defect = 2"),
            ("status", "unknown_status", "r.defect = 3"),
        ],
    )


def interactions() -> FeedSpec:
    return FeedSpec(
        feed=cc.INTERACTIONS,
        columns={
            "interaction_id": "code('I', r.interaction_no, 8)",
            "started_at": "ts(r.started)",
            "ended_at": "ts(r.ended)",
            "channel": "r.channel::varchar",
            "direction": "r.direction::varchar",
            "caller_phone": PHONE,
            "caller_email": EMAIL,
            "customer_id": KNOWN_CUSTOMER,
            "queue": "r.queue::varchar",
            "agent_id": "case when r.agent > 0 then code('A', r.agent, 4) end",
            "wait_seconds": "r.wait::varchar",
            "talk_seconds": "r.talk::varchar",
            "hold_seconds": "r.hold::varchar",
            "wrap_seconds": "r.wrap::varchar",
            "abandoned": "bool(r.abandoned)",
            "self_served": "bool(r.self_served)",
            "campaign_id": "r.campaign::varchar",
            "disposition": "r.disposition::varchar",
            "case_id": "case when r.case_no > 0 then code('K', r.case_no, 8) end",
        },
        record_id="code('I', r.interaction_no, 8)",
        defects=[*email_defects("caller_email"), *phone_defects("caller_phone")],
    )


def cases() -> FeedSpec:
    return FeedSpec(
        feed=cc.CASES,
        columns={
            "case_id": "code('K', r.case_no, 8)",
            "customer_id": KNOWN_CUSTOMER,
            "contact_email": EMAIL,
            "contact_phone": PHONE,
            "opened_at": "ts(r.opened)",
            "closed_at": "ts(r.closed)",
            "case_type": "r.type::varchar",
            "category": "r.category::varchar",
            "priority": "r.priority::varchar",
            "status": "r.status::varchar",
            "escalated": "bool(r.escalated)",
            "sla_due_at": "ts(r.sla_due)",
            "updated_at": "ts(r.updated)",
        },
        record_id="code('K', r.case_no, 8)",
        identity_where="not r.is_v2",
        defects=[*email_defects("contact_email"), *phone_defects("contact_phone")],
    )


def campaign_members() -> FeedSpec:
    return FeedSpec(
        feed=cc.CAMPAIGN_MEMBERS,
        columns={
            "campaign_id": "r.campaign_id::varchar",
            "customer_id": CUSTOMER,
            "test_group": "case when r.pilot then 'pilot' else 'control' end",
            "campaign_name": "r.campaign_name::varchar",
            "campaign_type": "r.campaign_type::varchar",
            "product_line": "r.product_line::varchar",
            "contacted_at": "ts(r.contacted_sec)",
            "responded": "bool(r.responded)",
        },
        record_id=f"r.campaign_id::varchar || '|' || {CUSTOMER}",
    )


SELF_SERVICE_TOPICS = ["invoices", "orders", "returns", "warranty", "profile", "payments"]


def events() -> FeedSpec:
    sku = "code('SKU-', r.sku, 5)"
    return FeedSpec(
        feed=web.EVENTS,
        columns={
            "event_id": "code('E', r.event_no, 9)",
            "event_at": "ts(r.at)",
            "anonymous_id": "printf('%016x', r.anon)",
            "user_email": EMAIL,
            "customer_id": KNOWN_CUSTOMER,
            "event_type": "r.event_type::varchar",
            "page": f"""case r.event_type::varchar
                when 'page_view' then case r.page % 5 when 0 then '/' when 1 then '/offers' when 2 then '/stores'
                    when 3 then '/help' else '/category/' || r.line end
                when 'self_service' then '/self-service/' || {sql_list(SELF_SERVICE_TOPICS)}[r.page % {len(SELF_SERVICE_TOPICS)} + 1]
                when 'checkout' then '/checkout' when 'purchase' then '/checkout/confirmation'
                when 'login' then '/account/login' when 'signup' then '/account/signup'
                else '/products/' || lower({sku}) end""",
            "product_sku": f"case when r.sku > 0 then {sku} end",
            "utm_source": "r.utm_source::varchar",
            "utm_campaign": "r.utm_campaign::varchar",
            "device": "r.device::varchar",
        },
        record_id="code('E', r.event_no, 9)",
        defects=[
            ("event_type", "unknown_event_type", "r.event_type::varchar in ('scroll', 'video_play')"),
            *email_defects("user_email"),
        ],
    )
