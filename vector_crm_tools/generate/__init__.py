"""Deterministic synthetic data for vector-crm: landing files for all six feeds plus ground truth.

`python -m vector_crm_tools.generate --size S --seed 42` or `generate(data_dir, "S", 42)`.
See core.py for the flow and each module's docstring for the behaviour it plants.
"""

from .config import SIZES
from .core import LandingNotEmpty, generate

__all__ = ["SIZES", "LandingNotEmpty", "generate"]
