"""The batch profile a raw suite validates, on two tiny loads, against numbers worked out by hand."""

from __future__ import annotations

import time
from datetime import date

import pandas as pd
import pytest

from dagster_project.contracts import get_feed
from dagster_project.ingest.loader import ingest_feed
from dagster_project.ingest.manifest import read_manifest
from dagster_project.quality.profile import batch_profile

OL = get_feed("sales", "order_lines")
COLUMNS = ["rows", "null_rate__channel", "null_rate_jump__channel", "min__net_amount", "max__net_amount",
           "days_after_load__order_date", "days_behind__order_date", "orphan_rate__customer_id", "channel"]


def _land(paths, rel: str, text: str) -> None:
    target = paths.landing / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def test_profile_of_the_latest_load(paths):
    h = "order_id,order_date,customer_id,net_amount,channel\n"
    _land(paths, "sales/customers/c.csv", "customer_id\nC1\n")
    _land(paths, "sales/order_lines/d1.csv", h + "O1,2024-01-01,C1,10,store\nO2,2024-01-03,C2,20,\n")
    ingest_feed(paths, get_feed("sales", "customers"))
    ingest_feed(paths, OL)
    time.sleep(1.05)  # a second load, at a later load time
    _land(paths, "sales/order_lines/d2.csv", h + "O3,2024-01-02,C1,30,web\nO4,2024-01-02,C9,-5,\nO5,2024-01-02,C9,7,web\n")
    ingest_feed(paths, OL)

    frame = batch_profile(paths, OL, COLUMNS)

    [batch] = frame[frame["kind"] == "batch"].to_dict("records")
    [d2] = [m for m in read_manifest(paths.manifest / "sales" / "order_lines") if m["source_file"].endswith("d2.csv")]
    assert batch["source_file"] == "sales/order_lines/d2.csv"  # only the latest load
    assert batch["rows"] == 3
    assert batch["recent_rows"] == 2  # d1, the one file before it
    assert batch["rows_vs_recent"] == pytest.approx(1.5)
    assert batch["null_rate__channel"] == pytest.approx(1 / 3)
    assert batch["null_rate_jump__channel"] == pytest.approx(1 / 3 - 1 / 2)
    assert (batch["min__net_amount"], batch["max__net_amount"]) == (-5, 30)
    assert batch["days_after_load__order_date"] == (date(2024, 1, 2) - d2["loaded_at"].date()).days
    assert batch["days_behind__order_date"] == 1  # d1 already held 2024-01-03
    assert batch["orphan_rate__customer_id"] == pytest.approx(2 / 3)  # C9 twice; C1 is known
    values = frame[frame["kind"] == "values"]
    assert values["channel"].tolist() == ["web"]


def test_recent_rows_follow_the_file_order_of_a_load_written_in_several_parts(paths, monkeypatch):
    # A large load is written in several parts (one per chunk) whose ids are random. Here every
    # file is its own part and the part ids sort in the reverse of the file order, so only the
    # file order can give "the 7 files loaded before it". File fK holds K rows.
    from dagster_project.ingest import loader

    ids = iter(f"part-{n:02d}" for n in range(99, 0, -1))
    monkeypatch.setattr(loader, "_new_part_id", lambda report: next(ids))
    h = "order_id,order_date,customer_id,net_amount,channel\n"
    for k in range(1, 10):
        rows = "".join(f"O{k}-{i},2024-01-0{k},C1,1,web\n" for i in range(k))
        _land(paths, f"sales/order_lines/f{k}.csv", h + rows)
    ingest_feed(paths, OL, chunk_bytes=1)
    assert len({m["part_id"] for m in read_manifest(paths.manifest / "sales" / "order_lines")}) == 9

    frame = batch_profile(paths, OL, ["rows"])

    recent = {r["source_file"][-6:-4]: r["recent_rows"] for r in frame[frame["kind"] == "batch"].to_dict("records")}
    assert pd.isna(recent.pop("f1"))  # no file before the first
    # medians of the (up to 7) row counts before each file, worked out by hand
    assert recent == {"f2": 1, "f3": 1.5, "f4": 2, "f5": 2.5, "f6": 3, "f7": 3.5, "f8": 4, "f9": 5}
