// Storage account with the private container for book covers, and the connection
// string secret the app signs cover links with.

@description('Azure region of the resources.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the storage account (3 to 24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Redundancy, for example Standard_LRS or Standard_ZRS.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
param skuName string

@description('Name of the blob container for covers.')
param coversContainerName string

@description('Days that deleted blobs and containers can be restored (1 to 365).')
@minValue(1)
@maxValue(365)
param deleteRetentionDays int

@description('Name of the Key Vault that receives the connection string secret.')
param keyVaultName string

@description('Log Analytics workspace that receives the blob service logs.')
param logAnalyticsWorkspaceId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    // checkov:skip=CKV_AZURE_35: The web app has no VNet integration, so it reaches the account over the public endpoint; every request needs the account key or a SAS, and no container allows anonymous reads.
    // checkov:skip=CKV_AZURE_59: Same reason as CKV_AZURE_35: public network access stays on for the web app and for signed cover links in shoppers' browsers.
    // checkov:skip=CKV_AZURE_206: Redundancy is the storageSku parameter; covers can be uploaded again from the catalog import, so the default keeps costs down.
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // The app signs short-lived cover links (SAS) with the account key.
    allowSharedKeyAccess: true
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
  }
}

// Private: browsers get covers through short-lived signed links, never anonymously.
resource coversContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: coversContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource connectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'storage-connection-string'
  properties: {
    // checkov:skip=CKV_AZURE_41: The value follows the account key; after a key rotation a new deployment writes it again, and an expiry date would break the app's Key Vault reference.
    value: 'DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${account.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
    contentType: 'text/plain'
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output coversContainerName string = coversContainer.name
output connectionStringSecretName string = connectionStringSecret.name
