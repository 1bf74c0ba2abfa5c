"""Test support: a real PostgreSQL, per-test databases, app fixtures."""
