"""The profile a raw suite validates, on tiny loads, against numbers worked out by hand: each
statistic at its grain (file, load, landing day), compared with admitted batches only."""

from __future__ import annotations

import time
from datetime import date

import pandas as pd
import pytest

from dagster_project.contracts import get_feed
from dagster_project.ingest import verdicts
from dagster_project.ingest.loader import ingest_feed
from dagster_project.ingest.manifest import read_manifest
from dagster_project.quality.profile import Batches, batch_profile

OL = get_feed("sales", "order_lines")
CU = get_feed("sales", "customers")
H = "order_id,order_date,customer_id,net_amount,channel\n"
COLUMNS = [
    "rows",
    "null_rate__channel",
    "null_rate_jump__channel",
    "min__net_amount",
    "max__net_amount",
    "days_after_load__order_date",
    "days_behind__order_date",
    "orphan_rate__customer_id",
    "channel",
]


def _land(paths, rel: str, text: str) -> None:
    target = paths.landing / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _batches(paths, feed=OL) -> dict[str, str]:
    """{file name: batch id} of the feed's loaded files."""
    return {
        m["source_file"].rsplit("/", 1)[-1]: m["batch_id"]
        for m in read_manifest(paths.manifest / feed.source / feed.name)
        if m["status"] == "loaded"
    }


def _verdict(paths, feed, name: str, verdict: str) -> None:
    verdicts.write(
        paths,
        feed,
        [{"batch_id": _batches(paths, feed)[name], "source_file": f"{feed.key}/{name}", "verdict": verdict}],
        run_id="test",
    )


def test_a_load_is_compared_with_admitted_batches_only(paths):
    _land(paths, "sales/customers/c.csv", "customer_id\nC1\n")
    _land(paths, "sales/customers/held.csv", "customer_id\nC9\n")  # held: C9 stays unknown
    ingest_feed(paths, CU)
    _verdict(paths, CU, "c.csv", "admitted")
    _verdict(paths, CU, "held.csv", "held")
    _land(paths, "sales/order_lines/d1.csv", H + "O1,2024-01-01,C1,10,store\nO2,2024-01-03,C2,20,\n")
    # held back: its late date and empty channels must not move any comparison
    _land(paths, "sales/order_lines/h.csv", H + "O6,2024-06-30,C1,99,\nO7,2024-06-30,C1,99,\n")
    ingest_feed(paths, OL)
    _verdict(paths, OL, "d1.csv", "admitted")
    _verdict(paths, OL, "h.csv", "held")
    time.sleep(1.05)  # a second load, at a later load time
    _land(
        paths, "sales/order_lines/d2.csv", H + "O3,2024-01-02,C1,30,web\nO4,2024-01-02,C9,-5,\nO5,2024-01-02,C9,7,web\n"
    )
    ingest_feed(paths, OL)
    ids = _batches(paths)

    frame = batch_profile(paths, OL, COLUMNS, Batches(frozenset({ids["d2.csv"]}), frozenset({ids["h.csv"]})))

    [batch] = frame[frame["kind"] == "batch"].to_dict("records")
    [d2] = [m for m in read_manifest(paths.manifest / "sales" / "order_lines") if m["source_file"].endswith("d2.csv")]
    assert batch["source_file"] == "sales/order_lines/d2.csv"  # only the pending batch
    assert batch["rows"] == 3
    assert batch["null_rate__channel"] == pytest.approx(1 / 3)
    assert (batch["min__net_amount"], batch["max__net_amount"]) == (-5, 30)
    assert batch["days_after_load__order_date"] == (date(2024, 1, 2) - d2["loaded_at"].date()).days
    assert batch["days_behind__order_date"] == 1  # admitted d1 holds 2024-01-03 (the held 2024-06-30 does not count)
    [load] = frame[frame["kind"] == "load"].to_dict("records")
    assert (load["load_rows"], load["customer_ids"], load["files"]) == (3, 3, 1)
    assert load["orphan_rate__customer_id"] == pytest.approx(2 / 3)  # C9 twice: only in a held customers file
    assert load["null_rate_jump__channel"] == pytest.approx(1 / 3 - 1 / 2)  # against d1 alone, not h.csv's 2 of 2
    assert frame[frame["kind"] == "values"]["channel"].tolist() == ["web"]


def test_volume_is_judged_per_landing_day_against_the_days_before_it(paths, monkeypatch):
    # One file a day, f<K> holding K rows; every file its own part, and the part ids sort in the
    # reverse of the file order (a large load writes parts with random ids): only the landing day
    # can give "the 7 days before it". Day 5 is held back: it is not a day of anyone's window.
    from dagster_project.ingest import loader

    ids = iter(f"part-{n:02d}" for n in range(99, 0, -1))
    monkeypatch.setattr(loader, "_new_part_id", lambda report: next(ids))
    for k in range(1, 10):
        rows = "".join(f"O{k}-{i},2024-01-0{k},C1,1,web\n" for i in range(k))
        _land(paths, f"sales/order_lines/order_lines_2024-01-0{k}.csv", H + rows)
    ingest_feed(paths, OL, chunk_bytes=1)
    assert len({m["part_id"] for m in read_manifest(paths.manifest / "sales" / "order_lines")}) == 9
    batches = _batches(paths)
    held = batches.pop("order_lines_2024-01-05.csv")

    frame = batch_profile(paths, OL, ["rows"], Batches(frozenset(batches.values()), frozenset({held})))

    days = {str(r["landing_day"])[:10]: r for r in frame[frame["kind"] == "day"].to_dict("records")}
    assert "2024-01-05" not in days
    assert pd.isna(days.pop("2024-01-01")["recent_rows"])  # no day before the first
    # medians of the (up to 7) day totals before each day, day 5 left out, worked out by hand
    assert {d: r["recent_rows"] for d, r in days.items()} == {
        "2024-01-02": 1,
        "2024-01-03": 1.5,
        "2024-01-04": 2,
        "2024-01-06": 2.5,
        "2024-01-07": 3,
        "2024-01-08": 3.5,
        "2024-01-09": 4,
    }
    nine = days["2024-01-09"]
    assert (nine["day_rows"], nine["rows_vs_recent"], nine["volume_sample"]) == (9, 9 / 4, 4)


def test_nothing_pending_gives_an_empty_frame(paths):
    _land(paths, "sales/order_lines/d1.csv", H + "O1,2024-01-01,C1,10,store\n")
    ingest_feed(paths, OL)
    assert batch_profile(paths, OL, COLUMNS, Batches(frozenset())).empty
