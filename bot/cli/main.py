"""Entry point of `iass-bot`: builds the argument parser from the command modules and runs one.

Each command module has `register(subcommands)`, which adds its parsers and sets `handler`
(a function of the parsed arguments returning the exit status). Bad input is one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.cli.errors import CliError

INSTALLATION = Path(__file__).resolve().parents[2]
"""The folder this copy of the bot is installed from (where `make run` writes its .env)."""

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _command_modules() -> list[Register]:
    from bot.cli import (
        audit,
        consent,
        db,
        dispose,
        keys,
        manifest,
        meeting,
        sar,
        serve,
        stats,
        tenant_check,
    )

    return [
        serve.register,
        db.register,
        keys.register,
        audit.register,
        sar.register,
        dispose.register,
        stats.register,
        manifest.register,
        consent.register,
        meeting.register,
        tenant_check.register,
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iass-bot",
        description="IASS meeting companion: the Teams bot, its consent store and its records.",
    )
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in _command_modules():
        register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as error:
        print(f"iass-bot: {error}", file=sys.stderr)
        note = settings_note(str(error), Path.cwd())
        if note:
            print(f"iass-bot: {note}", file=sys.stderr)
        return 2
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        print(f"iass-bot: invalid settings: {problems}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())


def settings_note(error: str, here: Path) -> str | None:
    """For a setting that is missing: which .env file was read, and where the installation's
    own is, so no one makes a second .env whose new keys cannot read the existing store."""
    if "is not set" not in error:
        return None
    read = here / ".env"
    if read.exists():
        return f"settings were read from the environment and {read}"
    installed = INSTALLATION / ".env"
    if installed.exists() and installed.parent != here:
        return (
            f"settings were read from the environment only: there is no {read}. This "
            f"installation's settings are in {installed}: run iass-bot from {INSTALLATION} "
            "(keys init here would make new keys that cannot read the existing store)"
        )
    return f"settings were read from the environment only: there is no {read}"
