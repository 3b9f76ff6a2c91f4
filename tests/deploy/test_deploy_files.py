"""What can be checked here of the deployment files, with no container runtime and no Bicep
compiler on this machine: every setting the README lists is wired in the Bicep and the compose
file, the container installs with the script the tests run under, and every place that starts
the bot uses the start command the gunicorn test runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tests.deploy.test_gunicorn import START_COMMAND

ROOT = Path(__file__).resolve().parents[2]
NOT_DEPLOYED = {
    "IASS_TEST_POSTGRES_URL": "the tests' PostgreSQL",
    "IASS_BENCH_POSTGRES_URL": "the benchmarks' PostgreSQL",
}


SETTING = r"IASS_[A-Z0-9_]+|PORT|APPLICATIONINSIGHTS_CONNECTION_STRING|OTEL_[A-Z0-9_]+"


def readme_settings() -> set[str]:
    text = (ROOT / "README.md").read_text()
    return set(re.findall(rf"^\| `({SETTING})` \|", text, re.MULTILINE))


def test_the_readme_lists_settings_to_check() -> None:
    assert {
        "IASS_DATABASE_URL",
        "IASS_CREDENTIAL",
        "PORT",
        "IASS_LOG_FORMAT",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    } <= readme_settings()


def test_every_readme_setting_is_wired_in_the_bicep() -> None:
    bicep = (ROOT / "deploy/azure/main.bicep").read_text()
    wired = set(re.findall(r"\{name: '([A-Z0-9_]+)', value:", bicep))

    assert readme_settings() - set(NOT_DEPLOYED) - wired == set()


def test_every_readme_setting_is_wired_in_the_compose_file() -> None:
    compose = (ROOT / "deploy/compose.yaml").read_text()
    wired = set(re.findall(r"^  ([A-Z0-9_]+): ", compose, re.MULTILINE))

    assert readme_settings() - set(NOT_DEPLOYED) - wired == set()


def test_the_container_installs_with_the_script_the_tests_run_under() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^RUN scripts/install-python /opt/iass\b", dockerfile, re.MULTILINE)
    assert re.search(
        r"^\tPYTHON=\$\(PYTHON\) scripts/install-python \$\(VENV\) dev$", makefile, re.MULTILINE
    )
    assert "pip install" not in dockerfile
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert re.search(r"^USER iass$", dockerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*", dockerfile, re.MULTILINE)


def test_the_container_holds_every_package_the_project_ships() -> None:
    """The Dockerfile copies package folders one by one; a package it leaves out (the Teams app
    package's `manifest/`, say) would be missing from the installed bot."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = {
        name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \./\1$", dockerfile, re.MULTILINE))

    assert "manifest" in shipped
    assert shipped - copied == set()


def test_every_start_of_the_bot_is_the_tested_start_command() -> None:
    command = " ".join(START_COMMAND)
    for path in ("Dockerfile", "deploy/azure/main.bicep", "docs/deploy.md"):
        assert command in (ROOT / path).read_text(), path
    compose = (ROOT / "deploy/compose.yaml").read_text()
    assert "image: iass-meeting-companion" in compose


def test_the_guide_grants_every_graph_permission_the_tenant_check_requires() -> None:
    """A council following the guide's PowerShell passes the tenant check's permissions line."""
    from bot.cli.tenant_checklist import REQUIRED_GRAPH_ROLES

    guide = (ROOT / "docs" / "deploy.md").read_text()
    grant = guide[guide.index("### 2. Graph permissions") : guide.index("### 3.")]
    script = grant[
        grant.index("```powershell") : grant.index("```", grant.index("```powershell") + 3)
    ]
    assert [role for role in REQUIRED_GRAPH_ROLES if f'"{role}"' not in script] == []
