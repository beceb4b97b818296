"""Normalized CRM events: schema, source adapters, outbox ingest and the fold."""
