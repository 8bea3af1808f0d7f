"""Every setting of the CLV model, in one place.

The run-time settings are a Dagster config: defaults here, overridable per run in the
launchpad (or `run_config`) without a code change. The horizons name the output columns
(`expected_purchases_90d`, `expected_purchases_365d`, `clv_12m`), so they are constants,
not run settings.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field

# Output horizons.
HORIZON_DAYS = (90, 365)
CLV_MONTHS = 12
# A month of the CLV sum is 365/12 days, so twelve months are exactly the 365-day horizon.
MONTH_DAYS = 365 / 12


class ClvSettings(dg.Config):
    """Settings of the BG/NBD + Gamma-Gamma fit (asset marts/customer_clv)."""

    time_unit_days: int = Field(
        default=7,
        description="Length of the model's time unit in days: weeks (7), like Fader, Hardie & Lee (2005). "
        "t_x, t_cal and the fitted alpha are in this unit; r, a, b and predictions in days do not depend on it.",
    )
    discount_rate_annual: float = Field(
        default=0.10,
        description="Annual discount rate of clv_12m: month m's expected revenue is divided by (1 + rate)^(m/12).",
    )
    penalizer: float = Field(
        default=0.0,
        description="L2 penalty on the parameters of both fits (penalizer * sum of squared parameters). "
        "0 = plain maximum likelihood, as in the papers; raise it (e.g. 0.001) only when a fit does "
        "not converge on thin data.",
    )
