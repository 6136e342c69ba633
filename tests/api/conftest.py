"""Fixtures of the `pmo` command's tests."""

from tests.api.cli import database, payments

__all__ = ["database", "payments"]
