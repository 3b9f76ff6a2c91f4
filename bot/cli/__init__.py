"""The `iass-bot` command line: one module per command group, wired in `main`."""
