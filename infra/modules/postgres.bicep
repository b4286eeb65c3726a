// PostgreSQL flexible server with the store's database, its firewall rules and the
// DATABASE_URL secret.

@description('Azure region of the resources.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the server; it becomes <name>.postgres.database.azure.com.')
param name string

@description('Name of the store\'s database on the server.')
param databaseName string

@description('PostgreSQL major version.')
@allowed([
  '15'
  '16'
  '17'
])
param version string

@description('Compute size, for example Standard_B1ms (Burstable) or Standard_D2ds_v5.')
param skuName string

@description('Tier that matches skuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string

@description('Storage size in GiB (32 to 16384); it grows on its own when nearly full.')
@minValue(32)
@maxValue(16384)
param storageSizeGB int

@description('Days of point-in-time backups (7 to 35).')
@minValue(7)
@maxValue(35)
param backupRetentionDays int

@description('Keep backups in the paired region as well.')
param geoRedundantBackup bool

@description('Standby server in another zone for automatic failover (not on Burstable).')
param highAvailability bool

@description('Administrator login name.')
param administratorLogin string

@secure()
@description('Administrator password.')
param administratorPassword string

@description('Public IPv4 address that may reach the server besides Azure services, such as the deployer\'s for the migration hook; empty for none.')
param clientIpAddress string

@description('Name of the Key Vault that receives the DATABASE_URL secret.')
param keyVaultName string

@description('Log Analytics workspace that receives the server logs.')
param logAnalyticsWorkspaceId string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: geoRedundantBackup ? 'Enabled' : 'Disabled'
    }
    highAvailability: {
      mode: highAvailability ? 'ZoneRedundant' : 'Disabled'
    }
    // The public endpoint accepts only the addresses of the firewall rules below.
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server runs one operation at a time, so its children are created in a chain
// (dependsOn) rather than in parallel.
resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    requireSecureTransport
  ]
}

// The start and end address 0.0.0.0 is Azure's marker for "connections from Azure
// services", which includes the web app's outbound addresses.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [
    database
  ]
}

resource allowClient 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = if (!empty(clientIpAddress)) {
  parent: server
  name: 'AllowDeployer'
  properties: {
    startIpAddress: clientIpAddress
    endIpAddress: clientIpAddress
  }
  dependsOn: [
    allowAzureServices
  ]
}

// Clients must use TLS; this is the server's default, written down so that it stays.
resource requireSecureTransport 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource databaseUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-url'
  properties: {
    // checkov:skip=CKV_AZURE_41: The URL changes only when the administrator password changes, by a new deployment; an expiry date would break the app's Key Vault reference.
    value: 'postgresql://${administratorLogin}:${uriComponent(administratorPassword)}@${server.properties.fullyQualifiedDomainName}:5432/${database.name}?sslmode=require'
    contentType: 'text/plain'
  }
}

resource adminPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'postgres-admin-password'
  properties: {
    // checkov:skip=CKV_AZURE_41: azd reads this secret back on the next provision to keep the same password, so it must not expire.
    value: administratorPassword
    contentType: 'text/plain'
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: server
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
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

output name string = server.name
output fullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
output databaseUrlSecretName string = databaseUrlSecret.name
