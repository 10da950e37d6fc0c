import { z } from 'zod';

// Every setting golive reads, validated once at start-up so a typo stops it with the variable's name.
const Env = z.object({
  GOLIVE_DATA_DIR: z.string().min(1).default('./data'),
  GOLIVE_CONSOLE_USER: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a simple user name such as alice')
    .optional(),
  GOLIVE_CONSOLE_CHANNEL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/i, 'must be a simple channel name such as general')
    .default('general'),
  GOLIVE_CLOCK_START: z.string().datetime({ offset: true, message: 'must be an ISO 8601 timestamp such as 2019-11-07T09:00:00Z' }).optional(),
});

export type Config = z.infer<typeof Env>;

export class ConfigError extends Error {}

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const result = Env.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}
