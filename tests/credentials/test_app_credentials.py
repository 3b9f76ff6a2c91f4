"""The bot authenticates to Entra ID with a certificate (PEM or PFX) or a managed identity's
federated credential as well as a client secret, for Graph and for the Bot Connector, against
the sandbox; and no secret ever reaches a log line or an error message."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from microsoft_agents.hosting.core import AgentAuthConfiguration

from bot.agent.channel_endpoints import rerouted_token_providers
from bot.config import TenantSettings
from bot.graph.client import open_graph_client
from bot.graph.config import CertificateFile, GraphClientConfig, ManagedIdentityFederation
from bot.graph.credential import MsalAppCredential
from sandbox.entra.app_credentials import FederatedCredential
from sandbox.seed import BOT_CLIENT_ID, BOT_CLIENT_SECRET, CONSENT_MAILBOX
from tests.credentials.certificates import AppCertificate, new_app_certificate
from tests.credentials.conftest import IDENTITY_CLIENT_ID, IDENTITY_OBJECT_ID, PFX_PASSWORD
from tests.sandbox.conftest import RunningSandbox

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
BOT_FRAMEWORK = "https://api.botframework.com"


def config_for(sandbox: RunningSandbox, **credential: object) -> GraphClientConfig:
    return GraphClientConfig(
        tenant_id=sandbox.tenant.tenant_id,
        client_id=BOT_CLIENT_ID,
        graph_base_url=sandbox.graph_base_url,
        authority_rewrite_to=sandbox.origin,
        **credential,  # type: ignore[arg-type]
    )


async def consent_mailbox_name(config: GraphClientConfig) -> str | None:
    """What a Graph call with this credential reads: the consent mailbox's display name."""
    async with open_graph_client(config) as graph:
        user = await graph.users.by_user_id(CONSENT_MAILBOX.mail).get()
    return None if user is None else user.display_name


async def test_a_certificate_in_a_pem_file_gets_graph_tokens(
    tenant_sandbox: RunningSandbox, registered_certificate: AppCertificate, tmp_path: Path
) -> None:
    pem = registered_certificate.write_pem(tmp_path / "bot.pem")

    name = await consent_mailbox_name(config_for(tenant_sandbox, certificate=CertificateFile(pem)))

    assert name == CONSENT_MAILBOX.display_name


async def test_a_certificate_in_a_password_protected_pfx_file_gets_graph_tokens(
    tenant_sandbox: RunningSandbox, registered_certificate: AppCertificate, tmp_path: Path
) -> None:
    pfx = registered_certificate.write_pfx(tmp_path / "bot.pfx", PFX_PASSWORD)

    name = await consent_mailbox_name(
        config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD))
    )

    assert name == CONSENT_MAILBOX.display_name


async def test_a_certificate_the_registration_does_not_hold_is_refused(
    tenant_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    pem = new_app_certificate().write_pem(tmp_path / "other.pem")

    async with MsalAppCredential(
        config_for(tenant_sandbox, certificate=CertificateFile(pem))
    ) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
            await credential.get_token(GRAPH_SCOPE)


async def test_a_managed_identity_trusted_by_a_federated_credential_gets_graph_tokens(
    tenant_sandbox: RunningSandbox, managed_identity: None
) -> None:
    tenant = tenant_sandbox.tenant
    tenant.app_credentials.add_federated_credential(
        BOT_CLIENT_ID, FederatedCredential(tenant.v2_issuer, IDENTITY_OBJECT_ID)
    )

    name = await consent_mailbox_name(
        config_for(tenant_sandbox, managed_identity=ManagedIdentityFederation(IDENTITY_CLIENT_ID))
    )

    assert name == CONSENT_MAILBOX.display_name


async def test_a_managed_identity_without_a_federated_credential_is_refused(
    tenant_sandbox: RunningSandbox, managed_identity: None
) -> None:
    config = config_for(
        tenant_sandbox, managed_identity=ManagedIdentityFederation(IDENTITY_CLIENT_ID)
    )

    async with MsalAppCredential(config) as credential:
        with pytest.raises(ClientAuthenticationError, match="AADSTS700213"):
            await credential.get_token(GRAPH_SCOPE)


async def test_the_bot_connector_token_comes_from_the_same_certificate(
    tenant_sandbox: RunningSandbox, registered_certificate: AppCertificate, tmp_path: Path
) -> None:
    pem = registered_certificate.write_pem(tmp_path / "bot.pem")
    config = config_for(tenant_sandbox, certificate=CertificateFile(pem))
    providers = rerouted_token_providers(
        "https://login.microsoftonline.com", tenant_sandbox.origin, config
    )
    provider = providers(
        AgentAuthConfiguration(client_id=BOT_CLIENT_ID, tenant_id=config.tenant_id)
    )

    token = await provider.get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])

    claims = tenant_sandbox.tenant.signing_key.verify(
        token,
        audiences=[BOT_FRAMEWORK],
        issuer=tenant_sandbox.tenant.v1_issuer,
        leeway_seconds=0,
    )
    assert claims["appid"] == BOT_CLIENT_ID


