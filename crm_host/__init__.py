"""A small Django host that runs the CRM app without Saleor (tests, demo, benchmarks)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
