"""Outside people at their mail programs: read what reached them, reply to it (threaded by
In-Reply-To and References) or write afresh. Their mail enters the tenant through its mail
servers, which stamp Authentication-Results passing or failing as asked."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.clock import Clock
from sandbox.directory import Directory
from sandbox.ids import external_message_id
from sandbox.mail.authentication import Verdict, inbound_headers
from sandbox.mail.composer import Party, compose_new, compose_reply, reply_target
from sandbox.mail.mailboxes import MailSystem, OutsideMessage


class UnknownMessageError(LookupError):
    """The person has no message with that id."""


@dataclass(frozen=True)
class SentMail:
    internet_message_id: str
    to: str


class Correspondents:
    def __init__(self, mail: MailSystem, directory: Directory, clock: Clock) -> None:
        self._mail = mail
        self._directory = directory
        self._clock = clock

    def inbox(self, address: str) -> list[OutsideMessage]:
        return list(self._mail.outside_mailbox(address).messages)

    def reply(
        self,
        address: str,
        message_id: str,
        text: str,
        *,
        quote_original: bool = True,
        verdict: Verdict = "pass",
    ) -> SentMail:
        """Reply as `address` to a message in their inbox."""
        original = self._mail.outside_mailbox(address).message(message_id)
        if original is None:
            raise UnknownMessageError(message_id)
        sender = self._party(address)
        parsed = original.parsed()
        internet_message_id = external_message_id(sender.domain)
        reply = compose_reply(
            parsed,
            sender,
            text,
            quote_original=quote_original,
            message_id=internet_message_id,
            sent_at=self._clock(),
        )
        to = reply_target(parsed).address
        self._mail.deliver(reply, [to], inbound_headers(sender.domain, verdict))
        return SentMail(internet_message_id, to)

    def write(
        self, address: str, to: str, subject: str, text: str, *, verdict: Verdict = "pass"
    ) -> SentMail:
        """Send a new message (not a reply) as `address`."""
        sender = self._party(address)
        internet_message_id = external_message_id(sender.domain)
        message = compose_new(
            sender,
            Party(self._directory.display_name_for(to), to),
            subject,
            text,
            message_id=internet_message_id,
            sent_at=self._clock(),
        )
        self._mail.deliver(message, [to], inbound_headers(sender.domain, verdict))
        return SentMail(internet_message_id, to)

    def send_mime(self, address: str, to: str, mime: bytes, *, verdict: Verdict = "pass") -> None:
        """Send `mime` as `address`'s mail program wrote it, however malformed (an unknown
        charset, undecodable bytes, broken MIME): the tenant's mail servers take it as it is
        and stamp their verdict on top."""
        self._mail.deliver_mime(mime, [to], inbound_headers(self._party(address).domain, verdict))

    def _party(self, address: str) -> Party:
        return Party(self._directory.display_name_for(address), address)
