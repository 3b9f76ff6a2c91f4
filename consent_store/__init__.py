"""The consent store: meetings, attendees, consent evidence, review queue and audit log.

Personal data is encrypted at rest; the audit log is an HMAC chain the database will not let
anyone rewrite. SQLite (aiosqlite) is the embedded default, PostgreSQL (asyncpg) production.
"""
