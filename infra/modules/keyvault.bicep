// Key Vault for the store's secrets, with role-based access for the deployer.

@description('Azure region of the resources.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the Key Vault (3 to 24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Object ID of the person or pipeline that runs azd; empty to grant nobody.')
param deployerPrincipalId string

@description('Kind of principal in deployerPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string

@description('Days that a deleted vault or secret can be recovered (7 to 90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@secure()
@description('Value of SECRET_KEY, which signs sessions and tokens (at least 32 characters).')
@minLength(32)
param secretKey string

@secure()
@description('Google Books API key for catalog look-ups; empty to use the keyless quota.')
param googleBooksApiKey string

@description('Name of the Google Books key secret; empty when there is no key, and then no secret is written.')
param googleBooksApiKeySecretName string

// Built-in role "Key Vault Secrets Officer": read and write secrets, not keys.
var secretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // checkov:skip=CKV_AZURE_109: App Service reads Key Vault references over the vault's public endpoint unless the app has VNet integration, which this deployment does not set up; access is by Entra ID role only.
    // checkov:skip=CKV_AZURE_189: Same reason as CKV_AZURE_109: the web app and the deployer's hooks reach the vault over its public endpoint with role-based access.
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, secretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficerRoleId)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource secretKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'secret-key'
  properties: {
    // checkov:skip=CKV_AZURE_41: SECRET_KEY has no natural expiry; an expired secret would stop the app from resolving its Key Vault reference. Rotate it as docs/deploy-azure.md describes.
    value: secretKey
    contentType: 'text/plain'
  }
}

resource googleBooksApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(googleBooksApiKeySecretName)) {
  parent: vault
  name: googleBooksApiKeySecretName
  properties: {
    // checkov:skip=CKV_AZURE_41: Google issues API keys without an expiry; an expiry date here would break the app's Key Vault reference.
    // checkov:skip=CKV_AZURE_114: contentType is set below; checkov 3.3.30 reads no properties of a resource with an if condition.
    value: googleBooksApiKey
    contentType: 'text/plain'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
output secretKeySecretName string = secretKeySecret.name
