import { z } from 'zod';

// Every setting golive reads, validated once at start-up so a typo stops it with the variable's name.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How the bot's Microsoft Entra app registration signs in, as the Azure Bot resource names it. */
export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
export type TeamsAppType = (typeof TEAMS_APP_TYPES)[number];

const Env = z
  .object({
    GOLIVE_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a PostgreSQL URL such as postgres://golive@db.example.org/golive')),
    GOLIVE_CONSOLE_USER: optional(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a simple user name such as alice')),
    GOLIVE_CONSOLE_CHANNEL: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/i, 'must be a simple channel name such as general')
      .default('general'),
    GOLIVE_CLOCK_START: optional(z.string().datetime({ offset: true, message: 'must be an ISO 8601 timestamp such as 2019-11-07T09:00:00Z' })),
    GOLIVE_AUDIT_KEY: optional(z.string().min(32, 'must be a secret of at least 32 characters (for example the output of `openssl rand -hex 32`)').max(1024, 'must be at most 1024 characters')),
    GOLIVE_AUDIT_ADOPT_KEY: optional(z.string().regex(/^[01]$/, 'must be 1 (seal unkeyed records under GOLIVE_AUDIT_KEY once) or 0')),
    GOLIVE_HOOK_SECRET: optional(z.string().min(32, 'must be a secret of at least 32 characters (for example the output of `openssl rand -hex 32`)').max(1024, 'must be at most 1024 characters')),
    PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a whole port number').min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535').default(3000),
    SLACK_SIGNING_SECRET: optional(z.string().regex(/^[0-9a-f]{16,128}$/i, "must be the hex signing secret from the app's Basic Information page")),
    SLACK_BOT_TOKEN: optional(z.string().regex(/^xoxb-[A-Za-z0-9-]+$/, 'must be a bot token starting xoxb-')),
    SLACK_APP_TOKEN: optional(z.string().regex(/^xapp-[A-Za-z0-9-]+$/, 'must be an app-level token starting xapp- (for Socket Mode)')),
    SLACK_API_URL: optional(
      z
        .string()
        .url('must be a URL such as https://slack.com/api/')
        .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL'),
    ),
    MICROSOFT_APP_ID: optional(z.string().regex(GUID, "must be the bot's Microsoft app (client) id, a GUID such as 00000000-0000-0000-0000-000000000000")),
    MICROSOFT_APP_PASSWORD: optional(z.string().max(1024, 'must be at most 1024 characters')),
    MICROSOFT_APP_TENANT_ID: optional(z.string().regex(GUID, 'must be the Microsoft Entra tenant (directory) id, a GUID such as 00000000-0000-0000-0000-000000000000')),
    MICROSOFT_APP_TYPE: optional(z.enum(TEAMS_APP_TYPES, { message: `must be one of ${TEAMS_APP_TYPES.join(', ')}` })),
    TEAMS_LOCAL: optional(z.string().regex(/^[01]$/, 'must be 1 (Teams without authentication, for local tools such as the Microsoft 365 Agents Playground) or 0')),
  })
  .superRefine((env, ctx) => {
    if (env.GOLIVE_AUDIT_ADOPT_KEY === '1' && !env.GOLIVE_AUDIT_KEY)
      ctx.addIssue({ code: 'custom', path: ['GOLIVE_AUDIT_ADOPT_KEY'], message: 'needs GOLIVE_AUDIT_KEY: it seals existing records under that key' });
    checkTeams(env, ctx);
    const slack = env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN;
    if (!slack) return;
    if (!env.SLACK_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when Slack is configured (set with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)' });
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required to receive Slack requests over HTTP (or set SLACK_APP_TOKEN for Socket Mode)' });
    }
  });

export type Config = z.infer<typeof Env>;

type TeamsSettings = Pick<Config, 'MICROSOFT_APP_ID' | 'MICROSOFT_APP_PASSWORD' | 'MICROSOFT_APP_TENANT_ID' | 'MICROSOFT_APP_TYPE' | 'TEAMS_LOCAL'>;

