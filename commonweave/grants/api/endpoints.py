"""Endpoints of the ledger API (filled in by the API work)."""
