"""generate(): simulate the customers' lives once, then write each feed and the ground truth.

The simulation runs in numpy on integer codes (no Python loop per row); each part draws
from its own PCG64 stream derived from the seed, so the same size and seed give the same
bytes. Feeds are written one at a time and their frames dropped, to keep memory down.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import campaigns, contact_center, feeds, people, sales, web
from .config import N_DAYS, SIZES, rng_for
from .rows import NA
from .sql import MACROS, PERSONS
from .writer import Writer


class LandingNotEmpty(FileExistsError):
    """The landing zone already holds files and `force` was not given."""


def generate(data_dir: Path, size: str, seed: int, force: bool = False) -> dict:
    """Write landing files for all six feeds and the ground truth; return a summary."""
    started = time.perf_counter()
    spec = SIZES[size.upper()]
    data_dir = Path(data_dir)
    landing, truth = data_dir / "landing", data_dir / "ground_truth"
    if landing.exists() and any(p.is_file() for p in landing.rglob("*")):
        if not force:
            raise LandingNotEmpty(
                f"{landing} already holds files; pass force=True (--force) to replace them and the ground truth"
            )
        shutil.rmtree(landing)
    shutil.rmtree(truth, ignore_errors=True)
    landing.mkdir(parents=True, exist_ok=True)

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(MACROS)
    writer = Writer(con, landing, truth)

    who = people.build(spec, rng_for(seed, "people"))
    con.register("persons_raw", who.persons)
    con.execute(PERSONS)
    con.unregister("persons_raw")
    writer.write(feeds.customers(), [who.customer_rows])

    life = sales.lifecycles(who, spec, rng_for(seed, "lifecycles"))
    rng = rng_for(seed, "orders")
    base = sales.base_orders(life, rng)
    base_lines = sales.lines(base, life, rng)
    members, extra = campaigns.run(who, life, base, base_lines, rng_for(seed, "campaigns"))
    orders, lines = sales.number_orders(base, base_lines, extra, sales.lines(extra, life, rng), who, life, rng)
    del base, base_lines
    writer.write(feeds.order_lines(), sales.order_line_frames(orders, lines, rng_for(seed, "order_lines")))
    del lines

    rng = rng_for(seed, "contact_center")
    all_cases = contact_center.cases(who, life, spec, rng)
    case_rows = contact_center.case_rows(all_cases, who)
    inter = contact_center.interactions(who, life, all_cases, members, len(case_rows), spec, rng)
    writer.write(feeds.interactions(), [inter])
    writer.write(feeds.cases(), [case_rows])
    writer.write(feeds.campaign_members(), [campaigns.member_columns(members)])
    del inter, case_rows

    writer.write(feeds.events(), web.events(who, life, orders, spec, rng_for(seed, "web")))
    writer.finish()
    write_persons(con, who, life, truth / "persons.csv")
    con.close()

    summary = {"size": size.upper(), "seed": seed, "rows": writer.rows, "files": writer.files}
    # the file leaves out the run time so that it is byte-identical across runs too
    (truth / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return {**summary, "seconds": round(time.perf_counter() - started, 1)}


def write_persons(con, who: people.People, life: sales.Lifecycle, path: Path) -> None:
    """The true life cycle of every person: what the desertion and win-back marts should find."""
    n, p = who.n_customers, who.n_persons

    def pad(x, fill=NA):
        return np.concatenate([x, np.full(p - n, fill, x.dtype)])

    frame = pd.DataFrame(
        {
            "person": np.arange(p),
            "in_erp": np.arange(p) < n,
            "is_company": who.is_company,
            "customer_no": pad(who.customer_no, -1),
            "dup_no": pad(who.dup_no, -1),
            "buyer": pad(life.buyer, False),
            "start1": pad(life.start1),
            "end1": pad(life.end1),
            "start2": pad(life.start2),
            "end2": pad(life.end2),
        }
    )
    con.register("truth_persons", frame)
    con.execute(
        f"""copy (select code('P', person + 1, 8) as person_id, in_erp, is_company,
            case when customer_no > 0 then code('C', customer_no, 7) end as customer_id,
            case when dup_no > 0 then code('C', dup_no, 7) end as duplicate_customer_id,
            buyer, d(start1) as active_from, d(end1) as active_to,
            d(start2) as won_back_from, d(end2) as won_back_to,
            buyer and coalesce(na(end2), na(end1)) < {N_DAYS} as deserted
            from truth_persons order by person) to '{path}' (format csv, header)"""
    )
    con.unregister("truth_persons")
