"""BG/NBD against the paper and against the formulas worked out independently here.

Published figures: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way",
CDNOW sample of 2,357 customers, weeks 1-39: r = 0.243, alpha = 4.414, a = 0.793,
b = 2.426, log-likelihood -9582.4. The reference values below use the math module and
plain series, never the code under test.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from dagster_project.clv import bgnbd

CDNOW_SUMMARY = (
    Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
)
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PAPER_FIT = bgnbd.BgNbdFit(**PUBLISHED, log_likelihood=-9582.4, customers=2357, converged=True, message="published")


def _cdnow():
    with open(CDNOW_SUMMARY, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return (np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T"))


def _hyp2f1_series(a, b, c, z, terms=20000):
    """Gauss's series Σ (a)_n (b)_n / (c)_n z^n / n!, for 0 <= z < 1, term by term."""
    total, term = 1.0, 1.0
    for n in range(terms):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        if abs(term) < 1e-16 * abs(total):
            break
    return total


def _expected_by_eq10(r, alpha, a, b, t, x, t_x, T):
    """Eq. (10) exactly as printed, with the hypergeometric function as its series."""
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * _hyp2f1_series(r + x, b + x, a + b + x - 1, z)
    denominator = 1 + (a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0)
    return (a + b + x - 1) / (a - 1) * bracket / denominator


def test_fit_reproduces_the_published_cdnow_parameters_within_one_percent():
    x, t_x, T = _cdnow()
    assert len(x) == 2357
    fit = bgnbd.fit(x, t_x, T)
    assert fit.converged
    for name, published in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert fit.customers == 2357


def test_p_alive_without_repeat_purchases_is_one():
    # eq: 1 / (1 + δ(x>0)·…): with x = 0 the second term is absent, whatever t_x and T.
    assert bgnbd.p_alive(PAPER_FIT, 0, 0.0, 38.86) == pytest.approx(1.0)
    assert bgnbd.p_alive(PAPER_FIT, 0, 0.0, 0.0) == pytest.approx(1.0)


def test_p_alive_by_hand():
    # x = 2, t_x = 30.43, T = 38.86 with the published parameters:
    # a/(b+x−1) = 0.793/3.426; ((α+T)/(α+t_x))^(r+x) = (43.274/34.844)^2.243
    odds = 0.793 / 3.426 * (43.274 / 34.844) ** 2.243
    assert bgnbd.p_alive(PAPER_FIT, 2, 30.43, 38.86) == pytest.approx(1 / (1 + odds), rel=1e-12)
    # a customer silent for long after a busy start is very probably gone
    odds = 0.793 / (2.426 + 10 - 1) * ((4.414 + 80) / (4.414 + 10)) ** (0.243 + 10)
    assert bgnbd.p_alive(PAPER_FIT, 10, 10.0, 80.0) == pytest.approx(1 / (1 + odds), rel=1e-10)


def test_expected_purchases_match_hardies_worked_example():
    # The worked example of Fader & Hardie's BG/NBD notes (the spreadsheet implementation of the
    # paper): a customer with x = 2, t_x = 30.43, T = 38.86 makes 1.226 purchases in the next 39 weeks.
    x, t_x, T = _cdnow()
    fit = bgnbd.fit(x, t_x, T)
    assert bgnbd.expected_purchases(fit, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.0005)


@pytest.mark.parametrize(
    ("t", "x", "t_x", "T"),
    [
        (39.0, 2, 30.43, 38.86),
        (52.0, 0, 0.0, 38.86),  # one-time buyer
        (52.0, 0, 0.0, 0.0),  # first order on the as-of date
        (12.86, 1, 1.71, 38.86),
        (52.0, 30, 37.0, 38.86),  # a frequent buyer: the printed form nears overflow territory
        (52.0, 5, 2.0, 150.0),  # long silent
    ],
)
def test_expected_purchases_equal_eq10_as_printed(t, x, t_x, T):
    expected = _expected_by_eq10(*PUBLISHED.values(), t, x, t_x, T)
    assert bgnbd.expected_purchases(PAPER_FIT, t, x, t_x, T) == pytest.approx(expected, rel=1e-9)


