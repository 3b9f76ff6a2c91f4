"""Subject access from the staff pages (issue 17).

Policy: "In the event of these notes being requested by service users under a Subject Access
Request, the service manager will send the requested notes directly to them."

The service manager finds what is held by the person's email address, sees it (the report
`iass-bot sar export` writes), and either sends it to that address from the consent mailbox,
as attachments (the report to read, `report.html`, and the same as data, `report.json`), or
downloads either file to send another way. Each step is audited with the store's pseudonymous
ids and the files' SHA-256, never the address.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from bot.config import ServiceProfile
from bot.ports.mail import FileAttachment, MailSender, OutgoingEmail
from consent_store.access_report import SubjectAccessReport
from consent_store.audit import AuditEvent, DetailValue
from consent_store.subject_access import subject_access_report, subject_ids
from consent_store.unit_of_work import Store, UnitOfWork
from templates import environment

MAX_ADDRESS: Final = 254
EMAIL_ATTACHMENTS_LIMIT: Final = 3 * 1024 * 1024
"""Graph's sendMail takes file attachments in the request only while they are under 3 MB
(larger ones need an upload session); a bigger report is downloaded and sent another way."""
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")
HTML_TYPE: Final = "text/html"
JSON_TYPE: Final = "application/json"


class AddressProblem(ValueError):
    """What was typed is not an email address; the message says so in plain words."""


class NothingHeld(LookupError):
    """The store holds nothing about that address."""


class TooLargeToEmail(ValueError):
    """The report's files are too large to attach to one email."""


def parse_address(typed: str) -> str:
    """The address typed, trimmed, or `AddressProblem` in plain words."""
    address = typed.strip()
    if not address:
        raise AddressProblem("Enter the email address of the person asking for their information.")
    if len(address) > MAX_ADDRESS or not _ADDRESS.match(address):
        raise AddressProblem("Enter an email address in the form name@example.org.")
    return address


@dataclass(frozen=True)
class ReportFiles:
    """The report as `iass-bot sar export` writes it: readable HTML and the same as JSON."""

    report: SubjectAccessReport

    @cached_property
    def html(self) -> bytes:
        return self.report.to_html().encode()

    @cached_property
    def json(self) -> bytes:
        return self.report.to_json().encode()

    @property
    def sha256(self) -> str:
        """The SHA-256 of both files (HTML, a NUL byte, JSON), kept in the audit log."""
        return hashlib.sha256(self.html + b"\0" + self.json).hexdigest()

    def name(self, extension: str) -> str:
        """The file's name: the day it was made, never the address."""
        return f"subject-access-report-{self.report.produced_at:%Y-%m-%d}.{extension}"

    def attachments(self) -> tuple[FileAttachment, ...]:
        return (
            FileAttachment(self.name("html"), HTML_TYPE, self.html),
            FileAttachment(self.name("json"), JSON_TYPE, self.json),
        )


async def _audit(
    uow: UnitOfWork,
    action: str,
    manager: str,
    report: SubjectAccessReport,
    **detail: DetailValue,
) -> None:
    ids = await subject_ids(uow, report.email)
    await uow.audit(
        AuditEvent(
            action,
            actor=manager,
            subject_id=ids[0] if ids else None,
            detail={
                "invitations": len(report.invitations),
                "decisions": len(report.decisions),
                "review_items": len(report.review_items),
                "subject_ids": list(ids),
                **detail,
            },
        )
    )


async def _held(uow: UnitOfWork, address: str) -> SubjectAccessReport:
    report = await subject_access_report(uow, address)
    if not report.holds_anything:
        raise NothingHeld(address)
    return report


async def preview(store: Store, address: str, manager: str) -> SubjectAccessReport:
    """What is held about the address, for the manager to read; audited. `NothingHeld` when
    there is nothing (then nothing is audited: nothing was shown)."""
    async with store.unit_of_work() as uow:
        report = await _held(uow, address)
        await _audit(uow, "subject_access.previewed", manager, report)
        await uow.commit()
    return report


async def download(store: Store, address: str, manager: str) -> ReportFiles:
    """The report's files for the manager to download; audited with their SHA-256."""
    async with store.unit_of_work() as uow:
        files = ReportFiles(await _held(uow, address))
        await _audit(
            uow,
            "subject_access.downloaded",
            manager,
            files.report,
            sha256=files.sha256,
        )
        await uow.commit()
    return files


async def send(
    store: Store,
    mailbox: MailSender,
    service: ServiceProfile,
    address: str,
    manager: str,
) -> None:
    """Email the report to the address it is about, from the consent mailbox, with its files
    attached; audited with their SHA-256 once the mailbox accepted it. `TooLargeToEmail` when
    the files are too large for one email (nothing is sent)."""
    async with store.reading() as uow:
        files = ReportFiles(await _held(uow, address))
    attachments = files.attachments()
    if sum(len(a.content) for a in attachments) >= EMAIL_ATTACHMENTS_LIMIT:
        raise TooLargeToEmail(address)
    context = {
        "service": service,
        "html_name": files.name("html"),
        "json_name": files.name("json"),
    }
    env = environment()
    await mailbox.send(
        OutgoingEmail(
            to=address,
            subject="The information we hold about you",
            text=env.get_template("email/subject_access_report.txt.j2").render(context),
            html=env.get_template("email/subject_access_report.html.j2").render(context),
            attachments=attachments,
        )
    )
    async with store.unit_of_work() as uow:
        await _audit(
            uow,
            "subject_access.sent",
            manager,
            files.report,
            sha256=files.sha256,
        )
        await uow.commit()
