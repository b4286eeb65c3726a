// Azure Communication Services with an Email service and an Azure-managed sender
// domain, and the connection string secret the mail worker sends with.

@description('Tags put on every resource.')
param tags object

@description('Name of the Communication Services resource.')
param communicationServiceName string

@description('Name of the Email Communication Services resource.')
param emailServiceName string

@description('Geography where ACS keeps its data at rest, for example United States or Europe.')
param dataLocation string

@description('Local part of the sender address, before the @.')
param senderUsername string

@description('Name of the Key Vault that receives the connection string secret.')
param keyVaultName string

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

// Azure-managed domain: <guid>.azurecomm.net, usable without DNS records. Its send
// quota is low; link a custom domain for real traffic (see docs/deploy-azure.md).
resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource connectionStringSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'acs-connection-string'
  properties: {
    // checkov:skip=CKV_AZURE_41: The value follows the ACS access key; a new deployment writes it again after a key rotation, and an expiry date would break the app's Key Vault reference.
    value: communicationService.listKeys().primaryConnectionString
    contentType: 'text/plain'
  }
}

output communicationServiceName string = communicationService.name
output emailServiceName string = emailService.name
output senderAddress string = '${senderUsername}@${managedDomain.properties.mailFromSenderDomain}'
output connectionStringSecretName string = connectionStringSecret.name
