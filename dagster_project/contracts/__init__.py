"""Landing contracts: one module per source, one Feed per landed feed."""

from . import contact_center, sales, web
from .base import Column, Feed

ALL_FEEDS: tuple[Feed, ...] = sales.FEEDS + contact_center.FEEDS + web.FEEDS
FEEDS_BY_KEY: dict[str, Feed] = {f.key: f for f in ALL_FEEDS}

__all__ = ["ALL_FEEDS", "FEEDS_BY_KEY", "Column", "Feed", "get_feed"]


def get_feed(source: str, name: str) -> Feed:
    return FEEDS_BY_KEY[f"{source}/{name}"]
