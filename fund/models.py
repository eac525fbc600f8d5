"""Imports every area's models so that Alembic and ``create_app`` see the whole schema."""

from __future__ import annotations
