"""From the customers' purchase summary to the two output tables, in memory (no I/O here).

Input, one row per customer (what warehouse.read_summary returns):
    customer_key, x (order days − 1), t_x_days (last − first order day), t_cal_days
    (as-of − first order day), mean_repeat_spend (repeat net revenue / x; null when x = 0)
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import bgnbd, gamma_gamma
from .settings import CLV_MONTHS, HORIZON_DAYS, MONTH_DAYS, ClvSettings


@dataclass(frozen=True)
class Scored:
    customers: pd.DataFrame  # one row per customer: the customer_clv columns but run_id / as_of_date
    fit: dict  # the clv_model_fit columns but run_id / fitted_at / as_of_date
    bgnbd: bgnbd.BgNbdFit
    gamma_gamma: gamma_gamma.GammaGammaFit


def _null(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def discounted_purchases(fit: bgnbd.BgNbdFit, unit_days: float, rate: float, x, t_x, T) -> np.ndarray:
    """Σ_{m=1..12} (E[Y(m months)] − E[Y(m−1 months)]) / (1 + rate)^(m/12): the expected
    purchases of each coming month, discounted to the as-of date (BG/NBD has no closed-form
    discounted expectation; monthly steps are the usual approximation)."""
    total = np.zeros(len(x))
    previous = np.zeros(len(x))
    for m in range(1, CLV_MONTHS + 1):
        cumulative = bgnbd.expected_purchases(fit, m * MONTH_DAYS / unit_days, x, t_x, T)
        total += (cumulative - previous) / (1 + rate) ** (m / 12)
        previous = cumulative
    return total


def score(summary: pd.DataFrame, settings: ClvSettings) -> Scored:
    started = time.monotonic()
    unit = float(settings.time_unit_days)
    x = summary["x"].to_numpy(dtype=float)
    t_x = summary["t_x_days"].to_numpy(dtype=float) / unit
    T = summary["t_cal_days"].to_numpy(dtype=float) / unit
    zbar = summary["mean_repeat_spend"].to_numpy(dtype=float, na_value=np.nan)
    n = len(summary)
    # A history the model cannot describe (an order after the as-of date, a null) is left out
    # of the fit and gets null predictions instead of failing the pipeline.
    valid = (
        np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T) & (x >= 0) & (t_x >= 0) & (t_x <= T) & ((x > 0) | (t_x == 0))
    )

    bg = bgnbd.fit(x[valid], t_x[valid], T[valid], penalizer=settings.penalizer)
    repeat = valid & (x > 0) & np.isfinite(zbar) & (zbar > 0)
    gg = gamma_gamma.fit(x[repeat], zbar[repeat], penalizer=settings.penalizer)

    p_alive, e_short, e_long, discounted = _null(n), _null(n), _null(n), _null(n)
    if bg.converged:
        # Predictions depend on (x, t_x, T) only: compute them once per distinct triple.
        triples, inverse = np.unique(np.column_stack([x[valid], t_x[valid], T[valid]]), axis=0, return_inverse=True)
        ux, ut_x, uT = triples.T
        p_alive[valid] = bgnbd.p_alive(bg, ux, ut_x, uT)[inverse]
        e_short[valid] = bgnbd.expected_purchases(bg, HORIZON_DAYS[0] / unit, ux, ut_x, uT)[inverse]
        e_long[valid] = bgnbd.expected_purchases(bg, HORIZON_DAYS[1] / unit, ux, ut_x, uT)[inverse]
        discounted[valid] = discounted_purchases(bg, unit, settings.discount_rate_annual, ux, ut_x, uT)[inverse]
    spend = _null(n)
    if gg.converged:
        spend[valid] = gamma_gamma.expected_average_spend(gg, x[valid], zbar[valid])
    clv = discounted * spend  # null wherever either model could not say

    customers = pd.DataFrame(
        {
            "customer_key": summary["customer_key"].to_numpy(),
            "x": summary["x"].to_numpy(),
            "t_x": t_x,
            "t_cal": T,
            "mean_repeat_spend": np.where(x > 0, zbar, np.nan),
            "p_alive": p_alive,
            "expected_purchases_90d": e_short,
            "expected_purchases_365d": e_long,
            "expected_avg_order_value": spend,
            "clv_12m": clv,
        }
    )
    in_gg = repeat
    correlation = float(np.corrcoef(x[in_gg], zbar[in_gg])[0, 1]) if in_gg.sum() > 2 else float("nan")
    fit = {
        "time_unit_days": settings.time_unit_days,
        "discount_rate_annual": settings.discount_rate_annual,
        "penalizer": settings.penalizer,
        "customers": n,
        "customers_excluded": int(n - valid.sum()),
        "bgnbd_customers": bg.customers,
        "bgnbd_r": bg.r,
        "bgnbd_alpha": bg.alpha,
        "bgnbd_a": bg.a,
        "bgnbd_b": bg.b,
        "bgnbd_log_likelihood": bg.log_likelihood,
        "bgnbd_converged": bg.converged,
        "bgnbd_message": bg.message,
        "gg_customers": gg.customers,
        "gg_p": gg.p,
        "gg_q": gg.q,
        "gg_gamma": gg.gamma,
        "gg_log_likelihood": gg.log_likelihood,
        "gg_converged": gg.converged,
        "gg_message": gg.message,
        "frequency_spend_correlation": correlation,
        "fit_seconds": round(time.monotonic() - started, 3),
    }
    return Scored(customers, fit, bg, gg)


def inconsistencies(scored: Scored) -> list[str]:
    """What a converged model's predictions must satisfy for every customer it covers (all but
    the excluded): 0 < P(alive) <= 1, 0 <= E[90 days] <= E[365 days], an order value > 0,
    CLV >= 0. A numerical failure (a ₂F₁ that did not converge, say) shows up here instead of
    as a silent null or a negative number."""
    c, fit = scored.customers, scored.fit
    found = []
    if fit["bgnbd_converged"]:
        missing = int(c["p_alive"].isna().sum()) - fit["customers_excluded"]
        if missing:
            found.append(f"{missing} customers without P(alive)")
        p, e90, e365 = c["p_alive"], c["expected_purchases_90d"], c["expected_purchases_365d"]
        bad = p.notna() & ~((p > 0) & (p <= 1) & (e90 >= 0) & (e90 <= e365))
        if bad.any():
            found.append(f"{int(bad.sum())} customers with P(alive) outside (0, 1] or not 0 <= E[90d] <= E[365d]")
    if fit["gg_converged"]:
        missing = int(c["expected_avg_order_value"].isna().sum()) - fit["customers_excluded"]
        if missing:
            found.append(f"{missing} customers without an expected order value")
        bad = c["expected_avg_order_value"].notna() & ~(c["expected_avg_order_value"] > 0)
        if bad.any():
            found.append(f"{int(bad.sum())} customers with an expected order value <= 0")
    bad = c["clv_12m"].notna() & ~(c["clv_12m"] >= 0)
    if bad.any():
        found.append(f"{int(bad.sum())} customers with a negative CLV")
    return found


def fit_summary(scored: Scored) -> dict:
    """A short dict for logs and asset metadata."""
    return {"bgnbd": asdict(scored.bgnbd), "gamma_gamma": asdict(scored.gamma_gamma)}
