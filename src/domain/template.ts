import { z } from 'zod';
import { ClockTime, IsoDate, Slug, SwitchState, UserId, Zone } from './primitives.js';
import { Rule } from './rule.js';
import { Owners } from './release.js';
import { RoleName } from './names.js';
import { SchedulePlan } from './schedule-plan.js';

// A template is what a release is created from: its criteria, groups, switches and calendar.
export const Template = z
  .object({
    id: Slug,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    zone: Zone.default('Europe/London'),
    time: ClockTime.default('09:00'),
    approverRole: RoleName,
    /** When true, nobody who answered a criterion or manages the release may decide it. */
    separationOfDuties: z.boolean().default(false),
    roles: z.array(RoleName).default([]),
    criteria: z
      .array(
        z
          .object({
            id: Slug,
            text: z.string().min(1).max(2000),
            owners: Owners.refine((o) => o.roles.length + o.people.length > 0, 'a criterion needs at least one owner role or person'),
            rule: Rule.optional(),
          })
          .strict(),
      )
      .min(1),
    groups: z
      .array(
        z
          .object({
            id: Slug,
            name: z.string().min(1).max(100),
            description: z.string().max(500).optional(),
            quorum: z.number().int().positive().default(1),
            members: z.array(UserId).default([]),
          })
          .strict(),
      )
      .default([]),
    switches: z.array(z.object({ key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/), expected: SwitchState, description: z.string().max(500).optional() }).strict()).default([]),
    holidays: z.array(IsoDate).default([]),
    /** When golive acts on its own; copied onto each release at create. */
    schedule: SchedulePlan.default([]),
  })
  .strict()
  .superRefine((t, ctx) => {
    const dup = (values: string[], path: string) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', message: `duplicate id "${v}"`, path: [path, i, 'id'] });
        seen.add(v);
      });
    };
    dup(
      t.criteria.map((c) => c.id),
      'criteria',
    );
    dup(
      t.groups.map((g) => g.id),
      'groups',
    );
    dup(
      t.switches.map((s) => s.key),
      'switches',
    );
    const known = new Set([...t.roles, t.approverRole]);
    t.criteria.forEach((c, i) =>
      c.owners.roles.forEach((role, j) => {
        if (!known.has(role)) ctx.addIssue({ code: 'custom', message: `role "${role}" is not declared in roles`, path: ['criteria', i, 'owners', 'roles', j] });
      }),
    );
  });
export type Template = z.infer<typeof Template>;
