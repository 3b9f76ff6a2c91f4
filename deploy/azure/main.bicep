// The IASS meeting companion on Azure: App Service for Linux (Python 3.11, gunicorn with
// aiohttp's worker, always on), PostgreSQL Flexible Server reached only through the virtual
// network, Key Vault holding the keys, a user-assigned managed identity (Key Vault references
// and the bot's federated credential), Application Insights, and the Azure Bot resource with
// the Teams channel (messages and calling).
// This file is not compiled or deployed by the project's tests (no Bicep compiler here); a
// test checks that every setting the README lists is wired below. See docs/deploy.md.

targetScope = 'resourceGroup'

@description('Short lower-case name used in every resource name, e.g. "wfiass".')
@minLength(3)
@maxLength(12)
param name string

param location string = resourceGroup().location

@description('Entra tenant (directory) id of the council.')
param tenantId string = subscription().tenantId

@description('Application (client) id of the bot\'s Entra app registration.')
param botAppId string

@description('Shared mailbox consent requests are sent from and replies read from.')
param consentMailbox string

@description('The Teams app\'s id in the organisation\'s catalog (after uploading the package).')
param teamsCatalogAppId string

@description('Custom https host name, if any; otherwise the App Service default host name.')
param publicHostName string = ''

@description('The service profile: what the bot says about the service.')
param serviceName string
param serviceShortName string
param serviceWhatWeDo string = ''
param servicePhone string
param serviceEmail string
param serviceWebsite string
param servicePrivacyUrl string = ''

@description('The council\'s brand colour for the staff pages\' header, #rrggbb; white text on it needs 4.5:1 contrast.')
param serviceBrandColour string = '#0b4f4c'
param serviceTermsUrl string = ''
param serviceRecordingAudience string = ''
param serviceRecordingKeptFor string = ''
param serviceDocumentAudience string = ''

param retentionDays int = 2192
param reminderHours string = '72,24'
param sessionMaxHours int = 10
param staffRole string = 'IASS.Staff'
param managerRole string = 'IASS.Manager'
param teamsServiceUrl string = 'https://smba.trafficmanager.net/uk/'
param appVersion string = '1.0.0'
param teamsAppName string = 'IASS meeting companion'

@allowed(['espeak', 'azure', 'recorded'])
param speechBackend string = 'espeak'
param speechAzureRegion string = ''
param speechAzureVoice string = 'en-GB-SoniaNeural'
param speechRecordedDir string = ''

@description('An OpenTelemetry collector\'s OTLP/HTTP endpoint to send traces and metrics to as well as Application Insights; empty: Application Insights only.')
param otlpEndpoint string = ''

@description('PostgreSQL administrator password (kept only in Key Vault inside the database URL).')
@secure()
param postgresAdminPassword string

@description('Field encryption keys, "id:base64key" pairs (iass-bot keys generate).')
@secure()
param encryptionKeys string
param encryptionKeyId string = ''
@secure()
param blindIndexKey string
@secure()
param auditKey string
@secure()
param sessionKey string
@description('Only with speechBackend azure.')
@secure()
param speechAzureKey string = ''

var publicUrl = 'https://${empty(publicHostName) ? '${name}-bot.azurewebsites.net' : publicHostName}'
var startCommand = 'gunicorn bot.serving:gunicorn_app --worker-class aiohttp.GunicornWebWorker --workers 1 --timeout 600 --graceful-timeout 25 --bind 0.0.0.0:8000'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-identity'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: {name: 'PerGB2018'}
    retentionInDays: 90
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource network 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: '${name}-network'
  location: location
  properties: {
    addressSpace: {addressPrefixes: ['10.40.0.0/16']}
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.40.1.0/24'
          delegations: [{name: 'web', properties: {serviceName: 'Microsoft.Web/serverFarms'}}]
        }
      }
      {
        name: 'database'
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [
            {name: 'postgres', properties: {serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'}}
          ]
        }
      }
    ]
  }
}

resource databaseDns 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: '${name}.private.postgres.database.azure.com'
  location: 'global'
}

resource databaseDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: databaseDns
  name: 'network'
  location: 'global'
  properties: {
    virtualNetwork: {id: network.id}
    registrationEnabled: false
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = {
  name: '${name}-db'
  location: location
  sku: {name: 'Standard_B1ms', tier: 'Burstable'}
  properties: {
    version: '16'
    administratorLogin: 'iass'
    administratorLoginPassword: postgresAdminPassword
    storage: {storageSizeGB: 32}
    backup: {backupRetentionDays: 35, geoRedundantBackup: 'Disabled'}
    network: {
      delegatedSubnetResourceId: network.properties.subnets[1].id
      privateDnsZoneArmResourceId: databaseDns.id
    }
    highAvailability: {mode: 'Disabled'}
  }
  dependsOn: [databaseDnsLink]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2022-12-01' = {
  parent: postgres
  name: 'iass'
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-keys'
  location: location
  properties: {
    tenantId: tenantId
    sku: {family: 'A', name: 'standard'}
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
  }
}

var secrets = {
  'database-url': 'postgresql+asyncpg://iass:${postgresAdminPassword}@${postgres.properties.fullyQualifiedDomainName}/iass?ssl=require'
  'encryption-keys': encryptionKeys
  'blind-index-key': blindIndexKey
  'audit-key': auditKey
  'session-key': sessionKey
  'speech-azure-key': empty(speechAzureKey) ? 'unused' : speechAzureKey
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in items(secrets): {
  parent: vault
  name: secret.key
  properties: {value: secret.value}
}]

// Key Vault Secrets User for the managed identity, so App Service resolves the references.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, 'secrets-user')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

func vaultReference(vaultName string, secret string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secret})'

