"""The service manager's statistics (issue 17): `iass-bot stats`'s monthly table on a page, as
charts and tables with the same suppression, and as the same CSV to download. Staff without
the manager role are refused (403)."""

from __future__ import annotations

from aiohttp import web

from bot.web.manager_guard import refused_unless_manager
from bot.web.pages import page
from bot.web.site import STAFF_SITE
from bot.web.statistics_view import BAR_HEIGHT, BAR_START, CHART_WIDTH, sections
from consent_store.disclosure import ProtectedTable
from consent_store.statistics import monthly_statistics
from consent_store.statistics_format import format_csv

NOT_COUNTED = (
    "Which kind of professional or organisation permission to liaise was about: staff type"
    " their names freely, the names are sealed and removed at disposal, so they cannot be"
    " counted.",
)


async def _table(request: web.Request) -> tuple[ProtectedTable, str]:
    async with request.config_dict[STAFF_SITE].store.reading() as uow:
        return await monthly_statistics(uow), f"{uow.now():%Y-%m-%d}"


async def statistics_page(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    table, _ = await _table(request)
    return page(
        request,
        "statistics.html.j2",
        sections=sections(table),
        counted=bool(table.rows),
        not_counted=NOT_COUNTED,
        chart_width=CHART_WIDTH,
        bar_start=BAR_START,
        bar_height=BAR_HEIGHT,
    )


async def statistics_csv(request: web.Request) -> web.Response:
    refusal = refused_unless_manager(request)
    if refusal is not None:
        return refusal
    table, today = await _table(request)
    return web.Response(
        text=format_csv(table),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="iass-statistics-{today}.csv"'},
    )
