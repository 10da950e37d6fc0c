// The one table of commands: help, error messages and the parser's option checks all read it,
// so a usage line can never disagree with what the parser accepts.

export const COMMAND_PREFIX = '/release';

export interface UsageEntry {
  /** The command word, and the sub-command word for commands that have them (`risk add`). */
  words: readonly string[];
  /** How to write it, starting with COMMAND_PREFIX. */
  usage: string;
  /** One sentence saying what it does. */
  summary: string;
  /** The options it takes, without dashes; `--release` is taken by every command and not listed. */
  options: readonly string[];
}

const p = COMMAND_PREFIX;

export const COMMANDS: readonly UsageEntry[] = [
  { words: ['help'], usage: `${p} help [command]`, summary: 'Show the commands, or how to write one of them.', options: [] },
  {
    words: ['create'],
    usage: `${p} create "<name>" <YYYY-MM-DD> [--time HH:MM] [--tz <Area/City>] [--template <id>] [--id <release-id>] [--allow-non-working-day]`,
    summary: 'Create a release with its name and implementation date (a future working day, unless --allow-non-working-day).',
    options: ['time', 'tz', 'template', 'id', 'allow-non-working-day'],
  },
  { words: ['list'], usage: `${p} list`, summary: 'List the releases.', options: [] },
  {
    words: ['status'],
    usage: `${p} status [release] [--public]`,
    summary: 'Show whether a release is ready to go live and what still blocks it (--public shows it to the channel).',
    options: ['public'],
  },
  {
    words: ['ask'],
    usage: `${p} ask`,
    summary: "Post the release's checklist to its channels, asking each pending criterion's owners to answer with buttons.",
    options: [],
  },
  { words: ['link'], usage: `${p} link --release <id>`, summary: 'Link this channel to a release, so commands here need no --release.', options: [] },
  { words: ['role'], usage: `${p} role <role> <user>...`, summary: 'Name the people who hold a role, such as DCC or SECAS.', options: [] },
  { words: ['manager'], usage: `${p} manager add|remove <user>...`, summary: 'Add or remove release managers.', options: [] },
  { words: ['delegate'], usage: `${p} delegate <user> for <user>`, summary: "Let someone answer on another person's behalf.", options: [] },
  { words: ['owner'], usage: `${p} owner <criterion> <user>...`, summary: 'Name the people who confirm a criterion.', options: [] },
  {
    words: ['confirm'],
    usage: `${p} confirm <criterion> met|not-met|need-info ["comment"] [--evidence <url>]... [--for <user>]`,
    summary: 'Answer for a criterion: met, not met or need more information (a comment is required unless met).',
    options: ['evidence', 'for', 'comment'],
  },
  {
    words: ['withdraw'],
    usage: `${p} withdraw <criterion> ["reason"]`,
    summary: 'Withdraw the current answer to a criterion, if you gave it or stand in for who did: it waits for a new answer, and the record keeps both.',
    options: [],
  },
  {
    words: ['group'],
    usage: `${p} group <group> members <user>... [--quorum N] [--meeting YYYY-MM-DD] [--delegate <user> for <user>]...`,
    summary: 'Set up a review group that signs off, such as OPSG or TAG.',
    options: ['quorum', 'meeting', 'delegate'],
  },
  {
    words: ['signoff'],
    usage: `${p} signoff <group> agree|disagree|withdraw ["note"] [--for <user>]`,
    summary: "Record a review group member's sign-off, or withdraw your own (the member waits to sign again).",
    options: ['for'],
  },
  { words: ['risk', 'list'], usage: `${p} risk list`, summary: 'Show the risk register: each risk with its status, owner, mitigations and conditions.', options: [] },
  { words: ['risk', 'add'], usage: `${p} risk add "<text>" [--owner <user>]`, summary: 'Add a risk to the register.', options: ['owner'] },
  { words: ['risk', 'mitigate'], usage: `${p} risk mitigate <risk> "<text>"`, summary: 'Record a mitigation of a risk.', options: [] },
  { words: ['risk', 'view'], usage: `${p} risk view <risk> <group> "<text>"`, summary: "Record a review group's view of a risk.", options: [] },
  {
    words: ['risk', 'accept'],
    usage: `${p} risk accept <risk> [--conditions "<text>"]`,
    summary: 'Accept a risk, subject to conditions if there are any.',
    options: ['conditions'],
  },
  { words: ['risk', 'close'], usage: `${p} risk close <risk>`, summary: 'Close a risk.', options: [] },
  { words: ['switch', 'list'], usage: `${p} switch list`, summary: 'Show the guarded switches: expected and current state, and the last change.', options: [] },
  {
    words: ['switch', 'add'],
    usage: `${p} switch add <key> --expect on|off ["description"]`,
    summary: 'Guard a feature switch that must stay on or off.',
    options: ['expect'],
  },
  {
    words: ['switch'],
    usage: `${p} switch <key> on|off [--source "<text>"]`,
    summary: 'Record that a guarded switch was turned on or off.',
    options: ['source'],
  },
  {
    words: ['facts', 'defects'],
    usage: `${p} facts defects [sev1=N] [sev2=N] [sev3=N] [sev4=N] [sev5=N] [--plans yes|no]`,
    summary: 'Record the outstanding defects by severity, and whether there are plans to fix them.',
    options: ['plans'],
  },
  {
    words: ['facts', 'issues'],
    usage: `${p} facts issues <N> --threshold <N>`,
    summary: 'Record the testing issues outstanding against the agreed threshold.',
    options: ['threshold'],
  },
  {
    words: ['facts', 'phase'],
    usage: `${p} facts phase "<name>" closed|open [--exit-criteria met|not-met]`,
    summary: 'Record whether a test phase is closed and met its exit criteria.',
    options: ['exit-criteria'],
  },
  { words: ['facts', 'environment'], usage: `${p} facts environment "<note>"`, summary: 'Record a note on the environment.', options: [] },
  {
    words: ['date'],
    usage: `${p} date <YYYY-MM-DD> [--time HH:MM] "<reason>" [--allow-non-working-day]`,
    summary: 'Move the implementation date, saying why (a future working day, unless --allow-non-working-day).',
    options: ['time', 'allow-non-working-day'],
  },
  {
    words: ['decide'],
    usage: `${p} decide go|no-go ["note"] [--override "<reason>"] [--for <user>]`,
    summary: 'Record the final go or no-go decision; GO while anything else blocks needs --override with a reason, and shows as GO (override).',
    options: ['for', 'override'],
  },
  {
    words: ['close'],
    usage: `${p} close went-live|rolled-back|cancelled ["note"]`,
    summary: 'Record how the release ended (managers): went-live or rolled-back once its implementation time has passed, cancelled at any time. A closed release takes no more changes.',
    options: [],
  },
  {
    words: ['schedule'],
    usage: `${p} schedule`,
    summary: "Show the release's schedule: when golive reminds, escalates and announces on its own, what each point does, and which are done, late or off.",
    options: [],
  },
  {
    words: ['schedule', 'set'],
    usage: `${p} schedule set <point> <T-n|T+n|T-a..T-b|YYYY-MM-DD> [--time HH:MM]`,
    summary: 'Move a schedule point (managers): n working days before the implementation date (before each meeting, for evidence points), every working day from T-a to T-b, or a working day.',
    options: ['time'],
  },
  { words: ['schedule', 'off'], usage: `${p} schedule off <point>`, summary: 'Switch a schedule point off (managers): golive will not act on it.', options: [] },
  { words: ['schedule', 'on'], usage: `${p} schedule on <point>`, summary: 'Switch a schedule point back on (managers).', options: [] },
  { words: ['todo'], usage: `${p} todo`, summary: 'List what waits for you across every release: criteria to answer, sign-offs to give, decisions to make, and when each is due.', options: [] },
  { words: ['whoami'], usage: `${p} whoami`, summary: 'Show who golive takes you for here, and the identities on other platforms you linked to it.', options: [] },
  {
    words: ['whoami', 'link'],
    usage: `${p} whoami link [<code>]`,
    summary:
      'Link your identities on two platforms (Slack and Teams, say): with nothing after it, golive gives you a one-time code, valid ten minutes; type `whoami link <code>` on the other platform. Your roles, criteria and to-do list then recognise you on either.',
    options: [],
  },
  { words: ['whoami', 'unlink'], usage: `${p} whoami unlink <user>`, summary: 'Undo a link between your identity here and one on another platform.', options: [] },
  {
    words: ['notify'],
    usage: `${p} notify [on|off]`,
    summary: 'Your own daily direct message listing what waits for you (each working day at 09:00): off stops it, on starts it again, nothing shows the setting.',
    options: [],
  },
  {
    words: ['history'],
    usage: `${p} history [criterion|group|switch|risk] <item>`,
    summary: "Show one item's timeline: every answer or change, who gave it and when, comments, evidence, stale and withdrawn marks, and refused attempts.",
    options: [],
  },
  { words: ['report'], usage: `${p} report`, summary: 'Produce the decision paper from the record.', options: [] },
  {
    words: ['audit', 'verify'],
    usage: `${p} audit verify [--head <hash>]`,
    summary: 'Check the audit record: the chain, its order in time, and that it seals the stored state. With --head, prove that a head shown earlier (in an announcement or the paper) is still in it.',
    options: ['head'],
  },
  {
    words: ['audit', 'export'],
    usage: `${p} audit export [--format jsonl|csv]`,
    summary: 'Export the audit trail (JSON lines unless --format csv).',
    options: ['format'],
  },
];