def test_expected_purchases_of_a_brand_new_customer_equal_the_unconditional_eq9():
    # x = t_x = T = 0: eq. (10) reduces to E[X(t)] of eq. (9):
    # (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]
    r, alpha, a, b = PUBLISHED.values()
    t = 52.0
    eq9 = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * _hyp2f1_series(r, b, a + b - 1, t / (alpha + t)))
    assert bgnbd.expected_purchases(PAPER_FIT, t, 0, 0.0, 0.0) == pytest.approx(eq9, rel=1e-9)


def test_log_likelihood_by_hand_for_one_customer():
    # eq. (6) for x = 2, t_x = 30.43, T = 38.86, term by term with math.lgamma
    r, alpha, a, b = PUBLISHED.values()
    x, t_x, T = 2, 30.43, 38.86

    def log_beta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    first = math.exp(log_beta(a, b + x) - log_beta(a, b) + common - (r + x) * math.log(alpha + T))
    second = math.exp(log_beta(a + 1, b + x - 1) - log_beta(a, b) + common - (r + x) * math.log(alpha + t_x))
    got = bgnbd.log_likelihood((r, alpha, a, b), np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(math.log(first + second), rel=1e-12)


def test_gradient_agrees_with_finite_differences():
    x, t_x, T = _cdnow()
    params = np.array([0.3, 5.0, 0.7, 2.0])
    _c, _log_sum, w, xr = bgnbd._terms(params, x, t_x, T)
    analytic = bgnbd._gradient(params, x, t_x, T, w, xr).sum(axis=1)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        numeric = (
            bgnbd.log_likelihood(params + step, x, t_x, T).sum() - bgnbd.log_likelihood(params - step, x, t_x, T).sum()
        ) / (2 * step[i])
        assert analytic[i] == pytest.approx(numeric, rel=1e-5)


def test_no_customers_is_reported_not_raised():
    fit = bgnbd.fit([], [], [])
    assert not fit.converged and fit.customers == 0 and math.isnan(fit.r)


def test_nobody_ever_repeating_does_not_count_as_converged():
    # With x = 0 for all, the likelihood (α/(α+T))^r grows as r → 0: no interior maximum.
    fit = bgnbd.fit([0, 0, 0, 0], [0, 0, 0, 0], [10.0, 20.0, 5.0, 1.0])
    assert not fit.converged


def test_unconditional_expectation_matches_hardies_spreadsheet():
    # E[X(t)] of eq. (9) for the CDNOW fit, as tabulated in Fader & Hardie's spreadsheet
    # implementation of the paper (4 decimals). A customer with x = t_x = T = 0 has exactly
    # this expectation (eq. 10 reduces to eq. 9), which is how the model code computes it.
    x, t_x, T = _cdnow()
    fit = bgnbd.fit(x, t_x, T)
    weeks = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0]
    spreadsheet = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    got = [float(bgnbd.expected_purchases(fit, t, 0, 0.0, 0.0)) for t in weeks]
    assert got == pytest.approx(spreadsheet, abs=0.00051)


def test_extreme_frequency_neither_overflows_nor_warns():
    # x = 1000 repeat purchases, silent for 90 weeks: (α+T)/(α+t_x) raised to 1000.24 would
    # overflow a float if computed directly; in logs it is a P(alive) of (almost) 0.
    # (Underflow to 0 is the right answer here, so only overflow and invalid values raise.)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        assert bgnbd.p_alive(PAPER_FIT, 1000, 10.0, 100.0) == pytest.approx(0.0, abs=1e-300)
        assert 0.0 <= bgnbd.expected_purchases(PAPER_FIT, 52.0, 1000, 10.0, 100.0) < 1e-6
        # and the same customer still buying at the end: alive, about 1000/100 × 52 purchases a year
        alive = bgnbd.p_alive(PAPER_FIT, 1000, 100.0, 100.0)
        assert alive > 0.99
