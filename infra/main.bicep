// Sky Readers Haven on Azure App Service: one resource group with the web app, its
// PostgreSQL database, Blob Storage for covers, Communication Services Email, Azure
// Managed Redis for Reflex's state, Key Vault and Application Insights.
// `azd up` deploys it with main.parameters.json; docs/deploy-azure.md explains each
// parameter.

targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment, such as "prod"; it names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Azure region of every resource except the global Communication Services ones, for example westeurope.')
param location string

@description('Object ID of the person or pipeline that runs azd; it may read and write the Key Vault secrets. Empty to grant nobody.')
param principalId string = ''

@description('Kind of principal in principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// Sizes.
@description('App Service plan size, for example B1, B2, P0v3 or P1v3.')
param appServiceSku string = 'B1'

@description('Number of App Service instances.')
@minValue(1)
@maxValue(30)
param appServiceInstanceCount int = 1

@description('Server processes per instance (WEB_WORKERS); about two per virtual CPU.')
@minValue(1)
@maxValue(64)
param webWorkers int = 2

@description('PostgreSQL compute size, for example Standard_B1ms or Standard_D2ds_v5.')
param postgresSku string = 'Standard_B1ms'

@description('Tier that matches postgresSku.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresTier string = 'Burstable'

@description('PostgreSQL storage in GiB.')
@minValue(32)
@maxValue(16384)
param postgresStorageSizeGB int = 32

@description('Days of PostgreSQL point-in-time backups (7 to 35).')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 14

@description('Keep PostgreSQL backups in the paired region too.')
param postgresGeoRedundantBackup bool = false

@description('PostgreSQL standby in another zone (General Purpose or Memory Optimized only).')
param postgresHighAvailability bool = false

@description('Azure Managed Redis size, for example Balanced_B0, Balanced_B1 or Balanced_B3.')
param redisSku string = 'Balanced_B0'

@description('Replicate Redis to a second node.')
param redisHighAvailability bool = false

@description('Storage account redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_LRS'

@description('Days that Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

// Application.
@description('Address shoppers use, such as https://shop.example.com; empty for https://<web app>.azurewebsites.net.')
param publicBaseUrl string = ''

@description('Log level of the store.')
@allowed([
  'DEBUG'
  'INFO'
  'WARNING'
  'ERROR'
])
param logLevel string = 'INFO'

@description('Run `db upgrade` when the app starts, besides the azd postdeploy hook.')
param dbUpgradeOnStart bool = true

@description('Geography where Communication Services keeps its data, for example United States or Europe.')
param emailDataLocation string = 'United States'

@description('Local part of the sender address of the store\'s mail.')
param emailSenderUsername string = 'DoNotReply'

@description('PostgreSQL administrator login.')
param postgresAdminLogin string = 'skyreaders'

@secure()
@description('PostgreSQL administrator password; azd generates it once and reads it back from Key Vault afterwards.')
param postgresAdminPassword string

@secure()
@minLength(32)
@description('SECRET_KEY of the store; the preprovision hook generates it once and reads it back from Key Vault afterwards.')
param secretKey string

@secure()
@description('Google Books API key for catalog look-ups; empty for the keyless quota.')
param googleBooksApiKey string = ''

@description('Public IPv4 address that may always reach PostgreSQL, for example an administrator\'s; empty for none.')
param postgresClientIpAddress string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'sky-readers-haven'
}
var coversContainerName = 'covers'
var databaseName = 'sky_readers'
// The Google Books secret exists only when a key was given.
var googleBooksApiKeySecretName = empty(googleBooksApiKey) ? '' : 'google-books-api-key'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    retentionInDays: logRetentionInDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    softDeleteRetentionInDays: 90
    secretKey: secretKey
    googleBooksApiKey: googleBooksApiKey
    googleBooksApiKeySecretName: googleBooksApiKeySecretName
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'psql-${resourceToken}'
    databaseName: databaseName
    version: '16'
    skuName: postgresSku
    skuTier: postgresTier
    storageSizeGB: postgresStorageSizeGB
    backupRetentionDays: postgresBackupRetentionDays
    geoRedundantBackup: postgresGeoRedundantBackup
    highAvailability: postgresHighAvailability
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    clientIpAddress: postgresClientIpAddress
    keyVaultName: keyVault.outputs.name
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    skuName: storageSku
    coversContainerName: coversContainerName
    deleteRetentionDays: 7
    keyVaultName: keyVault.outputs.name
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    tags: tags
    communicationServiceName: 'acs-${resourceToken}'
    emailServiceName: 'email-${resourceToken}'
    dataLocation: emailDataLocation
    senderUsername: emailSenderUsername
    keyVaultName: keyVault.outputs.name
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'redis-${resourceToken}'
    skuName: redisSku
    highAvailability: redisHighAvailability
    keyVaultName: keyVault.outputs.name
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module web 'modules/appservice.bicep' = {
  name: 'web'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: 'plan-${resourceToken}'
    siteName: 'app-${resourceToken}'
    skuName: appServiceSku
    instanceCount: appServiceInstanceCount
    pythonVersion: '3.11'
    webWorkers: webWorkers
    logLevel: logLevel
    publicBaseUrl: publicBaseUrl
    dbUpgradeOnStart: dbUpgradeOnStart
    keyVaultName: keyVault.outputs.name
    secretKeySecretName: keyVault.outputs.secretKeySecretName
    googleBooksApiKeySecretName: googleBooksApiKeySecretName
    databaseUrlSecretName: postgres.outputs.databaseUrlSecretName
    redisUrlSecretName: redis.outputs.redisUrlSecretName
    storageConnectionStringSecretName: storage.outputs.connectionStringSecretName
    acsConnectionStringSecretName: communication.outputs.connectionStringSecretName
    storageAccountName: storage.outputs.name
    coversContainerName: storage.outputs.coversContainerName
    emailSenderAddress: communication.outputs.senderAddress
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

// azd stores these in the environment (.azure/<name>/.env) and passes them to hooks.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output PUBLIC_BASE_URL string = web.outputs.publicBaseUrl
output SERVICE_WEB_NAME string = web.outputs.siteName
output SERVICE_WEB_URI string = 'https://${web.outputs.defaultHostName}'
output APP_SERVICE_PLAN_NAME string = web.outputs.planName
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.fullyQualifiedDomainName
output POSTGRES_DATABASE_NAME string = postgres.outputs.databaseName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_COVERS_CONTAINER string = storage.outputs.coversContainerName
output COMMUNICATION_SERVICE_NAME string = communication.outputs.communicationServiceName
output EMAIL_SERVICE_NAME string = communication.outputs.emailServiceName
output EMAIL_SENDER_ADDRESS string = communication.outputs.senderAddress
output REDIS_NAME string = redis.outputs.name
output REDIS_HOST string = redis.outputs.hostName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsWorkspaceName
