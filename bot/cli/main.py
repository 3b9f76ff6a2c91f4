"""Entry point of `iass-bot`: builds the argument parser from the command modules and runs one.

Each command module has `register(subcommands)`, which adds its parsers and sets `handler`
(a function of the parsed arguments returning the exit status). Bad input is one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from bot.cli.errors import CliError
from bot.settings_file import where_settings_came_from

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
        if "is not set" in str(error):
            print(f"iass-bot: {where_settings_came_from()}", file=sys.stderr)
        return 2
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        )
        print(f"iass-bot: invalid settings: {problems}", file=sys.stderr)
        print(f"iass-bot: {where_settings_came_from()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
