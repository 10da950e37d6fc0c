import type { Channel, Release } from '../../domain/release.js';
import type { Template } from '../../domain/template.js';

export interface NewRelease {
  id: string;
  name: string;
  date: string;
  time?: string;
  zone?: string;
  channel?: Channel;
  by: string;
  at: string;
}

/** A fresh release laid out from its template: nothing answered, nobody in the roles yet. */
export function releaseFromTemplate(template: Template, n: NewRelease): Release {
  return {
    id: n.id,
    name: n.name,
    template: template.id,
    implementation: { date: n.date, time: n.time ?? template.time, zone: n.zone ?? template.zone },
    dateChanges: [],
    holidays: template.holidays,
    channels: n.channel ? [n.channel] : [],
    roles: Object.fromEntries([...new Set([...template.roles, template.approverRole])].map((role) => [role, []])),
    managers: [n.by],
    delegates: [],
    approverRole: template.approverRole,
    criteria: template.criteria.map((c, i) => ({ id: c.id, number: i + 1, text: c.text, owners: c.owners, ...(c.rule && { rule: c.rule }), responses: [] })),
    groups: template.groups.map((g) => ({ id: g.id, name: g.name, members: g.members, delegates: [], quorum: g.quorum, signoffs: [] })),
    risks: [],
    switches: template.switches.map((s) => ({ key: s.key, expected: s.expected, ...(s.description && { description: s.description }), history: [] })),
    facts: { phases: [] },
    decisions: [],
    separationOfDuties: template.separationOfDuties,
    // A copy, so a later change to the template never changes when an existing release acts.
    schedule: structuredClone(template.schedule),
    createdBy: n.by,
    createdAt: n.at,
  };
}
