"""`iass-bot keys`: create the local key settings, make a new key, re-encrypt under it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dotenv import dotenv_values

from bot.cli.errors import CliError
from bot.cli.store_access import CLI_ACTOR, with_store
from bot.settings_file import file_to_write, installation_file
from consent_store.keys import new_key
from consent_store.rekey import reencrypt
from consent_store.unit_of_work import Store


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = subcommands.add_parser("keys", help="manage the store's secret keys")
    actions = keys.add_subparsers(title="actions", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="write fresh keys into the settings file, .env (for a single-machine install)",
        description=(
            "Add IASS_ENCRYPTION_KEYS, IASS_ENCRYPTION_KEY_ID, IASS_BLIND_INDEX_KEY, "
            "IASS_AUDIT_KEY and IASS_SESSION_KEY with fresh random values to the settings file "
            "the commands read (IASS_ENV_FILE, else .env in the working directory, else this "
            "installation's .env; a new .env here when there is none), keeping any already set. "
            "In production keep keys in your secret store instead."
        ),
    )
    init.add_argument(
        "--env-file",
        type=Path,
        help="write to this file instead of the settings file the commands read",
    )
    init.set_defaults(handler=run_init)
    generate = actions.add_parser(
        "generate", help="print one new random key (base64) for a setting"
    )
    generate.set_defaults(handler=run_generate)
    rewrap = actions.add_parser(
        "reencrypt",
        help="re-encrypt all personal data under the active key (after rotation)",
        description=(
            "Rotation: add `newid:KEY` to IASS_ENCRYPTION_KEYS, set IASS_ENCRYPTION_KEY_ID=newid, "
            "run this, then remove the old key from IASS_ENCRYPTION_KEYS."
        ),
    )
    rewrap.set_defaults(handler=run_reencrypt)


def run_init(args: argparse.Namespace) -> int:
    path = (args.env_file or file_to_write()).absolute()
    present = dotenv_values(path) if path.exists() else {}
    wanted = {
        "IASS_ENCRYPTION_KEYS": lambda: f"k1:{new_key()}",
        "IASS_ENCRYPTION_KEY_ID": lambda: "k1",
        "IASS_BLIND_INDEX_KEY": new_key,
        "IASS_AUDIT_KEY": new_key,
        "IASS_SESSION_KEY": new_key,
    }
    missing = [name for name in wanted if not present.get(name) and not os.environ.get(name)]
    if not missing:
        print(f"keys already set; {path} unchanged")
        return 0
    created = not path.exists()
    lines = "".join(f"{name}={wanted[name]()}\n" for name in missing)
    try:
        existing = path.read_text() if path.exists() else ""
        separator = "\n" if existing and not existing.endswith("\n") else ""
        path.write_text(existing + separator + lines)
        path.chmod(0o600)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror}") from None
    names = ", ".join(missing)
    print(f"created {path} with {names}" if created else f"added {names} to {path}")
    installed = installation_file()
    if path != installed and installed.is_file():
        print(
            f"note: this installation's own settings are in {installed}; commands read {path} "
            "only when run from its folder or with IASS_ENV_FILE naming it"
        )
    return 0


def run_generate(args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def run_reencrypt(args: argparse.Namespace) -> int:
    async def work(store: Store) -> int:
        def report(table: str, count: int) -> None:
            print(f"  {table}: {count} value(s) re-encrypted so far", flush=True)

        rewritten = await reencrypt(store, CLI_ACTOR, report)
        return sum(rewritten.values())

    total = with_store(work)
    print(f"re-encrypted {total} value(s) under the active key")
    return 0