/** Every command word, in table order. */
export const COMMAND_WORDS: readonly string[] = [...new Set(COMMANDS.map((entry) => entry.words[0]!))];

/** Every option any command takes, plus `release`. */
export const OPTION_NAMES: readonly string[] = [...new Set(['release', ...COMMANDS.flatMap((entry) => entry.options)])];

export const GENERAL_USAGE = `${p} <command> [--release <id>], where <command> is one of: ${COMMAND_WORDS.join(', ')}`;

/** The table rows for one command word (several for `risk`, `facts` …). */
export function entriesOf(word: string): UsageEntry[] {
  return COMMANDS.filter((entry) => entry.words[0] === word);
}

/** The sub-command words of a command word, empty for commands that have none. */
export function subWordsOf(word: string): string[] {
  return entriesOf(word).flatMap((entry) => (entry.words[1] === undefined ? [] : [entry.words[1]]));
}

export function findEntry(word: string, sub?: string): UsageEntry | undefined {
  return COMMANDS.find((entry) => entry.words[0] === word && entry.words[1] === sub);
}

/** The usage lines of a command word, one per line; the general usage for an unknown word. */
export function usageOf(word: string): string {
  const entries = entriesOf(word);
  return entries.length > 0 ? entries.map((entry) => entry.usage).join('\n') : GENERAL_USAGE;
}