def test_one_setting_chooses_the_credential(tmp_path: Path) -> None:
    def tenant(**settings: object) -> TenantSettings:
        return TenantSettings.model_validate({"tenant_id": "t", "bot_app_id": "a", **settings})

    secret = tenant(bot_app_secret="s").graph_config()
    certificate = tenant(
        credential="certificate", bot_certificate_path=str(tmp_path / "bot.pfx")
    ).graph_config()
    identity = tenant(credential="managed_identity", managed_identity_client_id="mi").graph_config()

    assert (secret.client_secret, secret.certificate, secret.managed_identity) == ("s", None, None)
    assert certificate.certificate == CertificateFile(tmp_path / "bot.pfx")
    assert identity.managed_identity == ManagedIdentityFederation("mi")
    with pytest.raises(ValueError, match="IASS_BOT_CERTIFICATE_PATH"):
        tenant(credential="certificate").graph_config()


async def test_no_secret_reaches_a_log_line_or_an_error_message(
    tenant_sandbox: RunningSandbox,
    registered_certificate: AppCertificate,
    managed_identity: None,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every credential, used well and badly, for Graph and for the Bot Connector, with every
    logger at DEBUG: neither the logs nor the errors carry the secret, the key, the PFX or PEM
    password or the identity header. (The staff sign-in and the served bot's paths are
    checked in their own tests.)"""
    caplog.set_level(logging.DEBUG)
    tenant = tenant_sandbox.tenant
    pem = registered_certificate.write_pem(tmp_path / "bot.pem")
    locked_pem = registered_certificate.write_pem(tmp_path / "locked.pem", PFX_PASSWORD)
    pfx = registered_certificate.write_pfx(tmp_path / "bot.pfx", PFX_PASSWORD)
    identity = ManagedIdentityFederation(IDENTITY_CLIENT_ID)
    errors: list[str] = []
    attempts = [
        config_for(tenant_sandbox, client_secret=BOT_CLIENT_SECRET),
        config_for(tenant_sandbox, client_secret=BOT_CLIENT_SECRET + "-wrong"),
        config_for(tenant_sandbox, certificate=CertificateFile(pem)),
        config_for(tenant_sandbox, certificate=CertificateFile(locked_pem, PFX_PASSWORD)),
        config_for(tenant_sandbox, certificate=CertificateFile(locked_pem, "wrong")),
        config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD)),
        config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD + "-wrong")),
        config_for(tenant_sandbox, managed_identity=identity),
    ]
    for config in attempts:
        async with MsalAppCredential(config) as credential:
            try:
                await credential.get_token(GRAPH_SCOPE)
            except (ClientAuthenticationError, ValueError) as error:
                errors.append(f"{error!s} {error!r}")
    tenant.app_credentials.add_federated_credential(
        BOT_CLIENT_ID, FederatedCredential(tenant.v2_issuer, IDENTITY_OBJECT_ID)
    )
    for config in (
        config_for(tenant_sandbox, managed_identity=identity),
        config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD)),
        config_for(tenant_sandbox, certificate=CertificateFile(pfx, PFX_PASSWORD + "-wrong")),
    ):
        provider = rerouted_token_providers(
            "https://login.microsoftonline.com", tenant_sandbox.origin, config
        )(AgentAuthConfiguration(client_id=BOT_CLIENT_ID, tenant_id=config.tenant_id))
        try:
            await provider.get_access_token(BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])
        except ValueError as error:
            errors.append(f"{error!s} {error!r}")

    secrets = [
        BOT_CLIENT_SECRET,
        PFX_PASSWORD,
        tenant.managed_identities.identity_header,
        registered_certificate.key_pem().decode().splitlines()[1],
        locked_pem.read_text().splitlines()[1],
    ]
    written = "\n".join([*(record.getMessage() for record in caplog.records), *errors])
    assert len(errors) == 5
    assert caplog.records
    for secret in secrets:
        assert secret not in written
