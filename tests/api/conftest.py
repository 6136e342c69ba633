"""Fixtures of the `pmo` command's and the HTTP API's tests."""

from tests.api.cli import database, payments
from tests.api.http import api, sqlite_api

__all__ = ["api", "database", "payments", "sqlite_api"]
