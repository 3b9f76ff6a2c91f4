"""Every staff page and every sandbox page, in each state a person meets them (empty, full, with
validation errors, after a change), checked with axe-core in Chromium for WCAG 2.2 A and AA,
and at 400% zoom (320 CSS pixels wide) for sideways scrolling (WCAG 1.4.10): none may have a
violation. Each violation found is printed with its rule and elements.

The walk follows the `make run` story (the bot with its sandbox tenant): sign in, an empty home,
the scheduling form empty, sent with a wrong address and after "Add another", a scheduled
meeting, the edit form and its errors, the meeting page after an edit, a form's address opened
in the browser (405), the cancel question, the sandbox's home, inboxes empty and full and after
a reply, the review queue empty, full, refusing a reading and after a confirmation, the meeting
room before and after it starts and records, after an objection in its chat and ended; the
meeting page with the backstop's alert of a recording made without consent, after recording
what was done with it and under a safeguarding hold; the liaison page with no one named, with a
validation error and after saving; the legal requests page empty, with validation errors and
with a request, the request as staff see it; a second meeting cancelled; a page not found, the
accessibility statement, a manager's page refused to other staff, signing out, and the Teams
tab's sign-in page opened outside Teams; then, signed in as the service manager, subject access
empty, with a wrong address, for an address nothing is held about, showing what is held and
after sending it, the statistics, and the legal request's decision: to be made, made without a
choice, permission asked, and the safeguarding reason missing; the parent carer's unclear reply
in the review queue and on the request's page, their refusal recorded, the safeguarding reason
recorded and the extract sent, the meeting's page listing that request, and the scheduling form
with an error in the professionals to liaise with."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.serving import sandbox_tenant
from bot.web.app import create_app
from consent_store.unit_of_work import Store
from sandbox.seed import COORDINATOR, PARENT_CARER, SENCO, SEND_OFFICER, SERVICE_MANAGER
from tests.browser import test_make_run_story as story
from tests.browser.axe import AxeLog, wcag_violations

running = story.running
"""The bot as `make run` serves it, with its sandbox tenant (the story test's fixture)."""

NOT_PAGES = {"/tab/statistics.csv", "/auth/sign-in"}
"""GET addresses of the staff app that are not pages: a CSV download, and the redirect to
Microsoft's sign-in (the sandbox's sign-in page it leads to is checked)."""


class WalkLog(AxeLog):
    """The checks' log, also keeping the address of each page checked."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: set[str] = set()

    async def check(self, page: Page, state: str) -> None:
        self.paths.add(urlsplit(page.url).path)
        await super().check(page, state)


def staff_pages(settings: Settings, store: Store) -> list[str]:
    """Every address the bot serves staff pages at with GET, as its route pattern (prefix
    included): the accessibility statement, and what the `/tab` and `/auth` sub-applications
    route."""
    pages = ["/accessibility"]
    app = create_app(settings, store, tenant=sandbox_tenant(settings.port))
    for resource in app.router.resources():
        if isinstance(resource, web.PrefixedSubAppResource):
            info = resource.get_info()
            pages += [
                route.resource.canonical
                for route in info["app"].router.routes()
                if route.method == "GET" and route.resource is not None
            ]
    return [path for path in pages if path not in NOT_PAGES]


def visited(pattern: str, paths: set[str]) -> bool:
    """Whether a page at the route `pattern` ("/tab/meetings/{reference}") was checked."""
    parts = re.split(r"\{[^}]+\}", pattern)
    matcher = re.compile("[^/]+".join(map(re.escape, parts)))
    return any(matcher.fullmatch(path) for path in paths)


async def test_every_page_and_state_has_no_wcag_a_or_aa_violation(
    running: tuple[Settings, Store], page: Page, tmp_path: Path
) -> None:
    settings, store = running
    bot, sandbox = f"http://localhost:{settings.port}", f"http://localhost:{settings.port + 1}"
    axe = WalkLog()

    await page.goto(bot)
    await expect(page).to_have_title(re.compile("Sign in to"))
    await axe.check(page, "sandbox sign-in")
    await page.get_by_label(re.compile(COORDINATOR.display_name)).check()
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    await axe.check(page, "staff home, no meetings")

    await page.get_by_role("link", name="Schedule a meeting").click()
    await axe.check(page, "scheduling form, empty")
    await page.locator("#su-1-email").fill("not an address")
    await page.get_by_role("button", name="Schedule the meeting").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "scheduling form, with validation errors")
    await page.get_by_role("button", name="Add another service user").click()
    await expect(page.locator("#su-2-name")).to_be_visible()
    await axe.check(page, "scheduling form, after adding a row")

    reference = await story.schedule_in_the_form(page, bot)
    await axe.check(page, "meeting page, just scheduled (banner)")
    await page.goto(f"{bot}/tab")
    await axe.check(page, "staff home, with a meeting")

    await page.goto(f"{bot}/tab/meetings/{reference}/edit")
    await axe.check(page, "edit form, as the meeting stands")
    await page.locator("#title").fill("")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "edit form, with validation errors")
    await page.locator("#title").fill("Planning meeting for the annual review")
    await page.get_by_role("button", name="Save the changes").click()
    await expect(page.get_by_role("status")).to_contain_text("The meeting was changed.")
    await axe.check(page, "meeting page, after an edit")
    await page.goto(f"{bot}/tab/meetings/{reference}/cancel")
    await expect(page.get_by_role("heading", level=1)).to_have_text("This address is for a button")
    await axe.check(page, "a button's address opened in the browser (405)")

    await page.goto(f"{bot}/tab/meetings/{reference}")
    await page.get_by_role("button", name="Cancel this meeting").click()
    await axe.check(page, "cancel question")
    await page.goto(f"{bot}/tab/review")
    await axe.check(page, "review queue, empty")

    await page.goto(f"{sandbox}/sandbox/")
    await axe.check(page, "sandbox home")
    await page.goto(f"{sandbox}/sandbox/people/{quote(SEND_OFFICER.address)}")
    await axe.check(page, "sandbox inbox, nothing received")
    await page.goto(f"{sandbox}/sandbox/people/{quote(PARENT_CARER.address)}")
    request = page.get_by_role("listitem").filter(has_text=reference)
    await story.reload_until(page, lambda: story._has(request))
    await axe.check(page, "sandbox inbox, with a consent request")
    await story.reply_from_inbox(page, sandbox, PARENT_CARER.address, reference, "Yes")
    await axe.check(page, "sandbox inbox, after a reply")
    await story.reply_from_inbox(
        page, sandbox, SENCO.address, reference, "Yes, as long as it is deleted afterwards."
    )

    await page.goto(f"{bot}/tab/review")
    item = page.get_by_role("article")
    await story.reload_until(page, lambda: story._has(item))
    await axe.check(page, "review queue, an email waiting")
    await item.get_by_role("group", name="Recording the meeting").get_by_label("Given").check()
    await item.get_by_role("button", name="Confirm this reading").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing was changed")
    await axe.check(page, "review queue, a reading refused")
    item = page.get_by_role("article")
    await item.get_by_role("group", name="Recording the meeting").get_by_label("Given").check()
    await item.get_by_label("Their condition").fill("It is deleted after the meeting.")
    await item.get_by_role("button", name="Confirm this reading").click()
    await expect(page.get_by_role("status")).to_contain_text("the reading was recorded")
    await axe.check(page, "review queue, after a confirmation")

    await page.goto(f"{bot}/tab/meetings/{reference}")
    allowed = page.locator("dt:text-is('Teams allows recording now') + dd")
    await story.reload_until(page, lambda: story._says(allowed, "Yes"))
    await axe.check(page, "meeting page, everyone replied")

    async with page.context.expect_page() as opened:
        await page.get_by_role("link", name="Join the meeting in Teams").click()
    room = await opened.value
    await room.wait_for_load_state()
    await axe.check(room, "sandbox meeting room, not open yet")
    await room.get_by_role("button", name="Open the meeting room").click()
    await axe.check(room, "sandbox meeting room, open")
    await room.get_by_role("button", name="Start the meeting").click()
    await expect(room.get_by_role("status")).to_contain_text("The meeting started")
    await axe.check(room, "sandbox meeting room, started")
    await room.get_by_role("button", name="Start recording").click()
    await expect(room.get_by_role("status")).to_contain_text("ecording")
    await axe.check(room, "sandbox meeting room, recording")
    await story.object_in_the_chat(room)
    await axe.check(room, "sandbox meeting room, after an objection in the chat")
    await room.get_by_role("button", name="End the meeting").click()
    await expect(room.get_by_role("status")).to_contain_text("The meeting ended.")
    await axe.check(room, "sandbox meeting room, ended")
    await room.close()

    await page.goto(f"{bot}/tab/meetings/{reference}")
    alert = page.get_by_role("alert").filter(has_text="A recording made without consent")
    await story.reload_until(page, lambda: story._has(alert), tries=300)
    await axe.check(page, "meeting page, a recording made without consent (backstop alert)")
    outcome = page.get_by_label("What was done with it, and why").first
    await outcome.fill("Sharing checked: only the organiser can open it. Kept as evidence.")
    await page.get_by_role("button", name="Record what was done").first.click()
    await expect(page.get_by_text("Kept as evidence.").first).to_be_visible()
    await axe.check(page, "meeting page, after recording what was done with a recording")
    await page.get_by_role("button", name="Place a safeguarding hold").click()
    await expect(page.get_by_text("This meeting is under a safeguarding hold")).to_be_visible()
    await axe.check(page, "meeting page, under a safeguarding hold")

    await page.goto(f"{bot}/tab/meetings/{reference}/liaison")
    await axe.check(page, "liaison page, no one named")
    named = page.get_by_label("Professionals or organisations, one on each line")
    await named.fill("Fellside Primary, SENCO\nFellside Primary, SENCO")
    await page.get_by_role("button", name="Save and ask for permission").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "liaison page, with a validation error")
    await named.fill("Northshire SEND team, SEND officer")
    await page.get_by_role("button", name="Save and ask for permission").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved.")
    await axe.check(page, "liaison page, after saving (permission asked)")

    await page.goto(f"{bot}/tab/legal")
    await axe.check(page, "legal requests, none logged")
    await page.get_by_role("button", name="Log the request").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "legal requests, with validation errors")
    await page.get_by_label("Who asked").fill("Sam Lee, SEND casework officer, Northshire Council")
    await page.get_by_label("The officer's email address").fill("sam.lee@northshire.example.org")
    await page.get_by_label("Legal basis").fill("A judicial review of the EHC plan decision.")
    await page.get_by_label("Meetings it concerns").fill(reference)
    await page.get_by_label("Email address of the parent carer or young person").fill(
        PARENT_CARER.address
    )
    await page.get_by_role("button", name="Log the request").click()
    await expect(page.get_by_role("status")).to_contain_text("The request was logged.")
    legal = page.url.rsplit("/", 1)[1].split("?")[0]
    await axe.check(page, "legal request, logged (seen by staff)")
    await page.goto(f"{bot}/tab/legal")
    await axe.check(page, "legal requests, one logged")

    second = await story.schedule_in_the_form(page, bot)
    await page.get_by_role("button", name="Cancel this meeting").click()
    await page.get_by_role("button", name="Yes, cancel the meeting").click()
    await expect(page.get_by_role("status")).to_contain_text("The meeting was cancelled")
    assert second in page.url
    await axe.check(page, "meeting page, cancelled")

    await page.goto(f"{bot}/tab/no-such-page")
    await axe.check(page, "page not found")
    await page.get_by_role("link", name="Accessibility statement").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    await axe.check(page, "accessibility statement")
    await page.goto(f"{bot}/tab/statistics")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Only the service manager can use this page"
    )
    await axe.check(page, "a manager's page, refused to other staff (403)")
    await page.goto(f"{bot}/tab")
    await page.get_by_role("button", name="Sign out").click()
    await axe.check(page, "signed out")
    await page.goto(f"{bot}/tab?inTeams=1")
    await expect(page.get_by_role("status")).to_contain_text("Teams could not sign you in here")
    await axe.check(page, "Teams tab sign-in page, opened outside Teams")

    await page.goto(bot)
    await page.get_by_label(re.compile(SERVICE_MANAGER.display_name)).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Subject access").click()
    await axe.check(page, "subject access, empty")
    address = page.get_by_label("Their email address")
    await address.fill("not an address")
    await page.get_by_role("button", name="Find what is held").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "subject access, not an email address")
    await address.fill("nobody@example.org")
    await page.get_by_role("button", name="Find what is held").click()
    await expect(page.get_by_role("alert")).to_contain_text("Nothing is held")
    await axe.check(page, "subject access, nothing held")
    await address.fill(PARENT_CARER.address)
    await page.get_by_role("button", name="Find what is held").click()
    await expect(page.get_by_role("heading", level=2).first).to_contain_text("What is held")
    await axe.check(page, "subject access, what is held")
    await page.get_by_role("button", name=f"Send the report to {PARENT_CARER.address}").click()
    await expect(page.get_by_role("status")).to_contain_text("The report was sent")
    await axe.check(page, "subject access, after sending")
    await page.get_by_role("link", name="Statistics").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    await axe.check(page, "statistics, one meeting (suppressed)")
    await page.goto(f"{bot}/tab/legal/{legal}")
    await axe.check(page, "legal request, the service manager's decision")
    await page.get_by_role("button", name="Decide").click()
    await expect(page.get_by_role("alert")).to_contain_text("Choose")
    await axe.check(page, "legal request, decided without a choice")
    await page.get_by_label("Ask the service user's permission by email").check()
    await page.get_by_role("button", name="Decide").click()
    await expect(page.get_by_role("status")).to_contain_text("emailed to ask for their permission")
    await axe.check(page, "legal request, permission asked")
    await page.get_by_role("button", name="Record the reason and send to the officer").click()
    await expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    await axe.check(page, "legal request, safeguarding reason missing")

    await story.reply_from_inbox(
        page, sandbox, PARENT_CARER.address, legal, "Yes if it is only used for the review"
    )
    await page.goto(f"{bot}/tab/review")
    legal_reply = page.get_by_role("article").filter(has_text=legal)
    await story.reload_until(page, lambda: story._has(legal_reply))
    await axe.check(page, "review queue, a reply about a legal request")
    await legal_reply.get_by_role("link", name="the legal request's page").click()
    await expect(page.get_by_role("heading", name="Replies to read")).to_be_visible()
    await axe.check(page, "legal request, a reply to read")
    await page.get_by_label("They refused permission").check()
    await page.get_by_role("button", name="Record what it says").click()
    await expect(page.get_by_role("status")).to_contain_text("Their refusal was recorded.")
    await axe.check(page, "legal request, refused by the service user")
    await page.get_by_label("Safeguarding reason").fill(
        "The officer reports a disclosure at school: the child may be at risk at home."
    )
    await page.get_by_role("button", name="Record the reason and send to the officer").click()
    await expect(page.get_by_role("status")).to_contain_text("The safeguarding reason was recorded")
    await axe.check(page, "legal request, sent for safeguarding")
    await page.goto(f"{bot}/tab/meetings/{reference}")
    await expect(page.get_by_text("Sent without the service user's permission")).to_be_visible()
    await axe.check(page, "meeting page, listing a legal request sent for safeguarding")

    await page.goto(f"{bot}/tab/meetings/new")
    await page.get_by_text("Professionals to liaise with (optional)").click()
    await page.get_by_label("Professionals or organisations, one on each line").fill(
        "Fellside Primary, SENCO\nFellside Primary, SENCO"
    )
    await page.get_by_role("button", name="Schedule the meeting").click()
    await expect(page.get_by_role("alert")).to_contain_text("is named twice")
    await axe.check(page, "scheduling form, with an error in the professionals to liaise with")
    await page.goto(f"{bot}/tab/meetings/new")
    await page.get_by_text("The service user's individual needs (optional)").click()
    await page.get_by_label("They will join by phone").check()
    await page.get_by_label("An interpreter or other supporter will attend").check()
    await page.get_by_label("Their email address").fill("morgan at interpreters")
    await axe.check(page, "scheduling form, individual needs ticked (revealed fields)")
    await page.get_by_role("button", name="Schedule the meeting").click()
    await expect(page.get_by_role("alert")).to_contain_text("interpreter or supporter")
    await axe.check(page, "scheduling form, with errors in the individual needs")
    await page.get_by_role("button", name="Sign out").click()

    await page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    axe.assert_none()
    missed = [path for path in staff_pages(settings, store) if not visited(path, axe.paths)]
    assert missed == [], "staff pages the walk does not check"


async def test_the_check_finds_and_names_what_breaks_wcag(page: Page) -> None:
    """The same check on a page made to fail: an unlabelled field, an image without words, a
    pale grey text and no language. Each is found, by rule and element."""
    await page.set_content(
        "<html><body><main><h1>Form</h1><img src='data:,'>"
        "<p style='color:#ccc'>Pale words</p><input id='nameless'></main></body></html>"
    )
    found = {violation.rule: violation for violation in await wcag_violations(page, "made up")}
    assert {"image-alt", "label", "color-contrast", "html-has-lang"} <= found.keys()
    assert found["label"].elements == ('#nameless: <input id="nameless">',)
    assert "made up" in str(found["label"])
