"""Typed records and the canonical data model; no I/O."""
