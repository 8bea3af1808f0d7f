"""Sales source: the ERP customer master and POS/ERP order lines (UTF-8 CSV)."""

from .base import Column, Feed

CUSTOMERS = Feed(
    source="sales",
    name="customers",
    description=(
        "ERP customer master. One row per customer number; a later file may repeat a "
        "customer with changed attributes (the newest version wins in staging)."
    ),
    business_key=("customer_id",),
    version_column="updated_at",
    columns=(
        Column("customer_id", "string", "Customer number in the ERP.", required=True, example="C000123"),
        Column(
            "customer_name",
            "string",
            "Full name of a person or legal name of a company.",
            pii=True,
            example="Ana María Gómez",
        ),
        Column("document_id", "string", "National identity or tax document number.", pii=True, example="52.345.678"),
        Column("email", "string", "Contact email as typed in the ERP.", pii=True, example="ana.gomez@example.com"),
        Column("phone", "string", "Contact phone in any format.", pii=True, example="+57 300 123 4567"),
        Column(
            "birth_date",
            "date",
            "Birth date of a person (empty for companies).",
            min="1900-01-01",
            max="2100-01-01",
            example="1984-03-17",
        ),
        Column(
            "is_company",
            "boolean",
            "True when the customer is a company, not a person.",
            default="false",
            example="false",
        ),
        Column("economic_activity", "string", "Economic activity or industry of the customer.", example="retail"),
        Column("city", "string", "City of the customer's main address.", example="Medellín"),
        Column("region", "string", "Region, state or department of the main address.", example="Antioquia"),
        Column(
            "created_date",
            "date",
            "Date the customer was registered in the ERP.",
            min="1900-01-01",
            max="2100-01-01",
            example="2023-05-02",
        ),
        Column(
            "updated_at",
            "timestamp",
            "When this version of the record was exported; newer wins.",
            example="2024-01-31 23:10:00",
        ),
    ),
)

ORDER_LINES = Feed(
    source="sales",
    name="order_lines",
    description=(
        "Order lines from ERP or point-of-sale exports. Only order_id, order_date, "
        "customer_id and net_amount are required; a later file may repeat a line "
        "with a new status (the newest version wins in staging)."
    ),
    business_key=("order_id", "order_line"),
    columns=(
        Column("order_id", "string", "Order or invoice number.", required=True, example="O0000042"),
        Column(
            "order_line",
            "integer",
            "Line number within the order; when missing, staging numbers lines in file order.",
            min=1,
            example="1",
        ),
        Column(
            "order_date",
            "date",
            "Date of the order.",
            required=True,
            min="1990-01-01",
            max="2100-01-01",
            example="2024-02-14",
        ),
        Column(
            "customer_id",
            "string",
            "Customer number (matches sales/customers.customer_id).",
            required=True,
            example="C000123",
        ),
        Column(
            "channel",
            "string",
            "Sales channel.",
            allowed=("store", "web", "phone", "field_sales", "marketplace", "other"),
            example="store",
        ),
        Column("branch", "string", "Branch or store code.", example="MED-01"),
        Column("product_sku", "string", "Product SKU.", example="SKU-00017"),
        Column("product_line", "string", "Product line of the SKU.", example="appliances"),
        Column("quantity", "decimal", "Units sold; defaults to 1.", min=0, default="1", example="2"),
        Column("unit_price", "decimal", "List price per unit before discount.", min=0, example="150.00"),
        Column(
            "discount", "decimal", "Discount amount on the line; defaults to 0.", min=0, default="0", example="10.00"
        ),
        Column(
            "net_amount",
            "decimal",
            "Net revenue of the line after discount, before tax. Negative for credit notes.",
            required=True,
            example="290.00",
        ),
        Column(
            "unit_cost",
            "decimal",
            "Cost per unit; when missing, marts use the product line's default margin.",
            min=0,
            example="95.50",
        ),
        Column(
            "status",
            "string",
            "Line status; defaults to completed.",
            allowed=("completed", "cancelled", "returned"),
            default="completed",
            example="completed",
        ),
        Column(
            "payment_due_date",
            "date",
            "Date the payment is due.",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-03-15",
        ),
        Column(
            "paid_date",
            "date",
            "Date the payment was received; empty while unpaid.",
            min="1990-01-01",
            max="2100-01-01",
            example="2024-03-20",
        ),
    ),
)

FEEDS = (CUSTOMERS, ORDER_LINES)
