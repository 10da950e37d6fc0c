import { AuthType, type AuthConfiguration } from '@microsoft/agents-hosting';
import type { TeamsConfig } from '../../src/config.js';

// What golive's validated settings say about Teams, and the SDK's auth configuration built from
// them alone. The SDK would otherwise read `clientId`, `Connections__…` and friends from the
// environment on its own; every key it could pick up that way is set here, if only to undefined.

export type { TeamsConfig } from '../../src/config.js';

const CONNECTION = 'serviceConnection';

export function sdkAuthConfiguration(config: TeamsConfig): AuthConfiguration {
  const bot = config.mode === 'bot' ? config : undefined;
  const connection: AuthConfiguration = {
    clientId: bot?.appId,
    clientSecret: bot?.appType === 'UserAssignedMSI' ? undefined : bot?.password,
    // A multi-tenant bot gets its tokens from the botframework.com tenant, which the SDK uses when none is set.
    tenantId: bot?.appType === 'MultiTenant' ? undefined : bot?.tenantId,
    authType: bot ? (bot.appType === 'UserAssignedMSI' ? AuthType.UserManagedIdentity : AuthType.ClientSecret) : undefined,
    // Tokens from Azure Bot Service are issued by api.botframework.com, which the SDK always trusts.
    validateIssuer: bot !== undefined,
    authority: undefined,
    authorityEndpoint: undefined,
    issuers: undefined,
    scope: undefined,
    scopes: undefined,
    certPemFile: undefined,
    certKeyFile: undefined,
    federatedClientId: undefined,
    FICClientId: undefined,
    WIDAssertionFile: undefined,
    federatedTokenFile: undefined,
    connectionName: undefined,
    altBlueprintConnectionName: undefined,
    alternateBlueprintConnectionName: undefined,
    azureRegion: undefined,
    sendX5C: undefined,
    msalRetryCount: undefined,
    idpmResource: undefined,
    sidecarBaseUrl: undefined,
    serviceName: undefined,
    blueprintServiceName: undefined,
    bypassLocalNetworkRestriction: undefined,
    requestTimeout: undefined,
    retryCount: undefined,
  };
  return { ...connection, connections: new Map([[CONNECTION, connection]]), connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }] };
}

/** The bot's own id in Teams conversations, when golive knows its app id. */
export const botAccountId = (config: TeamsConfig): string | undefined => (config.mode === 'bot' ? `28:${config.appId}` : undefined);
