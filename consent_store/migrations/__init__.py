"""Alembic migrations of the consent store (script location `consent_store:migrations`)."""
