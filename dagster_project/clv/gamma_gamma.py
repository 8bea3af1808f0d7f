"""Gamma-Gamma: the value of a customer's repeat purchases.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", JMR 42(4), in the form of Fader & Hardie (2013), "The Gamma-Gamma Model of
Monetary Value". A purchase's value is Gamma(p, ν); ν varies across customers as
Gamma(q, γ). A customer with x repeat purchases of mean value z̄ has

    f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · z̄^(px−1) · x^(px) / (γ + x z̄)^(px+q)

The model assumes spend is independent of purchase frequency (the note's caveat), so only
customers with x > 0 and z̄ > 0 are fitted; the fit reports their correlation to check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

PARAM_NAMES = ("p", "q", "gamma")


@dataclass(frozen=True)
class GammaGammaFit:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool
    message: str


def log_likelihood(params, x, zbar):
    """Per-customer log f(z̄ | p, q, γ; x) (module docstring)."""
    p, q, gamma = params
    px = p * x
    return (
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * zbar)
    )


def _gradient(params, x, zbar):
    """d log f / d(p, q, γ), per customer."""
    p, q, gamma = params
    px = p * x
    psi = special.digamma
    log_tail = np.log(gamma + x * zbar)
    d_p = x * (psi(px + q) - psi(px) + np.log(zbar) + np.log(x) - log_tail)
    d_q = psi(px + q) - psi(q) + np.log(gamma) - log_tail
    d_gamma = q / gamma - (px + q) / (gamma + x * zbar)
    return np.stack([d_p, d_q, d_gamma])


def fit(x, zbar, penalizer: float = 0.0, start=(1.0, 1.0, 1.0)) -> GammaGammaFit:
    """Maximum likelihood over log-parameters by L-BFGS-B; x > 0 and z̄ > 0 only (the caller filters)."""
    x = np.asarray(x, dtype=float)
    zbar = np.asarray(zbar, dtype=float)
    n = len(x)
    if n == 0:
        return GammaGammaFit(
            *(float("nan"),) * 4, customers=0, converged=False, message="no repeat customers with positive spend"
        )
    if np.any(x <= 0) or np.any(zbar <= 0):
        raise ValueError("Gamma-Gamma takes customers with x > 0 and mean repeat spend > 0 only")
    # Start γ near the mean spend so that the start is in the right order of magnitude
    # whatever the currency (CDNOW dollars or pesos).
    start = (start[0], start[1], float(np.mean(zbar)))

    def objective(theta):
        params = np.exp(theta)
        value = -np.mean(log_likelihood(params, x, zbar)) + penalizer * np.sum(params**2)
        grad = -np.mean(_gradient(params, x, zbar), axis=1) + 2 * penalizer * params
        return value, grad * params

    bounds = [(-20.0, 30.0)] * 3
    res = optimize.minimize(
        objective,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
    )
    p, q, gamma = np.exp(res.x)
    ll = float(np.sum(log_likelihood((p, q, gamma), x, zbar)))
    at_bound = bool(np.any((res.x <= -20.0 + 1e-6) | (res.x >= 30.0 - 1e-6)))
    # The population mean spend pγ/(q−1) exists only for q > 1.
    converged = bool(res.success and np.isfinite(ll) and not at_bound and q > 1)
    message = (
        str(res.message)
        + ("; a parameter hit its bound" if at_bound else "")
        + ("; q <= 1: no finite mean spend" if q <= 1 else "")
    )
    return GammaGammaFit(float(p), float(q), float(gamma), ll, n, converged, message)


def population_mean_spend(fit: GammaGammaFit) -> float:
    """E(Z) = pγ/(q−1): the expected value of a purchase for a customer we know nothing about."""
    return fit.p * fit.gamma / (fit.q - 1)


def expected_average_spend(fit: GammaGammaFit, x, zbar):
    """E(M | p, q, γ, z̄, x) = (γ + x z̄) p / (px + q − 1), the note's conditional expectation:
    a weighted mean of the population mean pγ/(q−1) and the customer's own z̄, whose weight
    px/(px+q−1) grows with x. Customers without a usable z̄ (x = 0 or z̄ ≤ 0) get the population mean.
    """
    x = np.asarray(x, dtype=float)
    zbar = np.asarray(zbar, dtype=float)
    usable = (x > 0) & (zbar > 0)
    own = (fit.gamma + x * np.where(usable, zbar, 0.0)) * fit.p / (fit.p * x + fit.q - 1)
    return np.where(usable, own, population_mean_spend(fit))
