// Azure Managed Redis for Reflex's shared state, and the REFLEX_REDIS_URL secret.

@description('Azure region of the resources.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the cache; it becomes <name>.<region>.redis.azure.net.')
param name string

@description('Size, for example Balanced_B0 (smallest), Balanced_B1 or MemoryOptimized_M10.')
param skuName string

@description('Replicate the data to a second node; off halves the price but loses state on failures.')
param highAvailability bool

@description('Name of the Key Vault that receives the REFLEX_REDIS_URL secret.')
param keyVaultName string

@description('Log Analytics workspace that receives the cache metrics.')
param logAnalyticsWorkspaceId string

// Reflex 0.10 waits for lock releases through keyspace notifications on its lock
// keys ("K$sgxe"). Managed Redis blocks CONFIG SET, so the flags are set here.
var reflexKeyspaceEvents = 'K$sgxe'

resource cluster 'Microsoft.Cache/redisEnterprise@2026-02-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: highAvailability ? 'Enabled' : 'Disabled'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2026-02-01-preview' = {
  parent: cluster
  name: 'default'
  properties: {
    // TLS only: the plain-text protocol is off.
    clientProtocol: 'Encrypted'
    port: 10000
    // One endpoint that behaves like a single Redis server, as Reflex's
    // non-cluster redis client expects.
    clusteringPolicy: 'EnterpriseCluster'
    // Reflex puts an expiry on every state key, so only those are evicted.
    evictionPolicy: 'VolatileLRU'
    // Reflex takes a URL with a password and has no Entra ID token support.
    accessKeysAuthentication: 'Enabled'
    notifyKeyspaceEvents: reflexKeyspaceEvents
    persistence: {
      aofEnabled: false
      rdbEnabled: false
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource redisUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'reflex-redis-url'
  properties: {
    // checkov:skip=CKV_AZURE_41: The value follows the cache's access key; a new deployment writes it again after a key rotation, and an expiry date would break the app's Key Vault reference.
    value: 'rediss://:${uriComponent(database.listKeys().primaryKey)}@${cluster.properties.hostName}:${database.properties.port}/0'
    contentType: 'text/plain'
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: cluster
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = cluster.name
output hostName string = cluster.properties.hostName
output redisUrlSecretName string = redisUrlSecret.name
