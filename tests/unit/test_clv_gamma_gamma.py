"""Gamma-Gamma against the published CDNOW fit and hand-computed expectations.

Published: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (after Fader,
Hardie & Lee 2005, "RFM and CLV"): the 946 CDNOW sample customers with a repeat purchase in
weeks 1-39 give p = 6.25, q = 3.74, gamma = 15.44.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from dagster_project.clv import gamma_gamma

CDNOW_SUMMARY = (
    Path(__file__).resolve().parents[1] / "fixtures" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
)
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PAPER_FIT = gamma_gamma.GammaGammaFit(
    **PUBLISHED, log_likelihood=float("nan"), customers=946, converged=True, message="published"
)


def _cdnow_repeaters():
    with open(CDNOW_SUMMARY, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["x"]) > 0]
    return np.array([float(r["x"]) for r in rows]), np.array([float(r["zbar"]) for r in rows])


def test_fit_reproduces_the_published_cdnow_parameters_within_one_percent():
    x, zbar = _cdnow_repeaters()
    assert len(x) == 946
    fit = gamma_gamma.fit(x, zbar)
    assert fit.converged
    for name, published in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name


def test_expected_average_spend_by_hand():
    # (γ + x z̄) p / (p x + q − 1) for x = 2, z̄ = 22.35 (CDNOW customer 1)
    expected = (15.44 + 2 * 22.35) * 6.25 / (6.25 * 2 + 3.74 - 1)
    assert gamma_gamma.expected_average_spend(PAPER_FIT, 2, 22.35) == pytest.approx(expected, rel=1e-12)
    # one repeat purchase of 100: shrunk towards the population mean
    expected = (15.44 + 100) * 6.25 / (6.25 + 2.74)
    assert gamma_gamma.expected_average_spend(PAPER_FIT, 1, 100.0) == pytest.approx(expected, rel=1e-12)


def test_customers_without_usable_spend_get_the_population_mean():
    population = 6.25 * 15.44 / (3.74 - 1)  # pγ/(q−1)
    got = gamma_gamma.expected_average_spend(PAPER_FIT, [0, 3, 2], [np.nan, -5.0, 0.0])
    assert got == pytest.approx([population] * 3, rel=1e-12)


def test_log_likelihood_by_hand_for_one_customer():
    p, q, g = 6.25, 3.74, 15.44
    x, z = 3, 40.0
    expected = (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(g)
        + (p * x - 1) * math.log(z)
        + p * x * math.log(x)
        - (p * x + q) * math.log(g + x * z)
    )
    got = gamma_gamma.log_likelihood((p, q, g), np.array([x]), np.array([z]))[0]
    assert got == pytest.approx(expected, rel=1e-12)


def test_gradient_agrees_with_finite_differences():
    x, zbar = _cdnow_repeaters()
    params = np.array([5.0, 3.0, 10.0])
    analytic = gamma_gamma._gradient(params, x, zbar).sum(axis=1)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * params[i]
        numeric = (
            gamma_gamma.log_likelihood(params + step, x, zbar).sum()
            - gamma_gamma.log_likelihood(params - step, x, zbar).sum()
        ) / (2 * step[i])
        assert analytic[i] == pytest.approx(numeric, rel=1e-5)


def test_no_repeat_customers_is_reported_not_raised():
    fit = gamma_gamma.fit([], [])
    assert not fit.converged and fit.customers == 0 and math.isnan(fit.p)


def test_non_positive_input_is_refused():
    with pytest.raises(ValueError):
        gamma_gamma.fit([1, 2], [10.0, -3.0])
