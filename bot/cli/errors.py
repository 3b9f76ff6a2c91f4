"""The one exception a command raises to stop with a plain message and a non-zero exit."""


class CliError(Exception):
    """A failure the user can act on; printed as one line, exit status 2."""
