"""How the store fails, named for the layers above it, which never reach into SQLAlchemy.

- `StoreError`: any failure of a store operation (a query refused, a connection lost).
- `StoreUnreachable`: the database could not be reached or refused the connection.
- `AlreadyStored`: a row with the same unique key is already there (another instance, or an
  earlier run, wrote it first).
- `STORE_FAILURES`: what a caller that must fail closed catches: `StoreError`, and `OSError`
  (a socket that fails below the driver; `TimeoutError` is one).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

StoreError = SQLAlchemyError
StoreUnreachable = OperationalError
AlreadyStored = IntegrityError
STORE_FAILURES = (StoreError, OSError)


def failure_reason(error: Exception) -> str:
    """The first line of what the database driver said, else of the error itself."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        return str(error.orig).splitlines()[0]
    return str(error).splitlines()[0] if str(error) else type(error).__name__
