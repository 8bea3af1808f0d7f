"""Contact-center source: interactions, cases and outbound campaign members (UTF-8 CSV)."""

from .base import Column, Feed

INTERACTIONS = Feed(
    source="contact_center",
    name="interactions",
    description=(
        "One row per contact: a call, chat, email, IVR or USSD session or social message, "
        "inbound or outbound. The customer is known by customer_id when the agent "
        "identified them, otherwise only by the caller's phone or email."
    ),
    business_key=("interaction_id",),
    columns=(
        Column(
            "interaction_id",
            "string",
            "Interaction id in the contact-center platform.",
            required=True,
            example="I00000001",
        ),
        Column(
            "started_at",
            "timestamp",
            "When the contact started (queue entry for inbound calls).",
            required=True,
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-14 09:31:05",
        ),
        Column(
            "ended_at",
            "timestamp",
            "When the contact ended.",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-14 09:38:40",
        ),
        Column(
            "channel",
            "string",
            "Contact channel.",
            required=True,
            allowed=("phone", "chat", "email", "ivr", "ussd", "social"),
            example="phone",
        ),
        Column(
            "direction",
            "string",
            "Inbound (customer-initiated) or outbound; defaults to inbound.",
            allowed=("inbound", "outbound"),
            default="inbound",
            example="inbound",
        ),
        Column(
            "caller_phone",
            "string",
            "Phone number the contact came from or went to, any format.",
            pii=True,
            example="(300) 123-4567",
        ),
        Column(
            "caller_email",
            "string",
            "Email address of the contact (email, chat and social channels).",
            pii=True,
            example="Ana.Gomez@example.com",
        ),
        Column("customer_id", "string", "Customer number when the agent identified the customer.", example="C000123"),
        Column("queue", "string", "Queue or skill the contact was routed to.", example="billing"),
        Column("agent_id", "string", "Agent who handled the contact.", example="A017"),
        Column(
            "wait_seconds",
            "integer",
            "Seconds waiting in queue; defaults to 0.",
            min=0,
            max=86400,
            default="0",
            example="42",
        ),
        Column(
            "talk_seconds",
            "integer",
            "Seconds of conversation; defaults to 0.",
            min=0,
            max=86400,
            default="0",
            example="305",
        ),
        Column(
            "hold_seconds", "integer", "Seconds on hold; defaults to 0.", min=0, max=86400, default="0", example="20"
        ),
        Column(
            "wrap_seconds",
            "integer",
            "After-contact work seconds; defaults to 0.",
            min=0,
            max=86400,
            default="0",
            example="60",
        ),
        Column(
            "abandoned",
            "boolean",
            "True when the customer hung up before an agent answered; defaults to false.",
            default="false",
            example="false",
        ),
        Column(
            "self_served",
            "boolean",
            "True when the contact was resolved without an agent (IVR, USSD, bot); defaults to false.",
            default="false",
            example="false",
        ),
        Column("campaign_id", "string", "Outbound campaign the contact belongs to.", example="CMP-2024-03"),
        Column("disposition", "string", "Outcome code recorded by the agent.", example="resolved"),
        Column("case_id", "string", "Case opened or updated during the contact.", example="K0000077"),
    ),
)

CASES = Feed(
    source="contact_center",
    name="cases",
    description=(
        "Service requests, complaints and claims. A later file may repeat a case with a "
        "new status (the newest version wins in staging)."
    ),
    business_key=("case_id",),
    version_column="updated_at",
    columns=(
        Column("case_id", "string", "Case id in the ticketing system.", required=True, example="K0000077"),
        Column("customer_id", "string", "Customer number, when known.", example="C000123"),
        Column("contact_email", "string", "Email the case was opened with.", pii=True, example="ana.gomez@example.com"),
        Column("contact_phone", "string", "Phone the case was opened with.", pii=True, example="3001234567"),
        Column(
            "opened_at",
            "timestamp",
            "When the case was opened.",
            required=True,
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-14 09:36:00",
        ),
        Column(
            "closed_at",
            "timestamp",
            "When the case was closed; empty while open.",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-16 17:02:00",
        ),
        Column(
            "case_type",
            "string",
            "Kind of case.",
            required=True,
            allowed=("query", "update", "request", "complaint", "claim"),
            example="complaint",
        ),
        Column(
            "category",
            "string",
            "What went wrong, for complaints and claims.",
            allowed=("error", "delay", "missing", "failure", "other"),
            example="delay",
        ),
        Column(
            "priority",
            "string",
            "Priority; defaults to medium.",
            allowed=("low", "medium", "high", "critical"),
            default="medium",
            example="high",
        ),
        Column(
            "status",
            "string",
            "Case status; defaults to open.",
            allowed=("open", "in_progress", "closed", "cancelled"),
            default="open",
            example="closed",
        ),
        Column(
            "escalated",
            "boolean",
            "True when the case was escalated; defaults to false.",
            default="false",
            example="false",
        ),
        Column(
            "sla_due_at",
            "timestamp",
            "When the case must be resolved under its service level.",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-17 09:36:00",
        ),
        Column(
            "updated_at",
            "timestamp",
            "When this version of the case was exported; newer wins.",
            example="2024-02-16 17:02:00",
        ),
    ),
)

CAMPAIGN_MEMBERS = Feed(
    source="contact_center",
    name="campaign_members",
    description=(
        "Customers targeted by an outbound campaign, with their random assignment to the "
        "pilot group (contacted) or the control group (held out), and the response."
    ),
    business_key=("campaign_id", "customer_id"),
    columns=(
        Column("campaign_id", "string", "Campaign id.", required=True, example="CMP-2024-03"),
        Column("customer_id", "string", "Customer number of the targeted customer.", required=True, example="C000123"),
        Column(
            "test_group",
            "string",
            "pilot (treated) or control (held out).",
            required=True,
            allowed=("pilot", "control"),
            example="pilot",
        ),
        Column("campaign_name", "string", "Human name of the campaign.", example="March cross-sell: appliances"),
        Column(
            "campaign_type",
            "string",
            "Life-cycle goal of the campaign.",
            allowed=("acquisition", "up_sell", "cross_sell", "win_back", "retention"),
            example="cross_sell",
        ),
        Column("product_line", "string", "Product line the campaign promotes.", example="appliances"),
        Column(
            "contacted_at",
            "timestamp",
            "When the customer was contacted (empty for the control group).",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-03-04 11:15:00",
        ),
        Column(
            "responded",
            "boolean",
            "True when the customer responded to the offer; defaults to false.",
            default="false",
            example="true",
        ),
    ),
)

FEEDS = (INTERACTIONS, CASES, CAMPAIGN_MEMBERS)
