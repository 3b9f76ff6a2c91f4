"""The checklist `iass-bot tenant check` prints: what each answer from the tenant means, and the
fix for each failure. Pure functions of what the probes saw (`bot/cli/tenant_probes.py`), so
every line and every fix is tested without a tenant.

Sources (checked 2026-12-07):
- application permissions arrive as the `roles` claim of a client-credentials token
  (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow);
- listing a meeting's recordings and transcripts needs OnlineMeetingRecording.Read.All and
  OnlineMeetingTranscript.Read.All
  (https://learn.microsoft.com/graph/api/onlinemeeting-list-recordings), and listing the users
  assigned an app role needs Application.Read.All or a higher documented permission
  (https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto);
- online meetings for a user need an application access policy granted to that user
  (https://learn.microsoft.com/graph/cloud-communication-online-meeting-application-access-policy,
  New-/Grant-CsApplicationAccessPolicy);
- Exchange Online RBAC for Applications scopes Mail.Read and Mail.Send to some mailboxes
  (https://learn.microsoft.com/exchange/permissions-exo/application-rbac);
- the org catalog's apps are listed by `GET /appCatalogs/teamsApps` with the manifest id as
  `externalId` (https://learn.microsoft.com/graph/api/appcatalogs-list-teamsapps);
- Graph validates a subscription's notification URL by POSTing `validationToken`, to be echoed
  as text/plain within 10 s
  (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

REQUIRED_GRAPH_ROLES = (
    "OnlineMeetings.ReadWrite.All",
    "User.Read.All",
    "Files.ReadWrite.All",
    "TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All",
    "AppCatalog.Read.All",
    "OnlineMeetingRecording.Read.All",
    "OnlineMeetingTranscript.Read.All",
    "Application.Read.All",
)
"""The Graph application permissions the product needs in its token (AppCatalog.Read.All only
for this check's catalog line). The recording backstop needs OnlineMeetingRecording.Read.All and
OnlineMeetingTranscript.Read.All to list a meeting's recordings and transcripts and to subscribe
to new ones tenant-wide (the resource-specific .Chat variants do not cover `getAllRecordings`),
and Application.Read.All to find the users assigned the manager role
(`GET /servicePrincipals/{id}/appRoleAssignedTo`). Mail.Read, Mail.Send and
Calendars.ReadWrite are not required here: with Exchange Online RBAC for Applications they are
granted in Exchange, scoped, and never appear in the token (an Entra grant of them would be
tenant-wide), so the mailbox and calendar lines check them by what Exchange allows.
Calls.JoinGroupCall.All is left out: the manifest's resource-specific permission
Calls.JoinGroupCalls.Chat does instead."""

ROLE_ALTERNATIVES: Mapping[str, frozenset[str]] = {
    "Application.Read.All": frozenset(
        {"Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
    ),
}
"""Higher privileged permissions Microsoft documents as also allowing what a required one is for
(https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto, checked
2026-12-07). Application.ReadWrite.OwnedBy is documented too but reaches only service principals
the app owns, so it is not taken as enough."""

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
POLICY_NAME = "IASS-meeting-companion"
TEST_EVENT_SUBJECT = "IASS meeting companion: tenant check"


class Outcome(StrEnum):
    PASS = "PASS"  # noqa: S105 (an outcome, not a password)
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One item of the checklist: whether it passed, what was seen, and the fix."""

    item: str
    outcome: Outcome
    detail: str
    fix: str = ""

    def render(self) -> str:
        text = f"{self.outcome:<4}  {self.item}: {self.detail}"
        return f"{text} -- fix: {self.fix}" if self.fix else text


def exit_status(lines: Iterable[CheckLine]) -> int:
    """0 only when no item failed (an item skipped without `--write` is not a failure)."""
    return 1 if any(line.outcome is Outcome.FAIL for line in lines) else 0


def passed(item: str, detail: str) -> CheckLine:
    return CheckLine(item, Outcome.PASS, detail)


def failed(item: str, detail: str, fix: str) -> CheckLine:
    return CheckLine(item, Outcome.FAIL, detail, fix)


def not_checked(item: str, because: str) -> CheckLine:
    return CheckLine(item, Outcome.SKIP, f"not checked: {because}")


TOKEN = "token"  # noqa: S105 (a checklist item name)
ROLES = "Graph permissions"
POLICY = "application access policy"
CONSENT_READ = "consent mailbox readable"
CONSENT_SEND = "consent mailbox can send"
OTHER_MAILBOX = "other mailboxes out of scope"
CATALOG = "Teams app in the catalog"
PUBLIC_URL = "public URL"
VALIDATION = "subscription validation"
SPEECH = "speech"
CALENDAR = "staff calendars in scope"
TEST_EVENT = "test event (--write)"


def token_line(error: str | None) -> CheckLine:
    if error is None:
        return passed(TOKEN, "Entra ID gave the app a Microsoft Graph token")
    return failed(
        TOKEN,
        f"no token: {error}",
        "check IASS_TENANT_ID, IASS_BOT_APP_ID and the credential IASS_CREDENTIAL chooses "
        "(the client secret, the certificate file, or the managed identity's federated "
        "credential on the app registration)",
    )


def roles_line(roles: frozenset[str]) -> CheckLine:
    missing = [
        role
        for role in REQUIRED_GRAPH_ROLES
        if role not in roles and not ROLE_ALTERNATIVES.get(role, frozenset()) & roles
    ]
    if not missing:
        return passed(ROLES, f"the token carries all {len(REQUIRED_GRAPH_ROLES)} roles")
    return failed(
        ROLES,
        f"the token lacks {', '.join(missing)}",
        "in Entra ID, App registrations > the bot > API permissions > Add a permission > "
        f"Microsoft Graph > Application permissions: add {', '.join(missing)}, then "
        "'Grant admin consent' (az ad app permission admin-consent --id APP_ID)",
    )


def policy_line(status: int | None, app_id: str) -> CheckLine:
    """`status` of reading a made-up online meeting of the staff member: 404 (or 400 for the
    id) means the app may act for them; 403 means no application access policy."""
    if status in {404, 400, 200}:
        return passed(POLICY, "the app may act for the staff organiser")
    if status == 403:
        return failed(
            POLICY,
            "Teams refuses the app for the staff organiser (403)",
            f"in Teams PowerShell: New-CsApplicationAccessPolicy -Identity {POLICY_NAME} "
            f'-AppIds "{app_id}"; Grant-CsApplicationAccessPolicy -PolicyName {POLICY_NAME} '
            "-Group STAFF_GROUP_ID (or -Identity USER_ID); allow up to 30 minutes to apply",
        )
    return failed(POLICY, _unexpected(status), "run the check again; see Graph's status above")


def staff_missing_line(status: int | None) -> CheckLine:
    return failed(
        POLICY,
        f"the staff member given with --staff was not found ({_status_text(status)})",
        "give the user principal name or object id of a staff member who organises meetings",
    )


def consent_read_line(status: int | None) -> CheckLine:
    if status == 200:
        return passed(CONSENT_READ, "the app reads the consent mailbox")
    if status == 403:
        return failed(
            CONSENT_READ,
            "Exchange refuses the app the consent mailbox (403)",
            "in Exchange Online PowerShell: New-ManagementScope -Name 'IASS consent mailbox' "
            "-RecipientRestrictionFilter \"PrimarySmtpAddress -eq 'CONSENT_MAILBOX'\"; "
            "New-ManagementRoleAssignment -App SERVICE_PRINCIPAL_ID -Role 'Application "
            "Mail.Read' -CustomResourceScope 'IASS consent mailbox' (and the same for "
            "'Application Mail.Send'); check with Test-ServicePrincipalAuthorization",
        )
    if status == 404:
        return failed(
            CONSENT_READ,
            "IASS_CONSENT_MAILBOX is not a mailbox in the tenant (404)",
            "set IASS_CONSENT_MAILBOX to the shared mailbox's address",
        )
    return failed(CONSENT_READ, _unexpected(status), "run the check again")


def other_mailbox_line(status: int | None) -> CheckLine:
    """`status` of reading the staff member's mailbox: it must be refused."""
    if status in {403, 404}:
        return passed(OTHER_MAILBOX, "the app cannot read the staff member's mailbox")
    if status == 200:
        return failed(
            OTHER_MAILBOX,
            "the app can read a staff member's mailbox: Mail.Read is not scoped",
            "remove the tenant-wide Mail.Read and Mail.Send grants in Entra ID (API "
            "permissions > Remove admin consent) and grant them only through Exchange RBAC "
            "for Applications scoped to the consent mailbox (see the consent mailbox line)",
        )
    return failed(OTHER_MAILBOX, _unexpected(status), "run the check again")


def consent_send_line(status: int | None) -> CheckLine:
    if status in {200, 202}:
        return passed(CONSENT_SEND, "the consent mailbox sent the staff member a test message")
    if status == 403:
        return failed(
            CONSENT_SEND,
            "Exchange refuses sending from the consent mailbox (403)",
            "New-ManagementRoleAssignment -App SERVICE_PRINCIPAL_ID -Role 'Application "
            "Mail.Send' -CustomResourceScope 'IASS consent mailbox'",
        )
    return failed(CONSENT_SEND, _unexpected(status), "run the check again")


def catalog_line(
    status: int | None, apps: list[Mapping[str, object]], catalog_app_id: str, bot_app_id: str
) -> CheckLine:
    upload = (
        "upload the package from `iass-bot manifest build` in the Teams admin centre (Teams "
        "apps > Manage apps > Upload new app) and set IASS_TEAMS_CATALOG_APP_ID to its App ID"
    )
    if status == 403:
        return failed(
            CATALOG,
            "the app may not read the catalog (403)",
            "grant the Graph application permission AppCatalog.Read.All with admin consent",
        )
    if status != 200:
        return failed(CATALOG, _unexpected(status), "run the check again")
    if not catalog_app_id:
        return failed(CATALOG, "IASS_TEAMS_CATALOG_APP_ID is not set", upload)
    if not apps:
        return failed(CATALOG, "no app in the organisation's catalog has that id", upload)
    external_id = apps[0].get("externalId")
    if external_id != bot_app_id:
        return failed(
            CATALOG,
            "the catalog app with that id is another app (its manifest id is not IASS_BOT_APP_ID)",
            upload,
        )
    return passed(CATALOG, "the organisation's catalog has this bot's Teams app")


def reachable_url(public_url: str) -> bool:
    """Whether the public URL may be asked at all: https, or http on a loopback address."""
    parts = urlsplit(public_url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def public_url_line(
    public_url: str, status: int | None, service: object, expected_service: str
) -> CheckLine:
    if not reachable_url(public_url):
        return failed(
            PUBLIC_URL,
            "IASS_PUBLIC_URL is not https",
            "serve the bot over https (App Service gives https) and set IASS_PUBLIC_URL to it",
        )
    if status != 200:
        return failed(
            PUBLIC_URL,
            f"{public_url}/healthz did not answer 200 ({_status_text(status)})",
            "start the bot, and let this machine and Microsoft 365 reach IASS_PUBLIC_URL "
            "(DNS, TLS certificate, firewall, reverse proxy)",
        )
    if service != expected_service:
        return failed(
            PUBLIC_URL,
            f"{public_url}/healthz answers, but not as this service",
            "point IASS_PUBLIC_URL at this deployment (its IASS_SERVICE_SHORT_NAME differs)",
        )
    return passed(PUBLIC_URL, f"{public_url}/healthz answers as this bot")


def validation_line(echoed: bool, status: int | None) -> CheckLine:
    if echoed:
        return passed(VALIDATION, "the notification URL echoes Graph's validation token")
    return failed(
        VALIDATION,
        f"/notifications/mail did not echo the validation token ({_status_text(status)})",
        "let POST requests with their query string reach IASS_PUBLIC_URL/notifications/mail "
        "and answer within 10 seconds",
    )


def speech_line(error: str | None, seconds: float) -> CheckLine:
    if error is None:
        return passed(SPEECH, f"the speech backend made a {seconds:.1f} s prompt WAV")
    return failed(
        SPEECH,
        f"no prompt: {error}",
        "install espeak-ng (IASS_SPEECH_BACKEND=espeak), or set IASS_SPEECH_AZURE_KEY and "
        "IASS_SPEECH_AZURE_REGION, or IASS_SPEECH_RECORDED_DIR",
    )


def calendar_line(status: int | None) -> CheckLine:
    """`status` of reading a made-up event in the staff member's calendar: 404 (or 400 for
    the id) means Exchange lets the app into that calendar; 403 means it is out of scope."""
    if status in {404, 400, 200}:
        return passed(CALENDAR, "the app may use the staff member's calendar")
    if status == 403:
        return failed(
            CALENDAR,
            "Exchange refuses the app the staff member's calendar (403)",
            "in Exchange Online PowerShell: New-ManagementScope -Name 'IASS staff' "
            "-RecipientRestrictionFilter \"MemberOfGroup -eq 'STAFF_GROUP_DN'\"; "
            "New-ManagementRoleAssignment -App SERVICE_PRINCIPAL_ID -Role 'Application "
            "Calendars.ReadWrite' -CustomResourceScope 'IASS staff'",
        )
    return failed(CALENDAR, _unexpected(status), "run the check again")


def write_event_line(created: int | None, read_back: bool, removed: bool) -> CheckLine:
    if created == 403:
        return failed(
            TEST_EVENT,
            "Exchange refused to make an event in the staff member's calendar (403)",
            "scope Calendars.ReadWrite to the staff (see the calendar line)",
        )
    if created not in {200, 201}:
        return failed(TEST_EVENT, _unexpected(created), "run the check again")
    if not read_back:
        return failed(
            TEST_EVENT,
            "the event was made but not read back with its Teams meeting",
            "check that Teams meetings are the calendar's online meeting provider and run "
            "the check again",
        )
    if not removed:
        return failed(
            TEST_EVENT,
            "the test event could not be removed",
            f"remove the event '{TEST_EVENT_SUBJECT}' from the staff member's calendar",
        )
    return passed(TEST_EVENT, "made, read back and cancelled an event with a Teams meeting")


def _status_text(status: int | None) -> str:
    return "no answer" if status is None else f"status {status}"


def _unexpected(status: int | None) -> str:
    return f"unexpected answer from Graph ({_status_text(status)})"
