"""The mart GX suites read dbt models: every suite's qc_<mart> model exists (read from the dbt
manifest) and is read by that suite alone, its columns are documented, and the change against
the previous run is the runner's, with the semantics the suites' SQL had."""

from __future__ import annotations

import json
import math
import re

import duckdb
import pytest

from dagster_project.quality.runner import QUALITY_SCHEMA, run_suite, with_previous
from dagster_project.quality.suites import load_suite, load_suites
from dagster_project.transform.project import dbt_project


def _manifest() -> dict:
    return json.loads(dbt_project().manifest_path.read_text())


def _mart_suites():
    return [s for s in load_suites() if s.kind == "mart"]


def _qc_models(manifest: dict) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["original_file_path"].startswith("models/quality/")
    }


def test_every_mart_suite_reads_its_own_qc_model():
    manifest = _manifest()
    models = _qc_models(manifest)
    readers = {name: [s.name for s in _mart_suites() if s.model == name] for name in models}
    assert {name: len(r) for name, r in readers.items() if len(r) != 1} == {}  # each read by one suite
    for s in _mart_suites():
        if s.model:
            assert s.model == "qc_" + s.asset[-1], s.name
            node = models[s.model]  # a KeyError names a suite whose model is missing
            assert (node["schema"], node["config"]["materialized"]) == (QUALITY_SCHEMA, "view")
            assert node["description"].startswith(f"Read by GX suite {s.name} "), s.name
            assert node["config"]["meta"]["owner"]


def test_suites_with_sql_are_exactly_those_over_tables_dbt_does_not_build():
    manifest = _manifest()
    dbt_marts = {("marts", n["name"]) for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    python_marts = {
        tuple(n["meta"]["dagster"]["asset_key"])
        for n in manifest["sources"].values()
        if n.get("meta", {}).get("dagster", {}).get("asset_key", [""])[0] == "marts"
    }
    with_sql = {s.asset for s in _mart_suites() if s.query}
    assert with_sql == python_marts == {("marts", "customer_clv"), ("marts", "clv_model_fit")}
    assert not with_sql & dbt_marts


def test_qc_models_read_the_marts_through_ref():
    models = _qc_models(_manifest())
    assert len(models) == len([s for s in _mart_suites() if s.model]) >= 30
    for name, node in models.items():
        parents = node["depends_on"]["nodes"]
        assert parents and all(p.startswith("model.vector_crm.") for p in parents), name
        code = re.sub(r"\{#.*?#\}", "", node["raw_code"], flags=re.DOTALL)  # the SQL, not its comment
        assert not re.search(r"\bmarts\.\w", code), name  # a table named directly, not through ref()


def test_every_column_an_expectation_judges_is_a_documented_column_of_its_model():
    models = _qc_models(_manifest())
    for s in _mart_suites():
        if not s.model:
            continue
        documented = {c for c, spec in models[s.model]["columns"].items() if spec.get("description")}
        derived = set(s.compare_previous or {})
        assert set(s.columns) - documented - derived == set(), s.name
        assert set((s.compare_previous or {}).values()) <= documented, s.name


def _suite(tmp_path, expectations: list[dict], compare_previous: dict | None = None):
    meta = {"kind": "mart", "asset": ["marts", "x"], "model": "qc_x"}
    if compare_previous:
        meta["compare_previous"] = compare_previous
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"name": "marts.x", "meta": {"vector_crm": meta}, "expectations": expectations}))
    return load_suite(path)


def _between(column: str, severity: str, **bounds) -> dict:
    return {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": column, **bounds},
        "meta": {"severity": severity},
    }


def _qc_view(paths, total: float, rows: int = 1) -> None:
    """The suite's model as the runner finds it: a view in the quality schema."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(f"create schema if not exists {QUALITY_SCHEMA}")
        con.execute(
            f"create or replace view {QUALITY_SCHEMA}.qc_x as "
            f"select {total}::double as total, i as part from range({rows}) t(i)"
        )


def test_the_change_against_the_last_run_without_an_error(paths, tmp_path):
    suite = _suite(
        tmp_path,
        [_between("total", "error", min_value=1), _between("total_vs_previous", "warn", min_value=0.9, max_value=1.5)],
        compare_previous={"total_vs_previous": "total"},
    )

    def ratio(run_id: str) -> list:
        outcome = run_suite(paths, suite, run_id)
        [r] = [r for r in outcome.results if r["column_name"] == "total_vs_previous"]
        return [r["status"], outcome.passed]

    _qc_view(paths, 100)
    assert ratio("r1") == ["not_judged", True]  # nothing to compare with yet
    _qc_view(paths, 50)
    assert ratio("r2") == ["warning", True]  # 50 / 100: a warning, published, the new normal
    _qc_view(paths, 0.5)
    assert ratio("r3") == ["warning", False]  # 0.5 / 50 and total below 1: an error run
    _qc_view(paths, 55)
    assert ratio("r4") == ["passed", True]  # against r2's 50 (1.1), not r3's 0.5 (110)
    frame = with_previous(paths, suite, duckdb.sql("select 66.0::double as total from range(3)").df())
    assert [round(v, 6) for v in frame["total_vs_previous"]] == [1.2, 1.2, 1.2]  # 66 / 55, on every row


def test_a_previous_value_of_zero_compares_with_nothing(paths, tmp_path):
    suite = _suite(tmp_path, [_between("total", "warn", min_value=1)], compare_previous={"share": "total"})
    _qc_view(paths, 0)
    run_suite(paths, suite, "r1")  # a warning only: its 0 is the previous value now
    frame = with_previous(paths, suite, duckdb.sql("select 5.0::double as total").df())
    assert math.isnan(frame["share"][0])


def test_a_suite_names_a_model_or_sql_never_both_nor_a_previous_placeholder(tmp_path):
    def write(meta: dict):
        path = tmp_path / "y.json"
        spec = {"name": "marts.y", "meta": {"vector_crm": {"kind": "mart", "asset": ["marts", "y"], **meta}}}
        path.write_text(json.dumps(spec | {"expectations": [_between("a", "error", min_value=0)]}))
        return path

    with pytest.raises(ValueError, match=r"needs meta\.vector_crm\.model"):
        load_suite(write({"model": "qc_y", "query": "select 1 as a"}))
    with pytest.raises(ValueError, match=r"needs meta\.vector_crm\.model"):
        load_suite(write({}))
    with pytest.raises(ValueError, match="compare_previous column"):
        load_suite(write({"query": "select count(*) / {previous:a} as a"}))
    with pytest.raises(ValueError, match="maps a new column to another column"):
        load_suite(write({"model": "qc_y", "compare_previous": {"a": "a"}}))


def test_qc_models_are_dbt_assets_of_their_own_and_the_checks_stay_on_the_marts():
    import dagster as dg

    from dagster_project.definitions import defs, serving_warehouse, vector_crm_dbt_assets

    graph = defs.resolve_asset_graph()
    qc = {k for k in graph.get_all_asset_keys() if k.path[0] == "quality"}
    assert qc == {dg.AssetKey(["quality", s.model]) for s in _mart_suites() if s.model}
    assert {graph.get(k).group_name for k in qc} == {"quality"}
    # built by the same dbt step as the marts they read: current whenever the publish step runs
    assert qc <= set(vector_crm_dbt_assets.keys)
    checked = {spec.asset_key for spec in serving_warehouse.check_specs}
    assert checked == {dg.AssetKey(list(s.asset)) for s in _mart_suites()}
    assert not {k for k in graph.asset_check_keys if k.asset_key.path[0] == "quality"}