resource plan 'Microsoft.Web/serverfarms@2023-01-01' = {
  name: '${name}-plan'
  location: location
  kind: 'linux'
  sku: {name: 'P0v3'}
  properties: {reserved: true}
}

resource app 'Microsoft.Web/sites@2023-01-01' = {
  name: '${name}-bot'
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {'${identity.id}': {}}
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: network.properties.subnets[0].id
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      alwaysOn: true
      appCommandLine: startCommand
      healthCheckPath: '/readyz'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      vnetRouteAllEnabled: true
      appSettings: [
        {name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true'}
        {name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString}
        {name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: otlpEndpoint}
        {name: 'PORT', value: '8000'}
        {name: 'IASS_HOST', value: '0.0.0.0'}
        {name: 'IASS_LOG_FORMAT', value: 'json'}
        {name: 'IASS_DATABASE_URL', value: vaultReference(vault.name, 'database-url')}
        {name: 'IASS_ENCRYPTION_KEYS', value: vaultReference(vault.name, 'encryption-keys')}
        {name: 'IASS_ENCRYPTION_KEY_ID', value: encryptionKeyId}
        {name: 'IASS_BLIND_INDEX_KEY', value: vaultReference(vault.name, 'blind-index-key')}
        {name: 'IASS_AUDIT_KEY', value: vaultReference(vault.name, 'audit-key')}
        {name: 'IASS_SESSION_KEY', value: vaultReference(vault.name, 'session-key')}
        {name: 'IASS_SESSION_MAX_HOURS', value: string(sessionMaxHours)}
        {name: 'IASS_RETENTION_DAYS', value: string(retentionDays)}
        {name: 'IASS_REMINDER_HOURS', value: reminderHours}
        {name: 'IASS_SERVICE_NAME', value: serviceName}
        {name: 'IASS_SERVICE_SHORT_NAME', value: serviceShortName}
        {name: 'IASS_SERVICE_WHAT_WE_DO', value: serviceWhatWeDo}
        {name: 'IASS_SERVICE_PHONE', value: servicePhone}
        {name: 'IASS_SERVICE_EMAIL', value: serviceEmail}
        {name: 'IASS_SERVICE_WEBSITE', value: serviceWebsite}
        {name: 'IASS_SERVICE_PRIVACY_URL', value: servicePrivacyUrl}
        {name: 'IASS_SERVICE_BRAND_COLOUR', value: serviceBrandColour}
        {name: 'IASS_SERVICE_TERMS_URL', value: serviceTermsUrl}
        {name: 'IASS_SERVICE_RECORDING_AUDIENCE', value: serviceRecordingAudience}
        {name: 'IASS_SERVICE_RECORDING_KEPT_FOR', value: serviceRecordingKeptFor}
        {name: 'IASS_SERVICE_DOCUMENT_AUDIENCE', value: serviceDocumentAudience}
        {name: 'IASS_TENANT_ID', value: tenantId}
        {name: 'IASS_BOT_APP_ID', value: botAppId}
        // The bot proves itself with the managed identity through a federated identity
        // credential on its app registration (docs/deploy.md): no secret or certificate here.
        {name: 'IASS_CREDENTIAL', value: 'managed_identity'}
        {name: 'IASS_MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId}
        {name: 'IASS_BOT_APP_SECRET', value: ''}
        {name: 'IASS_BOT_CERTIFICATE_PATH', value: ''}
        {name: 'IASS_BOT_CERTIFICATE_PASSWORD', value: ''}
        {name: 'IASS_AUTHORITY_HOST', value: 'https://login.microsoftonline.com'}
        {name: 'IASS_AUTHORITY_ENDPOINT', value: ''}
        {name: 'IASS_GRAPH_BASE_URL', value: 'https://graph.microsoft.com/v1.0'}
        {name: 'IASS_BOT_FRAMEWORK_KEYS_URL', value: 'https://login.botframework.com/v1/.well-known/keys'}
        {name: 'IASS_CALLING_OPENID_URL', value: 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration'}
        {name: 'IASS_TEAMS_WEB_URL', value: 'https://teams.microsoft.com'}
        {name: 'IASS_CONSENT_MAILBOX', value: consentMailbox}
        {name: 'IASS_TEAMS_CATALOG_APP_ID', value: teamsCatalogAppId}
        {name: 'IASS_PUBLIC_URL', value: publicUrl}
        {name: 'IASS_STAFF_ROLE', value: staffRole}
        {name: 'IASS_MANAGER_ROLE', value: managerRole}
        {name: 'IASS_TEAMS_SERVICE_URL', value: teamsServiceUrl}
        {name: 'IASS_APP_VERSION', value: appVersion}
        {name: 'IASS_TEAMS_APP_NAME', value: teamsAppName}
        {name: 'IASS_SPEECH_BACKEND', value: speechBackend}
        {name: 'IASS_SPEECH_AZURE_KEY', value: vaultReference(vault.name, 'speech-azure-key')}
        {name: 'IASS_SPEECH_AZURE_REGION', value: speechAzureRegion}
        {name: 'IASS_SPEECH_AZURE_VOICE', value: speechAzureVoice}
        {name: 'IASS_SPEECH_RECORDED_DIR', value: speechRecordedDir}
      ]
    }
  }
  dependsOn: [secretsUser, vaultSecrets, database]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-azure-bot'
  location: 'global'
  kind: 'azurebot'
  sku: {name: 'S1'}
  properties: {
    displayName: teamsAppName
    endpoint: '${publicUrl}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: true
      callingWebhook: '${publicUrl}/api/calls'
    }
  }
}

output publicUrl string = publicUrl
output managedIdentityClientId string = identity.properties.clientId
output managedIdentityPrincipalId string = identity.properties.principalId
output startCommand string = startCommand
