"""The `iass-bot` commands as an operator uses them, against both engines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import text

from bot.cli.errors import CliError
from bot.cli.main import main
from bot.cli.meeting import organiser_object_id
from bot.cli.serve import fresh_sandbox_store
from bot.graph.tenant import open_tenant
from bot.serving import sandbox_tenant
from consent_store.unit_of_work import Store
from sandbox.app import create_sandbox_app
from sandbox.seed import COORDINATOR, seeded_tenant
from tests.builders import PARENT, reply, schedule
from tests.databases import run_outside_loop

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def iass_bot(
    env_without_iass: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """Run `iass-bot ARGS` in-process with a fresh .env of keys; returns (status, out, err)."""
    assert main(["keys", "init"]) == 0
    capsys.readouterr()

    def run(*args: str, database_url: str | None = None) -> tuple[int, str, str]:
        if database_url:
            monkeypatch.setenv("IASS_DATABASE_URL", database_url)
        try:
            status = main(list(args))
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


def test_keys_init_writes_private_keys_once(iass_bot: Cli, env_without_iass: Path) -> None:
    env = env_without_iass / ".env"
    before = env.read_text()
    assert "IASS_AUDIT_KEY=" in before
    assert env.stat().st_mode & 0o077 == 0
    assert iass_bot("keys", "init") == (0, f"keys already set; {env} unchanged\n", "")
    assert env.read_text() == before


def test_every_command_has_help(iass_bot: Cli) -> None:
    for command in (
        ["db", "upgrade"],
        ["audit", "verify"],
        ["sar", "export"],
        ["dispose"],
        ["stats"],
        ["serve"],
        ["keys", "reencrypt"],
    ):
        status, out, _ = iass_bot(*command, "--help")
        assert status == 0
        assert out.startswith("usage: iass-bot")


def test_a_missing_key_is_one_clear_line(iass_bot: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IASS_AUDIT_KEY", "short")
    status, _, err = iass_bot("stats")
    assert status == 2
    assert err == "iass-bot: IASS_AUDIT_KEY is not valid base64\n"


def test_an_unmigrated_database_is_pointed_at_db_upgrade(iass_bot: Cli) -> None:
    status, _, err = iass_bot("audit", "verify")
    assert (status, err) == (
        2,
        "iass-bot: the database is not up to date; run `iass-bot db upgrade` first\n",
    )
    assert iass_bot("db", "upgrade")[0] == 0
    assert iass_bot("audit", "verify")[:2] == (0, "audit log intact: 0 entries verified\n")


def test_an_unreachable_database_is_one_clear_line(iass_bot: Cli) -> None:
    status, _, err = iass_bot(
        "stats", database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none"
    )
    assert status == 2
    assert err.startswith("iass-bot: cannot reach the database:")
    assert err.count("\n") == 1


def test_a_bad_email_address_is_refused(iass_bot: Cli) -> None:
    assert iass_bot("sar", "export", "--email", "not-an-address")[0::2] == (
        2,
        "iass-bot: 'not-an-address' is not an email address\n",
    )


async def seed(database_url: str, store_for: Callable[[str], Store]) -> None:
    store = store_for(database_url)
    try:
        meeting, (parent, _, _) = await schedule(store)
        await reply(store, meeting, parent, PARENT.email)
    finally:
        await store.close()


@pytest.fixture
def store_for(iass_bot: Cli) -> Callable[[str], Store]:
    from bot.config import Settings

    return lambda url: Store.open(url, Settings().key_ring())


def test_records_commands_on_a_populated_store(
    iass_bot: Cli, database_url: str, store_for: Callable[[str], Store], env_without_iass: Path
) -> None:
    assert iass_bot("db", "upgrade", database_url=database_url)[0] == 0
    run_outside_loop(seed(database_url, store_for))

    assert iass_bot("audit", "verify")[:2] == (0, "audit log intact: 1 entries verified\n")

    status, out, _ = iass_bot("sar", "export", "--email", PARENT.email, "--out", "sar")
    assert status == 0
    report = json.loads((env_without_iass / "sar" / "report.json").read_text())
    assert report["invitations"][0]["name"] == PARENT.name
    assert PARENT.name in (env_without_iass / "sar" / "report.html").read_text()

    status, out, _ = iass_bot("stats", "--format", "csv")
    assert status == 0
    assert out.splitlines()[0].startswith("month,meetings,")
    assert out.splitlines()[1].startswith("2026-11,suppressed,")

    status, out, _ = iass_bot("dispose", "--dry-run")
    assert (status, out.splitlines()[0][:30]) == (0, "would dispose of 0 meeting(s) ")

    assert iass_bot("audit", "verify")[:2] == (0, "audit log intact: 2 entries verified\n")


def test_audit_verify_names_a_tampered_entry(
    iass_bot: Cli, database_url: str, store_for: Callable[[str], Store]
) -> None:
    iass_bot("db", "upgrade", database_url=database_url)
    run_outside_loop(seed(database_url, store_for))

    async def tamper() -> None:
        store = store_for(database_url)
        try:
            async with store.engine.begin() as connection:
                if store.engine.dialect.name == "postgresql":
                    await connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
                else:
                    await connection.execute(text("DROP TRIGGER audit_log_no_update"))
                await connection.execute(text("UPDATE audit_log SET action = 'consent.refused'"))
        finally:
            await store.close()

    run_outside_loop(tamper())
    status, out, _ = iass_bot("audit", "verify")
    assert status == 1
    assert out.startswith("audit log BROKEN at entry 1: entry 1 does not match its MAC")


def test_serve_sandbox_starts_the_store_empty_and_keeps_the_previous_one(
    iass_bot: Cli, env_without_iass: Path
) -> None:
    url = f"sqlite+aiosqlite:///{env_without_iass / 'iass.db'}"
    assert iass_bot("db", "upgrade", database_url=url)[0] == 0
    (env_without_iass / "iass.db").write_bytes(b"an earlier run's store")

    said = fresh_sandbox_store(url)

    assert "the store of the previous run is kept as" in said
    assert (env_without_iass / "iass.db.previous").read_bytes() == b"an earlier run's store"
    assert iass_bot("db", "upgrade", database_url=url) == (
        0,
        "database is at the newest schema\n",
        "",
    )
    assert (env_without_iass / "iass.db").stat().st_size > len(b"an earlier run's store")


def test_serve_sandbox_will_not_empty_a_database_that_is_not_a_sqlite_file(
    iass_bot: Cli,
) -> None:
    with pytest.raises(CliError, match="only to a SQLite file"):
        fresh_sandbox_store("postgresql+asyncpg://postgres@127.0.0.1:5432/production")


def test_scheduling_against_a_sandbox_that_is_not_running_names_the_sandbox(
    iass_bot: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert iass_bot("db", "upgrade")[0] == 0
    monkeypatch.setenv("PORT", "9")
    status, _, err = iass_bot(
        "meeting",
        "schedule",
        "--sandbox",
        "--title=Annual review",
        "--start=2031-03-04 10:00",
        "--end=2031-03-04 11:00",
        "--role=support",
        "--organiser=priya@example.org",
        "--staff-name=Priya",
        "--parent=Rhiannon <rhiannon@example.org>",
    )
    assert status == 2
    assert err.startswith(
        "iass-bot: cannot reach the sandbox tenant at http://localhost:10 (is `make run` "
        "serving it, on PORT=9 plus one?)"
    )
    assert "database" not in err


@pytest.fixture
def elsewhere(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    """An installation with its `.env` of keys and its store (as `make run` leaves them), and
    another, empty folder the commands are run from; returns (installation, elsewhere)."""
    installed, here = env_without_iass / "installed", env_without_iass / "elsewhere"
    installed.mkdir()
    here.mkdir()
    monkeypatch.setattr("bot.settings_file.INSTALLATION", installed)
    monkeypatch.chdir(installed)
    assert main(["keys", "init"]) == 0
    assert main(["db", "upgrade"]) == 0
    monkeypatch.chdir(here)
    capsys.readouterr()
    return installed, here


def test_commands_run_from_another_folder_use_the_installations_env_and_store(
    elsewhere: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    installed, here = elsewhere
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out == "audit log intact: 0 entries verified\n"
    assert main(["keys", "init"]) == 0
    assert capsys.readouterr().out == f"keys already set; {installed / '.env'} unchanged\n"
    assert sorted(path.name for path in here.iterdir()) == []


def test_a_missing_key_names_the_file_read_and_the_one_keys_init_would_create(
    env_without_iass: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    installed, here = env_without_iass / "installed", env_without_iass / "elsewhere"
    here.mkdir()
    monkeypatch.setattr("bot.settings_file.INSTALLATION", installed)
    monkeypatch.chdir(here)
    assert main(["audit", "verify"]) == 2
    assert capsys.readouterr().err == (
        "iass-bot: IASS_ENCRYPTION_KEYS is not set (run `iass-bot keys init`)\n"
        f"iass-bot: settings were read from the environment only: there is no {here / '.env'} "
        f"or {installed / '.env'} (`iass-bot keys init` would create {here / '.env'})\n"
    )
    assert main(["keys", "init"]) == 0
    assert capsys.readouterr().out == (
        f"created {here / '.env'} with IASS_ENCRYPTION_KEYS, IASS_ENCRYPTION_KEY_ID, "
        "IASS_BLIND_INDEX_KEY, IASS_AUDIT_KEY, IASS_SESSION_KEY\n"
    )


def test_iass_env_file_names_the_settings_file_wherever_the_command_runs(
    elsewhere: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed, here = elsewhere
    chosen = here / "iass" / "settings.env"
    monkeypatch.setenv("IASS_ENV_FILE", str(chosen))
    assert main(["audit", "verify"]) == 2
    assert capsys.readouterr().err == (
        "iass-bot: IASS_ENCRYPTION_KEYS is not set (run `iass-bot keys init`)\n"
        f"iass-bot: settings were read from the environment only: IASS_ENV_FILE names {chosen}, "
        "which does not exist\n"
    )
    chosen.parent.mkdir()
    assert main(["keys", "init"]) == 0
    assert capsys.readouterr().out == (
        f"created {chosen} with IASS_ENCRYPTION_KEYS, IASS_ENCRYPTION_KEY_ID, "
        "IASS_BLIND_INDEX_KEY, IASS_AUDIT_KEY, IASS_SESSION_KEY\n"
        f"note: this installation's own settings are in {installed / '.env'}; commands read "
        f"{chosen} only when run from its folder or with IASS_ENV_FILE naming it\n"
    )
    assert main(["db", "upgrade"]) == 0
    assert (chosen.parent / "iass.db").is_file()


def test_an_env_in_the_working_folder_comes_before_the_installations(
    elsewhere: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    installed, here = elsewhere
    (here / ".env").write_text("IASS_LOG_FORMAT=text\n")
    assert main(["audit", "verify"]) == 2
    assert capsys.readouterr().err == (
        "iass-bot: IASS_ENCRYPTION_KEYS is not set (run `iass-bot keys init`)\n"
        f"iass-bot: settings were read from the environment and {here / '.env'}\n"
    )
    assert main(["keys", "init"]) == 0
    assert capsys.readouterr().out == (
        "added IASS_ENCRYPTION_KEYS, IASS_ENCRYPTION_KEY_ID, IASS_BLIND_INDEX_KEY, "
        f"IASS_AUDIT_KEY, IASS_SESSION_KEY to {here / '.env'}\n"
        f"note: this installation's own settings are in {installed / '.env'}; commands read "
        f"{here / '.env'} only when run from its folder or with IASS_ENV_FILE naming it\n"
    )


async def test_the_organiser_can_be_given_by_email_address() -> None:
    tenant = seeded_tenant()
    runner = web.AppRunner(create_sandbox_app(tenant))
    await runner.setup()
    await web.TCPSite(runner, "localhost", 0).start()
    port = runner.addresses[0][1]
    settings = sandbox_tenant(port - 1)
    try:
        async with open_tenant(settings) as clients:
            assert await organiser_object_id(clients, COORDINATOR.mail) == COORDINATOR.object_id
            assert await organiser_object_id(clients, COORDINATOR.object_id) == (
                COORDINATOR.object_id
            )
            with pytest.raises(CliError, match="no staff account found for nobody@"):
                await organiser_object_id(clients, f"nobody@{tenant.domain}")
    finally:
        await runner.cleanup()
