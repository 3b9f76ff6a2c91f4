"""axe-core (Deque's accessibility engine, from npm: scripts/fetch-govuk-frontend) run on the page
open in Chromium, for WCAG 2.2 level A and AA rules.

The script is evaluated through Playwright (the DevTools protocol), so the page keeps its own
Content-Security-Policy, which allows no scripts: the page is checked as staff see it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE_SCRIPT = Path(__file__).parent / "axe-core" / "axe.min.js"
WCAG_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@cache
def _axe_source() -> str:
    assert AXE_SCRIPT.is_file(), "axe-core is missing: run scripts/fetch-govuk-frontend (make does)"
    return AXE_SCRIPT.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Violation:
    """One rule broken on one page in one state, with the elements that break it."""

    state: str
    url: str
    rule: str
    impact: str
    help: str
    elements: tuple[str, ...]

    def __str__(self) -> str:
        where = "\n".join(f"    {element}" for element in self.elements)
        return f"{self.state} ({self.url}): {self.rule} [{self.impact}] {self.help}\n{where}"


async def wcag_violations(page: Page, state: str) -> list[Violation]:
    """Every WCAG 2.2 A and AA violation axe-core finds on `page` as it is now. Every rule still
    runs on every element; `resultTypes` only spares axe gathering each element that passes
    (or that a rule does not apply to) into its results, and only the violations come back:
    half the check's time on a staff page."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}).then(results => results.violations)",
        WCAG_A_AND_AA,
    )
    return [
        Violation(
            state=state,
            url=page.url,
            rule=str(found["id"]),
            impact=str(found.get("impact")),
            help=str(found["help"]),
            elements=tuple(
                f"{' '.join(map(str, node['target']))}: {str(node['html'])[:200]}"
                for node in found["nodes"]
            ),
        )
        for found in violations
    ]


ZOOMED = {"width": 320, "height": 800}
"""A 1280 pixel wide window at 400% zoom."""


async def reflow_violations(page: Page, state: str) -> list[Violation]:
    """The page 320 CSS pixels wide: a violation if it scrolls sideways (WCAG 1.4.10 Reflow),
    naming the elements wider than the window. The window's size is put back afterwards."""
    size = page.viewport_size
    await page.set_viewport_size(ZOOMED)
    try:
        overflow: int = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        wide: list[str] = await page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                return [...document.body.querySelectorAll('*')]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .slice(-5)
                    .map(e => e.outerHTML.slice(0, 200));
            }"""
        )
    finally:
        if size is not None:
            await page.set_viewport_size(size)
    if overflow <= 0:
        return []
    return [
        Violation(
            state=state,
            url=page.url,
            rule="reflow (WCAG 1.4.10)",
            impact="serious",
            help=f"at 320 CSS pixels wide the page scrolls sideways by {overflow} px",
            elements=tuple(wide),
        )
    ]


class AxeLog:
    """Violations gathered across a walk through pages, printed and asserted at the end, so one
    run shows every page's problems."""

    def __init__(self) -> None:
        self.found: list[Violation] = []
        self.states: list[str] = []

    async def check(self, page: Page, state: str) -> None:
        """axe-core's WCAG 2.2 A/AA rules on the page as it is, then the page at 400% zoom (320
        CSS pixels wide, WCAG 1.4.10 Reflow): no horizontal scrolling."""
        self.states.append(state)
        self.found.extend(await wcag_violations(page, state))
        self.found.extend(await reflow_violations(page, state))

    def assert_none(self) -> None:
        for violation in self.found:
            print(violation)
        assert not self.found, (
            f"{len(self.found)} WCAG 2.2 A/AA violations in {len(self.states)} page states:\n"
            + "\n".join(str(violation) for violation in self.found)
        )
