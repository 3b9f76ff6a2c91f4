"""`iass-bot manifest build`: write the Microsoft Teams app package (.zip) for this deployment."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.errors import CliError
from bot.config import ServiceProfile
from bot.teams.package import write_package
from bot.teams.settings import ManifestSettingsError, TeamsAppSettings

_SETTINGS_HELP = """\
settings (environment or .env):
  IASS_BOT_APP_ID           the bot's Microsoft Entra application (client) ID,
                            also the Teams app ID (required)
  IASS_PUBLIC_URL           https base URL Teams reaches the bot at (required)
  IASS_APP_VERSION          package version MAJOR.MINOR.PATCH (default 1.0.0)
  IASS_TEAMS_APP_NAME       app name in Teams, at most 30 characters
                            (default "IASS meeting companion")
  IASS_SERVICE_PRIVACY_URL  privacy notice (default IASS_SERVICE_WEBSITE)
  IASS_SERVICE_TERMS_URL    terms of use (default IASS_SERVICE_WEBSITE)
and the service profile, IASS_SERVICE_NAME, _SHORT_NAME, _WHAT_WE_DO, _PHONE,
_EMAIL and _WEBSITE."""


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "manifest",
        help="the Microsoft Teams app package",
        description="The Microsoft Teams app package: manifest, icons and permissions.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="write the Teams app package to upload to Teams",
        description=(
            "Write the Teams app package (manifest.json, color.png, outline.png) for this\n"
            "deployment, ready to upload in Teams or the Teams admin centre."
        ),
        epilog=_SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "--out", type=Path, required=True, metavar="FILE.zip", help="where to write the package"
    )
    build.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace) -> int:
    out: Path = args.out
    try:
        inputs = TeamsAppSettings().manifest_inputs(ServiceProfile())
    except ManifestSettingsError as error:
        raise CliError(str(error)) from error
    try:
        write_package(inputs, out)
    except OSError as error:
        raise CliError(f"cannot write {out}: {error.strerror or error}") from error
    print(f"wrote {out}: Teams app {inputs.app_id}, version {inputs.version}")
    return 0
