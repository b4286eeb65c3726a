// Linux App Service plan and the Python web app that serves pages, websocket and API
// on one port, with every setting the store reads.

@description('Azure region of the resources.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the App Service plan.')
param planName string

@description('Name of the web app; it becomes <name>.azurewebsites.net unless publicBaseUrl says otherwise.')
param siteName string

@description('Plan size, for example B1, B2, P0v3 or P1v3; Always On needs Basic or higher.')
param skuName string

@description('Number of instances (virtual machines) of the plan.')
@minValue(1)
@maxValue(30)
param instanceCount int

@description('Python version of the built-in Linux image.')
param pythonVersion string

@description('Server processes per instance (WEB_WORKERS).')
@minValue(1)
@maxValue(64)
param webWorkers int

@description('Log level of the store (LOG_LEVEL).')
@allowed([
  'DEBUG'
  'INFO'
  'WARNING'
  'ERROR'
])
param logLevel string

@description('Address shoppers use, such as https://shop.example.com; empty for the web app\'s own https://<name>.azurewebsites.net.')
param publicBaseUrl string

@description('Run `db upgrade` in the startup script before the server starts (DB_UPGRADE_ON_START).')
param dbUpgradeOnStart bool

@description('Name of the Key Vault that holds the secrets below.')
param keyVaultName string

@description('Key Vault secret with SECRET_KEY.')
param secretKeySecretName string

@description('Key Vault secret with DATABASE_URL.')
param databaseUrlSecretName string

@description('Key Vault secret with REFLEX_REDIS_URL.')
param redisUrlSecretName string

@description('Key Vault secret with AZURE_STORAGE_CONNECTION_STRING.')
param storageConnectionStringSecretName string

@description('Key Vault secret with ACS_CONNECTION_STRING.')
param acsConnectionStringSecretName string

@description('Key Vault secret with GOOGLE_BOOKS_API_KEY; empty when there is no key.')
param googleBooksApiKeySecretName string

@description('Name of the storage account with the covers container.')
param storageAccountName string

@description('Name of the private blob container for covers.')
param coversContainerName string

@description('The From address of the store\'s mail, on a domain linked to ACS.')
param emailSenderAddress string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Log Analytics workspace that receives the web app logs.')
param logAnalyticsWorkspaceId string

// Built-in role "Key Vault Secrets User": read secret values only.
var secretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// App Service resolves these when the app starts, as the app's managed identity.
var keyVaultPrefix = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName='

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
    capacity: instanceCount
  }
  properties: {
    // checkov:skip=CKV_AZURE_225: Zone redundancy needs Premium v3 and at least three instances; skuName and instanceCount choose the size, and docs/deploy-azure.md says how to turn it on.
    reserved: true
    zoneRedundant: false
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: siteName
  location: location
  // azd finds the deployment target of the service "web" by this tag.
  tags: union(tags, {
    'azd-service-name': 'web'
  })
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // checkov:skip=CKV_AZURE_16: The store has its own accounts and login; an Entra ID sign-in in front of the public shop would lock shoppers out.
    // checkov:skip=CKV_AZURE_17: Shoppers' browsers carry no client certificates.
    // checkov:skip=CKV_AZURE_222: A public shop has to accept traffic from the internet.
    // checkov:skip=CKV_AZURE_212: The plan's instanceCount parameter sets the number of instances, one by default to keep a first deployment cheap; docs/deploy-azure.md explains scaling out.
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: 'PYTHON|${pythonVersion}'
      // Runs from the root of the deployed code (see infra/app/startup.sh).
      appCommandLine: 'bash infra/app/startup.sh'
      alwaysOn: true
      // Reflex sends every event over a socket.io websocket on /_event.
      webSocketsEnabled: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Reflex answers /ping without touching the database or Redis, so a short
      // outage of either does not take every instance out of the load balancer.
      healthCheckPath: '/ping'
      httpLoggingEnabled: true
      detailedErrorLoggingEnabled: true
      requestTracingEnabled: true
      remoteDebuggingEnabled: false
      use32BitWorkerProcess: false
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource siteSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, site.id, secretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRoleId)
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

var publicAddress = empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl

