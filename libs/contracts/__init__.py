"""Pydantic models of every message that crosses a service boundary."""
