"""The default sandbox tenant for `make run` and the tests. All people are fictional."""

from __future__ import annotations

from sandbox.clock import Clock, utc_now
from sandbox.directory import Directory, ExternalPerson, TenantUser
from sandbox.registration import AppRegistration, AppRoleAssignment, CatalogApp, RscPermission
from sandbox.tenant import Tenant

TENANT_ID = "5b3c1f7e-2a4d-4c6b-9e8f-0a1b2c3d4e5f"
DOMAIN = "iass-sandbox.example"

BOT_CLIENT_ID = "3f9a7c2e-8b41-4d6e-a5f0-1c2d3e4f5a6b"
BOT_CLIENT_SECRET = "sandbox-only-secret~not-for-production"  # noqa: S105 (fictional)
BOT_SERVICE_PRINCIPAL_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
BOT_CATALOG_APP_ID = "6e5d4c3b-2a19-4f8e-b7d6-c5b4a3928170"

COORDINATOR = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-000000000001",
    display_name="Priya Raman",
    user_principal_name=f"priya.raman@{DOMAIN}",
    kind="staff",
    job_title="IASS Co-ordinator",
)
ADVISER = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-000000000002",
    display_name="Tom Ellery",
    user_principal_name=f"tom.ellery@{DOMAIN}",
    kind="staff",
    job_title="IASS Adviser",
)
SECOND_ADVISER = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-000000000003",
    display_name="Gwen Ashdown",
    user_principal_name=f"gwen.ashdown@{DOMAIN}",
    kind="staff",
    job_title="IASS Adviser",
)
SERVICE_MANAGER = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-000000000004",
    display_name="Harriet Osei",
    user_principal_name=f"harriet.osei@{DOMAIN}",
    kind="staff",
    job_title="IASS Service Manager",
)
GUEST_PARENT = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-0000000000a1",
    display_name="Morgan Hale",
    user_principal_name=f"morgan.hale_example.net#EXT#@{DOMAIN}",
    kind="guest",
    external_mail="morgan.hale@example.net",
)
CONSENT_MAILBOX = TenantUser(
    object_id="11111111-aaaa-4bbb-8ccc-0000000000c0",
    display_name="IASS Consent",
    user_principal_name=f"consent@{DOMAIN}",
    kind="shared_mailbox",
)

PARENT_CARER = ExternalPerson("alex.carter@example.org", "Alex Carter", "parent carer")
YOUNG_PERSON = ExternalPerson("sam.okafor@example.org", "Sam Okafor", "young person")
SENCO = ExternalPerson("jo.whitfield@example.org", "Jo Whitfield", "school SENCO")
SEND_OFFICER = ExternalPerson("dev.marsh@example.org", "Dev Marsh", "local authority SEND officer")
GUEST_PARENT_MAIL = ExternalPerson(
    GUEST_PARENT.mail, GUEST_PARENT.display_name, "parent carer (guest account in the tenant)"
)

STAFF = (COORDINATOR, ADVISER, SECOND_ADVISER)
STAFF_ROLE = "IASS.Staff"
MANAGER_ROLE = "IASS.Manager"

BOT_APPLICATION_PERMISSIONS = frozenset(
    {
        "OnlineMeetings.ReadWrite.All",
        "Calendars.ReadWrite",
        "Calls.JoinGroupCall.All",
        "Calls.InitiateGroupCall.All",
        "Mail.Read",
        "Mail.Send",
        "Files.ReadWrite.All",
        "TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All",
        "User.Read.All",
        "OnlineMeetingRecording.Read.All",
        "OnlineMeetingTranscript.Read.All",
        "Application.Read.All",
        "AppCatalog.Read.All",
    }
)

BOT_RSC_PERMISSIONS = (
    RscPermission("ChatMessage.Read.Chat", "Application"),
    RscPermission("OnlineMeeting.ReadBasic.Chat", "Application"),
    RscPermission("OnlineMeetingParticipant.Read.Chat", "Application"),
    RscPermission("OnlineMeetingNotification.Send.Chat", "Application"),
    RscPermission("Calls.JoinGroupCalls.Chat", "Application"),
)


def seeded_tenant(clock: Clock = utc_now) -> Tenant:
    """A tenant with three staff (holding the bot app's IASS.Staff app role), the service
    manager (holding its IASS.Manager role only), a guest account
    for a parent carer (no role), a consent mailbox, five outside people (one of them the
    guest's own address) and the bot's app registration (granted the application access
    policy for staff, a mailbox scope of the consent mailbox only for mail and of the staff
    for calendars) published to the Teams app catalog."""
    bot = AppRegistration(
        client_id=BOT_CLIENT_ID,
        client_secret=BOT_CLIENT_SECRET,
        display_name="IASS meeting companion",
        service_principal_id=BOT_SERVICE_PRINCIPAL_ID,
        application_permissions=BOT_APPLICATION_PERMISSIONS,
        delegated_permissions=frozenset(
            {"User.Read", "openid", "profile", "email", "offline_access"}
        ),
        redirect_uris=("http://localhost:3978/auth/callback",),
        online_meeting_policy_user_ids=frozenset(user.object_id for user in STAFF),
        mailbox_scope_user_ids=frozenset({CONSENT_MAILBOX.object_id}),
        calendar_scope_user_ids=frozenset(user.object_id for user in STAFF),
        app_role_assignments=(
            *(AppRoleAssignment(u.object_id, STAFF_ROLE) for u in STAFF),
            AppRoleAssignment(SERVICE_MANAGER.object_id, MANAGER_ROLE),
        ),
    )
    catalog_app = CatalogApp(
        id=BOT_CATALOG_APP_ID,
        external_id=BOT_CLIENT_ID,
        display_name="IASS meeting companion",
        version="1.0.0",
        azure_ad_app_id=BOT_CLIENT_ID,
        definition_id="TWFuaWZlc3QtZGVmaW5pdGlvbi0x",
        rsc_permissions=BOT_RSC_PERMISSIONS,
    )
    return Tenant(
        tenant_id=TENANT_ID,
        display_name="IASS Sandbox",
        domain=DOMAIN,
        directory=Directory(
            users=(*STAFF, SERVICE_MANAGER, GUEST_PARENT, CONSENT_MAILBOX),
            external_people=(PARENT_CARER, YOUNG_PERSON, SENCO, SEND_OFFICER, GUEST_PARENT_MAIL),
        ),
        apps=(bot,),
        catalog_apps=(catalog_app,),
        consent_mailbox_id=CONSENT_MAILBOX.object_id,
        bot_client_id=BOT_CLIENT_ID,
        sharepoint_host="iasssandbox-my.sharepoint.com",
        clock=clock,
    )
