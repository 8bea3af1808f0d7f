"""The Dagster definitions load, with one ingest asset per feed wired upstream of its staging model."""

import dagster as dg

from dagster_project.contracts import ALL_FEEDS
from dagster_project.definitions import defs
from dagster_project.transform.assets import VectorCrmTranslator


def _graph():
    return defs.resolve_asset_graph()


def test_one_ingest_asset_per_feed_in_group_raw():
    graph = _graph()
    raw_keys = {k for k in graph.get_all_asset_keys() if k.path[0] == "raw"}
    assert raw_keys == {dg.AssetKey(["raw", f.source, f.name]) for f in ALL_FEEDS}
    for key in raw_keys:
        assert graph.get(key).group_name == "raw"


def test_each_staging_model_depends_on_its_ingest_asset():
    graph = _graph()
    for f in ALL_FEEDS:
        staging = dg.AssetKey(["staging", f"stg_{f.source}__{f.name}"])
        assert dg.AssetKey(["raw", f.source, f.name]) in graph.get(staging).parent_keys
        assert graph.get(staging).group_name == "staging"


def test_dbt_tests_are_asset_checks():
    checks = list(_graph().asset_check_keys)
    staging_checks = [c for c in checks if c.asset_key.path[0] == "staging"]
    assert any(c.name.startswith("unique") for c in staging_checks)
    assert any(c.name.startswith("not_null") for c in staging_checks)


def test_translator_keys_models_by_schema_and_groups_them_by_layer():
    def props(fqn, schema):
        return {"resource_type": "model", "fqn": ["vector_crm", *fqn], "name": fqn[-1], "config": {"schema": schema}}

    cases = [
        # fqn under models/, schema: asset key, group
        (["marts", "segments", "customer_rfm"], "marts", ["marts", "customer_rfm"], "marts"),
        (["marts", "core", "fct_orders"], "marts", ["marts", "fct_orders"], "core"),
        # an area's building block: keyed by its schema, grouped with the layer it sits in
        (["marts", "core", "intermediate", "int_customers__profiles"], "intermediate", None, "core"),
        (["marts", "segments", "intermediate", "int_segments__customers"], "intermediate", None, "marts"),
        (["intermediate", "identity", "int_identity__links"], "intermediate", None, "intermediate"),
    ]
    t = VectorCrmTranslator()
    for fqn, schema, key, group in cases:
        assert t.get_asset_key(props(fqn, schema)) == dg.AssetKey(key or [schema, fqn[-1]])
        assert t.get_group_name(props(fqn, schema)) == group


def test_asset_groups_follow_the_layers_in_one_direction():
    # no asset of a later group feeds an asset of an earlier one
    order = ["raw", "seeds", "staging", "intermediate", "core", "marts", "quality", "serving"]
    graph = _graph()
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(groups.values()) <= set(order), set(groups.values()) - set(order)
    backwards = [
        (parent, key)
        for key in groups
        for parent in graph.get(key).parent_keys
        if order.index(groups[parent]) > order.index(groups[key])
    ]
    assert backwards == []


def test_jobs_select_what_they_say():
    graph = _graph()
    all_keys = graph.get_all_asset_keys()
    full = defs.resolve_job_def("full_pipeline").asset_layer.selected_asset_keys
    ingest = defs.resolve_job_def("ingest_only").asset_layer.selected_asset_keys
    # everything but the one external asset, the lake's verdicts (the ingest steps write it)
    assert full == all_keys - {dg.AssetKey(["lake", "batch_verdicts"])}
    assert graph.get(dg.AssetKey(["lake", "batch_verdicts"])).parent_keys == ingest
    assert ingest == {dg.AssetKey(["raw", f.source, f.name]) for f in ALL_FEEDS}
    assert defs.resolve_schedule_def("daily_full_pipeline").job_name == "full_pipeline"


def test_a_mart_is_held_with_every_mart_built_from_it_through_any_models():
    from dagster_project.definitions import mart_assets, upstream_marts

    upstream = upstream_marts(mart_assets)
    # through intermediate models: fct_orders is built from fct_order_lines (int_orders__*)
    assert "fct_order_lines" in upstream["fct_orders"]
    # across asset definitions: the CLV model (Python) reads dbt's marts
    assert {"customer_purchase_stats", "fct_orders"} <= upstream["customer_clv"]
    # and not the other way round, nor between unrelated facts
    assert "customer_clv" not in upstream["customer_purchase_stats"]
    assert "fct_orders" not in upstream["fct_cases"]


def test_dbt_assets_are_owned_by_the_team_their_layer_names():
    # meta.owner per layer in dbt/dbt_project.yml, as Dagster writes a team
    graph = _graph()
    owners = {
        ("staging", "stg_sales__order_lines"): ["team:data-engineering"],
        ("intermediate", "int_customers__profiles"): ["team:analytics-engineering"],
        ("marts", "dim_customers"): ["team:analytics-engineering"],
        ("segments", "lifecycle_stages"): ["team:analytics-engineering"],  # a seed, keyed by its folder
    }
    assert {key: list(graph.get(dg.AssetKey(list(key))).owners) for key in owners} == owners
