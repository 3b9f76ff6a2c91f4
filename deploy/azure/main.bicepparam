// Parameters for deploy/azure/main.bicep: one council's deployment. Copy this file, fill it in,
// and deploy with:
//   az deployment group create --resource-group RG --template-file deploy/azure/main.bicep \
//     --parameters deploy/azure/main.bicepparam
// Secrets are read from the environment of the shell running `az`, never written here.
using './main.bicep'

// A short lower-case prefix for every resource name (App Service becomes NAME-bot).
param name = 'wfiass'

// The bot's Entra app registration (docs/deploy.md, "Tenant set-up"). The tenant defaults to
// the subscription's.
param botAppId = '00000000-0000-0000-0000-000000000000'

// The shared mailbox consent requests come from; Exchange RBAC for Applications scopes
// Mail.Read and Mail.Send to it alone.
param consentMailbox = 'iass-consent@council.example.gov.uk'

// The App ID the Teams admin centre shows after uploading `iass-bot manifest build`'s package.
param teamsCatalogAppId = '00000000-0000-0000-0000-000000000000'

// Leave empty to use NAME-bot.azurewebsites.net; set it once a custom domain and its
// certificate are bound to the app.
param publicHostName = ''

// The service profile: what the bot and its emails say about the service. Confirm the phone
// number and email address before going live.
param serviceName = 'Westmorland and Furness SEND Information, Advice and Support Service'
param serviceShortName = 'Westmorland and Furness SEND IASS'
param servicePhone = '0300 373 3300'
param serviceEmail = 'sendiass@westmorlandandfurness.gov.uk'
param serviceWebsite = 'https://sendiass.westmorlandandfurness.gov.uk'

// From the council's retention and disposal schedule (days after a meeting ends).
param retentionDays = 2192

// Telemetry (traces and metrics with ids and codes only) goes to the Application Insights
// resource this template makes. To send it to an OpenTelemetry collector as well, give the
// collector's OTLP/HTTP endpoint (docs/deploy.md, "Telemetry").
param otlpEndpoint = ''

// Secrets: generate the keys with `iass-bot keys generate` (encryption keys as k1:KEY) and keep
// copies in the council's own secret store, apart from database backups.
param postgresAdminPassword = readEnvironmentVariable('IASS_POSTGRES_PASSWORD')
param encryptionKeys = readEnvironmentVariable('IASS_ENCRYPTION_KEYS')
param blindIndexKey = readEnvironmentVariable('IASS_BLIND_INDEX_KEY')
param auditKey = readEnvironmentVariable('IASS_AUDIT_KEY')
param sessionKey = readEnvironmentVariable('IASS_SESSION_KEY')
