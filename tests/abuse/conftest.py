"""Fixtures of the abuse tests: the API tests' live servers over the seed data, re-exported
rather than started again (``api_url`` is read-only and shared by the session,
``mutable_api_url`` is writable and this module's own)."""

from __future__ import annotations

from tests.api.conftest import api_url, mutable_api_url, seeded_settings

__all__ = ["api_url", "mutable_api_url", "seeded_settings"]
