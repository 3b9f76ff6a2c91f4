"""Every fixture in tests/conformance/ names its source and its edits, and is run both through
the bot and through the sandbox: `documented.CHECKED_BY` names the two tests of each, each
test exists and uses the fixture, and README.md's inventory lists the same."""

from __future__ import annotations

import ast
import json
import re
from datetime import date
from functools import cache

import pytest

from tests.conformance.documented import CHECKED_BY, HERE, Check

FIXTURES = sorted(str(path.relative_to(HERE)) for path in HERE.rglob("*.json"))
INVENTORY_ROW = re.compile(
    r"^\| `(?P<fixture>[^`]+)` \| `(?P<bot>[^`]+)` \| `(?P<sandbox>[^`]+)` \|$"
)


def test_every_fixture_on_disk_is_registered_and_every_registered_one_exists() -> None:
    assert sorted(CHECKED_BY) == FIXTURES


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_fixture_names_its_source_and_its_edits(fixture: str) -> None:
    source = json.loads((HERE / fixture).read_text())["_source"]
    assert isinstance(source, dict), "`_source` is an object (README.md)"
    assert source["url"].startswith("https://"), "names the page it comes from"
    assert source["repository"], "names the repository"
    assert source["path"], "names the path in the repository"
    assert source["section"], "names the example on the page"
    date.fromisoformat(source["checked"])
    assert isinstance(source["edits"], list), "lists its edits (none: an empty list)"
    assert all(isinstance(edit, str) and edit for edit in source["edits"])


@cache
def module(path: str) -> ast.Module:
    return ast.parse((HERE / path).read_text())


def names_of_tests(path: str) -> set[str]:
    return {
        node.name
        for node in module(path).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def fixture_names_used(path: str) -> list[re.Pattern[str]]:
    """The fixture names a test module writes: string constants, and f-strings with their
    replacement fields as wildcards."""
    used = []
    for node in ast.walk(module(path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.append(re.compile(re.escape(node.value)))
        elif isinstance(node, ast.JoinedStr):
            parts = [
                re.escape(part.value)
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
                else ".+"
                for part in node.values
            ]
            used.append(re.compile("".join(parts)))
    return used


@pytest.mark.parametrize("fixture", FIXTURES)
def test_each_fixture_goes_through_the_bot_and_through_the_sandbox(fixture: str) -> None:
    bot, sandbox = CHECKED_BY[fixture]
    assert bot != sandbox, "two different tests"
    check: Check
    for check in (bot, sandbox):
        path, name = check
        assert name in names_of_tests(path), f"{path} has no test {name}"
        assert any(pattern.fullmatch(fixture) for pattern in fixture_names_used(path)), (
            f"{path} does not use {fixture}"
        )


def test_the_readmes_inventory_lists_each_fixture_with_its_two_tests() -> None:
    rows = [
        INVENTORY_ROW.match(line)
        for line in (HERE / "README.md").read_text().splitlines()
        if line.startswith("| `")
    ]
    listed = {
        row["fixture"]: tuple(tuple(row[side].split("::")) for side in ("bot", "sandbox"))
        for row in rows
        if row is not None
    }
    assert len(listed) == len(rows), "every inventory row is `fixture` | `bot` | `sandbox`"
    assert listed == CHECKED_BY
