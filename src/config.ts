import { z } from 'zod';

// Every setting golive reads, validated once at start-up so a typo stops it with the variable's name.
const optional = (schema: z.ZodString) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const Env = z
  .object({
    GOLIVE_DATA_DIR: z.string().min(1).default('./data'),
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
  })
  .superRefine((env, ctx) => {
    if (env.GOLIVE_AUDIT_ADOPT_KEY === '1' && !env.GOLIVE_AUDIT_KEY)
      ctx.addIssue({ code: 'custom', path: ['GOLIVE_AUDIT_ADOPT_KEY'], message: 'needs GOLIVE_AUDIT_KEY: it seals existing records under that key' });
    const slack = env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN;
    if (!slack) return;
    if (!env.SLACK_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when Slack is configured (set with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)' });
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required to receive Slack requests over HTTP (or set SLACK_APP_TOKEN for Socket Mode)' });
    }
  });

export type Config = z.infer<typeof Env>;

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
