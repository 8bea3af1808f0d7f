"""BG/NBD: how many repeat purchases a customer makes, and whether they are still "alive".

Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2). A customer buys at Poisson rate λ ~ Gamma(r, α)
while alive and drops out after any purchase with probability p ~ Beta(a, b).
Inputs per customer, in one time unit (weeks, like the paper):
    x    repeat purchases (purchase occasions after the first)
    t_x  time of the last purchase, measured from the first
    T    time from the first purchase to the end of calibration
Everything is computed in logs: B(·) and Γ(·) overflow long before a real customer's x does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float  # summed over customers (eq. 7), at the estimate
    customers: int
    converged: bool
    message: str


def _terms(params, x, t_x, T):
    """Per-customer pieces of eq. (6): the constant c, the two log terms and the weight of the second.

    eq. (6): L = B(a,b+x)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
                + δ(x>0) · B(a+1,b+x−1)/B(a,b) · Γ(r+x)α^r / (Γ(r)(α+t_x)^(r+x))
    """
    r, alpha, a, b = params
    c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    log_first = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    # b + x − 1 only where x > 0 (for x = 0 the term is absent, and b − 1 may be ≤ 0).
    xr = np.where(repeat, x, 1.0)
    log_second = np.where(repeat, special.betaln(a + 1, b + xr - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    log_sum = np.logaddexp(log_first, log_second)
    w = np.exp(log_second - log_sum)  # share of the "dropped out right after t_x" branch
    return c, log_sum, w, xr


def log_likelihood(params, x, t_x, T):
    """Per-customer log of eq. (6)."""
    c, log_sum, _, _ = _terms(params, x, t_x, T)
    return c + log_sum


def _gradient(params, x, t_x, T, w, xr):
    """d log L / d(r, α, a, b), per customer; ψ = digamma. Derived from eq. (6) term by term."""
    r, alpha, a, b = params
    psi = special.digamma
    repeat = x > 0
    d_r = psi(r + x) - psi(r) + np.log(alpha) - (1 - w) * np.log(alpha + T) - w * np.log(alpha + t_x)
    d_alpha = r / alpha - (r + x) * ((1 - w) / (alpha + T) + w / (alpha + t_x))
    psi_abx = psi(a + b + x)
    d_a = -(psi(a) - psi(a + b)) + (1 - w) * (psi(a) - psi_abx) + w * (psi(a + 1) - psi_abx)
    second_b = np.where(repeat, psi(b + xr - 1) - psi_abx, 0.0)
    d_b = -(psi(b) - psi(a + b)) + (1 - w) * (psi(b + x) - psi_abx) + w * second_b
    return np.stack([d_r, d_alpha, d_a, d_b])


def fit(x, t_x, T, penalizer: float = 0.0, start=(1.0, 1.0, 1.0, 1.0)) -> BgNbdFit:
    """Maximum likelihood (eq. 7, the sum of log eq. 6) over log-parameters, by L-BFGS-B.

    Customers with the same (x, t_x, T) contribute identical terms, so the likelihood runs
    over the distinct triples weighted by their counts: on order days that is far fewer rows.
    `penalizer` adds penalizer · Σ θ² (θ the four parameters), as lifetimes did, for data that
    cannot pin the parameters down; 0 means plain maximum likelihood.
    """
    data = np.column_stack([np.asarray(v, dtype=float) for v in (x, t_x, T)])
    n = len(data)
    if n == 0:
        return BgNbdFit(*(float("nan"),) * 5, customers=0, converged=False, message="no customers")
    if not np.any(data[:, 0] > 0):
        # Without a single repeat purchase the data say nothing about dropout (a, b) and
        # push r to 0: there is no estimate to find, whatever the optimizer would report.
        return BgNbdFit(*(float("nan"),) * 5, customers=n, converged=False, message="no repeat purchases")
    rows, counts = np.unique(data, axis=0, return_counts=True)
    ux, ut_x, uT = rows.T
    weights = counts / n  # the mean, not the sum: keeps the objective's scale independent of n

    def objective(theta):
        params = np.exp(theta)
        c, log_sum, w, xr = _terms(params, ux, ut_x, uT)
        value = -np.dot(weights, c + log_sum) + penalizer * np.sum(params**2)
        grad = -(_gradient(params, ux, ut_x, uT, w, xr) @ weights) + 2 * penalizer * params
        return value, grad * params  # chain rule for θ = log(param)

    bounds = [(-20.0, 20.0)] * 4
    res = optimize.minimize(
        objective,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
    )
    r, alpha, a, b = np.exp(res.x)
    ll = float(np.dot(counts, log_likelihood((r, alpha, a, b), ux, ut_x, uT)))
    # A solution on the box edge means the data drive a parameter to 0 or ∞ (e.g. nobody
    # ever repeats): the optimizer may stop "successfully" there, but it is no estimate.
    at_bound = bool(np.any(np.abs(res.x) >= 20.0 - 1e-6))
    converged = bool(res.success and np.isfinite(ll) and not at_bound)
    message = str(res.message) + ("; a parameter hit its bound" if at_bound else "")
    return BgNbdFit(float(r), float(alpha), float(a), float(b), ll, n, converged, message)


def p_alive(fit: BgNbdFit, x, t_x, T):
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).

    Fader, Hardie & Lee (2008), "Computing P(alive) Using the BG/NBD Model". A customer with
    no repeat purchase is alive by construction: in BG/NBD dropping out happens only right
    after a purchase.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    return np.exp(-_log_inverse_p_alive(fit, x, t_x, T))


def _log_inverse_p_alive(fit: BgNbdFit, x, t_x, T):
    """log(1/P(alive)), i.e. log of the denominator of eq. (10), computed without overflow."""
    xr = np.where(x > 0, x, 1.0)
    log_odds = np.log(fit.a) - np.log(fit.b + xr - 1) + (fit.r + x) * (np.log(fit.alpha + T) - np.log(fit.alpha + t_x))
    return np.where(x > 0, np.logaddexp(0.0, log_odds), 0.0)


def expected_purchases(fit: BgNbdFit, t, x, t_x, T):
    """E[Y(t) | x, t_x, T]: expected purchases in (T, T + t], eq. (10):

        (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
        / [1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)]

    The factor (1−z)^(r+x) · ₂F₁(r+x, b+x; c; z), z = t/(α+T+t), overflows as written when
    x is large; Pfaff's transformation ₂F₁(A,B;C;z) = (1−z)^(−A) ₂F₁(A, C−B; C; z/(z−1))
    makes it the bounded ₂F₁(r+x, a−1; a+b+x−1; −t/(α+T)).
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    c = a + b + x - 1
    hyp = special.hyp2f1(r + x, a - 1, c, -t / (alpha + T))
    return c / (a - 1) * (1 - hyp) * np.exp(-_log_inverse_p_alive(fit, x, t_x, T))
