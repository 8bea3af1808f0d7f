"""Web source: clickstream, logins and self-service events (UTF-8 JSON lines)."""

from .base import Column, Feed

EVENTS = Feed(
    source="web",
    name="events",
    description=(
        "One JSON object per line per web event. A visitor is known by anonymous_id "
        "(cookie) and, once logged in, also by user_email or customer_id."
    ),
    business_key=("event_id",),
    file_format="jsonl",
    columns=(
        Column("event_id", "string", "Unique event id.", required=True, example="E000000001"),
        Column(
            "event_at",
            "timestamp",
            "When the event happened.",
            required=True,
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-14 20:01:13",
        ),
        Column("anonymous_id", "string", "Cookie or device id of the visitor.", required=True, example="a9f3c2e1"),
        Column("user_email", "string", "Email of the logged-in user.", pii=True, example="ana.gomez@example.com"),
        Column(
            "customer_id", "string", "Customer number of the logged-in user, when the site knows it.", example="C000123"
        ),
        Column(
            "event_type",
            "string",
            "What happened.",
            required=True,
            allowed=(
                "page_view",
                "product_view",
                "add_to_cart",
                "checkout",
                "purchase",
                "login",
                "signup",
                "self_service",
            ),
            example="product_view",
        ),
        Column("page", "string", "Page path.", example="/products/sku-00017"),
        Column("product_sku", "string", "Product SKU for product, cart and purchase events.", example="SKU-00017"),
        Column("utm_source", "string", "UTM source of the visit.", example="newsletter"),
        Column("utm_campaign", "string", "UTM campaign of the visit.", example="CMP-2024-03"),
        Column("device", "string", "Device class.", allowed=("desktop", "mobile", "tablet", "app"), example="mobile"),
    ),
)

FEEDS = (EVENTS,)
