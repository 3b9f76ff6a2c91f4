"""The shape of the house, checked on the source: which layer may import which, and that the
product reaches the sandbox only through its entry points (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {Path("bot/serving.py")}
"""The modules that may build the sandbox tenant's settings (besides `bot/cli/`)."""


def modules(package: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(), str(path))


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def under(name: str, *packages: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def test_no_module_of_the_bot_queries_the_store_itself() -> None:
    offenders = {
        str(path): sorted(
            name for name in imported(tree) if under(name, "sqlalchemy", "consent_store.tables")
        )
        for path, tree in modules("bot")
    }

    assert {path: names for path, names in offenders.items() if names} == {}


def test_services_reach_microsoft_365_only_through_their_ports() -> None:
    offenders = {
        str(path): sorted(
            name for name in imported(tree) if under(name, "bot.graph", "bot.agent", "bot.calling")
        )
        for path, tree in modules("bot/services")
    }

    assert {path: names for path, names in offenders.items() if names} == {}


def code_strings(tree: ast.Module) -> Iterator[str]:
    """Every string constant that is not a docstring."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            yield node.value


def test_only_the_entry_points_know_the_sandbox() -> None:
    offenders = set()
    for path, tree in modules("bot"):
        if path in ENTRY_POINTS or path.parts[:2] == ("bot", "cli"):
            continue
        names = {name for name in ast.walk(tree) if isinstance(name, ast.Name | ast.arg)}
        identifiers = {getattr(node, "id", None) or getattr(node, "arg", "") for node in names}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        if (
            any(under(name, "sandbox") for name in imported(tree))
            or any("sandbox" in name.lower() for name in identifiers | attributes)
            or any("sandbox" in text.lower() for text in code_strings(tree))
        ):
            offenders.add(str(path))

    assert offenders == set()


def test_the_store_and_the_vocabulary_import_nothing_above_them() -> None:
    offenders = {
        str(path): sorted(name for name in imported(tree) if under(name, "bot", "sandbox"))
        for package in ("consent_store", "domain")
        for path, tree in modules(package)
    }
    offenders.update(
        {
            str(path): sorted(name for name in imported(tree) if under(name, "consent_store"))
            for path, tree in modules("domain")
        }
    )

    assert {path: names for path, names in offenders.items() if names} == {}


ROUTERS = {Path("bot/web/app.py"), Path("bot/web/staff_app.py")}
"""The modules that mount the staff pages, so import their handlers."""


def is_page(path: Path) -> bool:
    """A staff page's module: the home, and each `*_page` or `*_pages` module of `bot/web`, but
    not `error_pages`, whose 404 page every page answers with."""
    return path.name == "home.py" or (
        path.stem.endswith(("_page", "_pages")) and path.name != "error_pages.py"
    )


def test_pages_take_shared_words_from_the_wording_module_not_from_each_other() -> None:
    pages = {
        ".".join(path.with_suffix("").parts) for path, _ in modules("bot/web") if is_page(path)
    }
    offenders = {
        str(path): sorted(name for name in imported(tree) if under(name, *pages))
        for path, tree in modules("bot/web")
        if path not in ROUTERS
    }

    assert {
        "bot.web.home",
        "bot.web.meeting_page",
        "bot.web.edit_page",
        "bot.web.cancel_page",
    } <= pages
    assert {path: names for path, names in offenders.items() if names} == {}


def test_every_page_answers_not_found_with_the_one_404_page() -> None:
    """`error_pages.not_found` is the 404 page; no other module writes one of its own."""
    offenders = {
        str(path)
        for path, tree in modules("bot/web")
        if path != Path("bot/web/error_pages.py")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "message_page"
        and any(
            keyword.arg == "status"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value == 404
            for keyword in node.keywords
        )
    }

    assert offenders == set()
