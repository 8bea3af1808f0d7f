"""dbt layers in dependency order, read from the manifest.

    staging                  stg_*   schema staging       reads sources, seeds, staging
    intermediate             int_*   schema intermediate  reads staging, intermediate, seeds
    marts/core               the conformed dimensions and facts (schema marts) and the
                             customer-grain blocks over them (marts/core/intermediate, int_*,
                             schema intermediate)        reads the layers above and core
    marts/<area>             an area's marts (schema marts) and its private blocks
                             (marts/<area>/intermediate, int_*, schema intermediate)
                                                         reads the layers above and marts
    quality                  qc_* views that GX suites validate; reads anything before it

A model never reads a later layer, and only staging reads sources
(docs/DECISIONLOG.md, "Layers in one direction").
"""

import json

from dagster_project.transform.project import dbt_project

LAYERS = ("staging", "intermediate", "core", "marts", "quality")


def layer_of(path: str) -> str | None:
    """A model's layer from its path under models/ (None: a folder outside every layer)."""
    parts = path.split("/")
    if parts[0] == "marts":
        return "core" if parts[1] == "core" else "marts"
    return parts[0] if parts[0] in LAYERS else None


def layer_violations(manifest: dict) -> list[str]:
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    out = []
    for node in models.values():
        layer = layer_of(node["path"])
        if layer is None:
            out.append(f"{node['name']}: {node['path']} is in no layer")
            continue
        for parent in node["depends_on"]["nodes"]:
            if parent in models:
                parent_layer = layer_of(models[parent]["path"])
                if parent_layer and LAYERS.index(parent_layer) > LAYERS.index(layer):
                    out.append(f"{node['name']} ({layer}) reads {models[parent]['name']} ({parent_layer})")
            elif parent.startswith("source.") and layer != "staging":
                out.append(f"{node['name']} ({layer}) reads source {parent}")
        prefix = {"staging": "stg_", "quality": "qc_"}.get(layer)
        if node["name"].startswith("int_"):
            expected = "intermediate"
        elif prefix:
            expected = layer
            if not node["name"].startswith(prefix):
                out.append(f"{node['name']}: a {layer} model's name starts with {prefix}")
        else:
            expected = "marts"
        if node["config"].get("schema") != expected:
            out.append(f"{node['name']}: schema {node['config'].get('schema')}, expected {expected}")
    return out


def _model(name: str, path: str, schema: str, parents=()) -> tuple[str, dict]:
    uid = f"model.vector_crm.{name}"
    return uid, {
        "resource_type": "model",
        "name": name,
        "path": path,
        "config": {"schema": schema},
        "depends_on": {"nodes": list(parents)},
    }


def test_the_project_reads_its_layers_in_one_direction():
    manifest = json.loads(dbt_project().manifest_path.read_text())
    assert layer_violations(manifest) == []


def test_every_layer_has_models():
    manifest = json.loads(dbt_project().manifest_path.read_text())
    layers = {layer_of(n["path"]) for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert {"staging", "intermediate", "core", "marts"} <= layers


def test_a_back_edge_a_misplaced_schema_and_a_source_read_are_found():
    nodes = dict(
        [
            _model("stg_a", "staging/s/stg_a.sql", "staging", ["source.vector_crm.s.a"]),
            _model("fct_a", "marts/core/fct_a.sql", "marts", ["model.vector_crm.stg_a"]),
            # intermediate reading a core mart: the back edge
            _model("int_b", "intermediate/x/int_b.sql", "intermediate", ["model.vector_crm.fct_a"]),
            # an area block reading core: allowed; but published in schema marts: not
            _model("int_c", "marts/x/intermediate/int_c.sql", "marts", ["model.vector_crm.fct_a"]),
            # a mart reading a source directly
            _model("m", "marts/x/m.sql", "marts", ["source.vector_crm.s.a", "model.vector_crm.int_c"]),
        ]
    )
    assert layer_violations({"nodes": nodes}) == [
        "int_b (intermediate) reads fct_a (core)",
        "int_c: schema marts, expected intermediate",
        "m (marts) reads source source.vector_crm.s.a",
    ]