/** The short help names every command once, grouped by who reaches for it. */
const GROUPS = {
  setup: ['create', 'role', 'owner', 'group', 'ask', 'link', 'manager', 'delegate', 'facts', 'switch', 'risk', 'date', 'schedule', 'close'],
  record: ['list', 'history', 'report', 'audit verify|export', 'help'],
};

const PEOPLE_NOTE =
  'A <user> is a person: mention them, or write @name for someone on the platform you type on and @<platform>:<id> (like @slack:U123) for someone on another; @@<platform>:<group> (like @@slack:S123) names everyone in a user group.';

const RELEASE_NOTE = `Add --release <id> to any command to name the release, or run ${p} link --release <id> once in its channel.`;

/**
 * The text of `help` (no topic), `help risk` or `help risk add`, as plain lines. An unknown topic
 * gets the general help: the parser has already rejected it with a suggestion.
 */
export function helpText(topic?: string): string[] {
  const [word = '', sub] = (topic ?? '').trim().toLowerCase().split(/\s+/);
  const entries = sub !== undefined ? [findEntry(word, sub)].filter((e) => e !== undefined) : entriesOf(word);
  if (topic !== undefined && entries.length > 0) {
    const people = entries.some((entry) => entry.usage.includes('<user>')) ? [PEOPLE_NOTE] : [];
    return [...entries.flatMap((entry) => [entry.usage, `    ${entry.summary}`]), ...people, RELEASE_NOTE];
  }
  return [
    "golive runs each release's go-live checklist here. The ones you will use most:",
    `  ${p} status: is it GO, and what still blocks it?`,
    `  ${p} todo: what waits for you, across every release · ${p} notify off|on: your daily list by direct message`,
    `  ${p} whoami · ${p} whoami link: who golive takes you for, and linking your Slack and Teams identities`,
    `  ${p} confirm <criterion> met|not-met|need-info ["comment"] --evidence <url>: answer for a criterion you own`,
    `  ${p} signoff <group> agree|disagree · ${p} decide go|no-go: for review groups and the approver`,
    `  ${p} withdraw <criterion> · ${p} signoff <group> withdraw: take back your own answer or sign-off`,
    `Setting up (managers): ${GROUPS.setup.join(', ')}`,
    PEOPLE_NOTE,
    `The record: ${GROUPS.record.join(', ')}`,
    RELEASE_NOTE,
    `${p} help <command> shows how to write any of them, for example ${p} help confirm.`,
  ];
}