// Every setting the store reads (sky_readers/core/settings.py), plus the ones Reflex,
// the startup script and App Service read. tests/infra checks this list against the
// Settings model.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov runs its web app checks on every Microsoft.Web/sites/config resource too.
  // checkov:skip=CKV_AZURE_13: App Service Authentication stays off because the store has its own accounts and login.
  // checkov:skip=CKV_AZURE_63: HTTP logging is on: siteConfig.httpLoggingEnabled on the site and httpLogs in the logs config.
  // checkov:skip=CKV_AZURE_65: Detailed error messages are on: siteConfig.detailedErrorLoggingEnabled on the site.
  // checkov:skip=CKV_AZURE_66: Failed request tracing is on: siteConfig.requestTracingEnabled on the site.
  // checkov:skip=CKV_AZURE_80: A check for .NET apps; this one runs Python.
  // checkov:skip=CKV_AZURE_88: No Azure Files share is needed because the database, Redis and Blob Storage hold the data.
  // checkov:skip=CKV_AZURE_222: A public shop has to accept traffic from the internet.
  parent: site
  name: 'appsettings'
  properties: {
    // The store.
    APP_ENV: 'production'
    LOG_LEVEL: logLevel
    SECRET_KEY: '${keyVaultPrefix}${secretKeySecretName})'
    DATABASE_URL: '${keyVaultPrefix}${databaseUrlSecretName})'
    PUBLIC_BASE_URL: publicAddress
    CORS_ORIGINS: publicAddress
    BIND_HOST: '0.0.0.0'
    PORT: '8000'
    WEB_WORKERS: string(webWorkers)
    DB_UPGRADE_ON_START: dbUpgradeOnStart ? 'true' : 'false'
    // Accounts: only real mail domains in production.
    ALLOW_TEST_EMAIL_DOMAINS: 'false'
    // App Service's front end is one proxy that appends the client address to
    // X-Forwarded-For, which login throttling reads.
    TRUSTED_PROXY_HOPS: '1'
    // Mail through Azure Communication Services, sent by a worker inside the app.
    EMAIL_BACKEND: 'acs'
    EMAIL_SENDER_ADDRESS: emailSenderAddress
    ACS_CONNECTION_STRING: '${keyVaultPrefix}${acsConnectionStringSecretName})'
    MAIL_WORKER_IN_APP: 'true'
    // Catalog look-ups; without a key Google Books allows a small keyless quota.
    GOOGLE_BOOKS_API_KEY: empty(googleBooksApiKeySecretName) ? '' : '${keyVaultPrefix}${googleBooksApiKeySecretName})'
    // Covers in Blob Storage.
    STORAGE_BACKEND: 'azure'
    AZURE_STORAGE_CONNECTION_STRING: '${keyVaultPrefix}${storageConnectionStringSecretName})'
    AZURE_STORAGE_ACCOUNT_NAME: storageAccountName
    AZURE_STORAGE_CONTAINER: coversContainerName
    // Reflex: shared state in Redis. Managed Redis rejects CONFIG SET, and its
    // keyspace notifications are configured on the database instead.
    REFLEX_REDIS_URL: '${keyVaultPrefix}${redisUrlSecretName})'
    REFLEX_IGNORE_REDIS_CONFIG_ERROR: 'true'
    REFLEX_API_URL: publicAddress
    REFLEX_DEPLOY_URL: publicAddress
    REFLEX_SHOW_BUILT_WITH_REFLEX: 'false'
    REFLEX_TELEMETRY_ENABLED: 'false'
    REFLEX_CHECK_LATEST_VERSION: 'false'
    // App Service: Oryx installs requirements.txt at deployment; the frontend comes
    // prebuilt in the package, so a start takes seconds.
    SCM_DO_BUILD_DURING_DEPLOYMENT: 'true'
    ENABLE_ORYX_BUILD: 'true'
    // Room for a first start that also runs the migrations (seconds, at most 1800).
    WEBSITES_CONTAINER_START_TIME_LIMIT: '600'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  }
  dependsOn: [
    // The references resolve only once the identity may read the vault.
    siteSecretsUser
  ]
}

resource logsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov runs its web app checks on every Microsoft.Web/sites/config resource too.
  // checkov:skip=CKV_AZURE_13: App Service Authentication stays off because the store has its own accounts and login.
  // checkov:skip=CKV_AZURE_63: HTTP logging is on: siteConfig.httpLoggingEnabled on the site and httpLogs in the logs config.
  // checkov:skip=CKV_AZURE_65: Detailed error messages are on: siteConfig.detailedErrorLoggingEnabled on the site.
  // checkov:skip=CKV_AZURE_66: Failed request tracing is on: siteConfig.requestTracingEnabled on the site.
  // checkov:skip=CKV_AZURE_80: A check for .NET apps; this one runs Python.
  // checkov:skip=CKV_AZURE_88: No Azure Files share is needed because the database, Redis and Blob Storage hold the data.
  // checkov:skip=CKV_AZURE_222: A public shop has to accept traffic from the internet.
  parent: site
  name: 'logs'
  properties: {
    applicationLogs: {
      fileSystem: {
        level: 'Information'
      }
    }
    httpLogs: {
      fileSystem: {
        enabled: true
        retentionInMb: 35
        retentionInDays: 7
      }
    }
    detailedErrorMessages: {
      enabled: true
    }
    failedRequestsTracing: {
      enabled: true
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServiceAppLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output planName string = plan.name
output siteName string = site.name
output defaultHostName string = site.properties.defaultHostName
output publicBaseUrl string = publicAddress
