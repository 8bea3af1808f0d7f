"""The contracts are consistent, and the docs generated from them are current."""

from dagster_project.contracts import ALL_FEEDS, docs, get_feed


def test_order_lines_requires_exactly_the_four_columns():
    assert get_feed("sales", "order_lines").required_columns == ["order_id", "order_date", "customer_id", "net_amount"]
    assert get_feed("sales", "order_lines").column("status").default == "completed"


def test_every_feed_of_the_design_has_a_contract():
    assert sorted(f.key for f in ALL_FEEDS) == [
        "contact_center/campaign_members",
        "contact_center/cases",
        "contact_center/interactions",
        "sales/customers",
        "sales/order_lines",
        "web/events",
    ]


def test_every_column_is_described_with_an_example():
    for feed in ALL_FEEDS:
        for c in feed.columns:
            assert c.description and c.example, f"{feed.key}.{c.name}"


def test_readme_contract_section_is_current():
    assert docs.main(["--check"]) == 0