/** The Teams settings that only make sense together: each problem names the variable to change. */
function checkTeams(env: TeamsSettings, ctx: z.RefinementCtx): void {
  const issue = (variable: keyof TeamsSettings, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  const others = (['MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID', 'MICROSOFT_APP_TYPE'] as const).filter((name) => env[name] !== undefined);
  if (!env.MICROSOFT_APP_ID) {
    if (env.TEAMS_LOCAL === '1') for (const name of others) issue(name, 'is not used in the anonymous local mode (TEAMS_LOCAL=1); unset it, or set MICROSOFT_APP_ID instead of TEAMS_LOCAL');
    else if (others.length > 0) issue('MICROSOFT_APP_ID', `is required when ${others.join(' or ')} is set (Teams is on only with an app id, or with TEAMS_LOCAL=1)`);
    return;
  }
  if (env.TEAMS_LOCAL === '1') issue('TEAMS_LOCAL', 'asks for the anonymous local mode, which takes no app id: unset it, or unset MICROSOFT_APP_ID');
  const type = env.MICROSOFT_APP_TYPE ?? 'MultiTenant';
  if (type === 'UserAssignedMSI') {
    if (env.MICROSOFT_APP_PASSWORD) issue('MICROSOFT_APP_PASSWORD', 'is not used with MICROSOFT_APP_TYPE=UserAssignedMSI (the managed identity signs in without one); unset it');
  } else if (!env.MICROSOFT_APP_PASSWORD) {
    issue('MICROSOFT_APP_PASSWORD', "is required with MICROSOFT_APP_ID: the client secret of the bot's app registration (unless MICROSOFT_APP_TYPE is UserAssignedMSI)");
  }
  if (type !== 'MultiTenant' && !env.MICROSOFT_APP_TENANT_ID) issue('MICROSOFT_APP_TENANT_ID', `is required when MICROSOFT_APP_TYPE is ${type}: the tenant the bot's app registration belongs to`);
}

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
}

export function slackConfig(config: Config): SlackConfig | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  return {
    botToken: config.SLACK_BOT_TOKEN,
    ...(config.SLACK_SIGNING_SECRET && { signingSecret: config.SLACK_SIGNING_SECRET }),
    ...(config.SLACK_APP_TOKEN && { appToken: config.SLACK_APP_TOKEN }),
    ...(config.SLACK_API_URL && { apiUrl: config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/` }),
  };
}

/**
 * Teams, when it is on: with an app id (the Bot Service's tokens are checked), or the anonymous
 * local mode (TEAMS_LOCAL=1) that local tools such as the Microsoft 365 Agents Playground use.
 */
export type TeamsConfig = { mode: 'local' } | { mode: 'bot'; appId: string; password?: string; tenantId?: string; appType: TeamsAppType };

export function teamsConfig(config: Config): TeamsConfig | undefined {
  if (config.MICROSOFT_APP_ID) {
    return {
      mode: 'bot',
      appId: config.MICROSOFT_APP_ID,
      ...(config.MICROSOFT_APP_PASSWORD && { password: config.MICROSOFT_APP_PASSWORD }),
      ...(config.MICROSOFT_APP_TENANT_ID && { tenantId: config.MICROSOFT_APP_TENANT_ID }),
      appType: config.MICROSOFT_APP_TYPE ?? 'MultiTenant',
    };
  }
  return config.TEAMS_LOCAL === '1' ? { mode: 'local' } : undefined;
}

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const result = Env.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** How audit records are sealed and checked, from the settings. */
export function auditPolicy(config: Config): { key?: string; adopting: boolean } {
  return { ...(config.GOLIVE_AUDIT_KEY && { key: config.GOLIVE_AUDIT_KEY }), adopting: config.GOLIVE_AUDIT_ADOPT_KEY === '1' };
}
