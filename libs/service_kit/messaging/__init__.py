"""Reliable calls between services (ARCHITECTURE.md §4): outbox, inbox and durable jobs."""
