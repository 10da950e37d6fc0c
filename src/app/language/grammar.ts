// What each command's words mean, keyed by the command's words in the usage table.

import type { Command, Severity } from './commands.js';
import { COMMAND_PREFIX, COMMAND_WORDS, subWordsOf } from './usage.js';
import { suggest } from './suggest.js';
import {
  allowNonWorkingDay,
  scheduleDay,
  ANSWER_WORDS,
  ANSWERS,
  type Args,
  choice,
  count,
  criterion,
  date,
  defined,
  forUser,
  joinPair,
  ON_OFF,
  optionalText,
  positive,
  requiredText,
  risk,
  slug,
  switchKey,
  time,
  url,
  user,
  users,
  zone,
} from './parse-args.js';

export const BUILDERS: Record<string, (a: Args) => Command> = {
  help(a: Args) {
    a.end(2);
    const [first, second] = a.words;
    if (first === undefined) return { name: 'help' };
    const word = first.text.toLowerCase();
    if (!COMMAND_WORDS.includes(word)) a.fail(`There is no command "${first.text}".`, suggest(word, COMMAND_WORDS));
    if (second === undefined) return { name: 'help', topic: word };
    const subs = subWordsOf(word);
    const sub = second.text.toLowerCase();
    if (!subs.includes(sub)) {
      a.fail(subs.length > 0 ? `There is no ${word} command "${second.text}".` : `Unexpected extra "${second.text}" in help.`, suggest(sub, subs));
    }
    return { name: 'help', topic: `${word} ${sub}` };
  },

  create(a: Args) {
    const [name, , third] = a.words;
    if (third !== undefined && name !== undefined && !name.quoted) {
      const last = a.words.at(-1)!.text;
      const example = /^\d{4}-\d{2}-\d{2}$/.test(last)
        ? `${COMMAND_PREFIX} create "${a.words
            .slice(0, -1)
            .map((w) => w.text)
            .join(' ')}" ${last}`
        : `${COMMAND_PREFIX} create "November 2019 SEC Release" 2019-11-29`;
      a.fail(`Unexpected "${third.text}": put the release name in quotes, for example ${example}.`);
    }
    a.end(2);
    const title = requiredText(a, a.need(0, 'a release name in quotes and a date'), 'release name');
    const day = date(a, a.need(1, 'an implementation date written YYYY-MM-DD').text, 'Implementation date');
    const at = a.option('time');
    const tz = a.option('tz');
    const template = a.option('template');
    const id = a.option('id');
    return defined({
      name: 'create',
      title,
      date: day,
      time: at === undefined ? undefined : time(a, at),
      zone: tz === undefined ? undefined : zone(a, tz),
      template: template === undefined ? undefined : slug(a, template, 'Template id'),
      id: id === undefined ? undefined : slug(a, id, 'Release id'),
      allowNonWorkingDay: allowNonWorkingDay(a),
    });
  },

  list: (a: Args) => (a.end(0), { name: 'list' }),

  ask: (a: Args) => (a.end(0), { name: 'ask' }),

  status(a: Args) {
    a.end(1);
    const word = a.words[0];
    const release = word === undefined ? undefined : slug(a, word.text, 'Release id');
    const named = a.option('release')?.toLowerCase();
    if (release !== undefined && named !== undefined && named !== release) {
      a.fail(`Name the release once: "${word!.text}" and --release ${named} differ.`);
    }
    return defined({ name: 'status', release, public: a.flag('public') });
  },

  link(a: Args) {
    a.end(0);
    if (a.option('release') === undefined) a.fail('link needs --release <id>: the release this channel is for.');
    return { name: 'link' };
  },

  role(a: Args) {
    const role = a.need(0, 'a role name and at least one person').text;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(role)) {
      a.fail(`Role "${role}" is not valid: use letters, digits, dashes and underscores (at most 64).`);
    }
    return { name: 'role', role, users: users(a, a.words.slice(1), 'at least one person') };
  },

  manager(a: Args) {
    const op = choice(a, a.need(0, 'add or remove, then the people').text, 'add or remove', { add: 'add', remove: 'remove' } as const, ['add', 'remove']);
    return { name: 'manager', op, users: users(a, a.words.slice(1), 'at least one person') };
  },

  delegate(a: Args) {
    a.end(3);
    const delegate = user(a, a.need(0, 'the delegate, "for", and the person they act for').text);
    const keyword = a.need(1, '"for" and the person the delegate acts for');
    if (keyword.text.toLowerCase() !== 'for') a.fail(`Write "for" between the two people, not "${keyword.text}".`, suggest(keyword.text, ['for']));
    return { name: 'delegate', delegate, for: user(a, a.need(2, 'the person the delegate acts for').text) };
  },

  owner(a: Args) {
    const ref = criterion(a, a.need(0, 'a criterion and at least one person').text);
    return { name: 'owner', criterion: ref, users: users(a, a.words.slice(1), 'at least one person') };
  },

  confirm(a: Args) {
    joinPair(a, 1, ['not met', 'need info']);
    const link = a.words.slice(2).find((word) => !word.quoted && /^<?https?:\/\//i.test(word.text));
    if (link !== undefined) a.fail(`Give links with --evidence, not as the comment: --evidence ${link.text}.`);
    a.end(3, 'comment');
    const ref = criterion(a, a.need(0, 'a criterion and an answer (met, not-met or need-info)').text);
    const answer = choice(a, a.need(1, 'an answer: met, not-met or need-info').text, 'an answer', ANSWERS, ANSWER_WORDS);
    const positional = a.words[2];
    const option = a.option('comment');
    if (positional !== undefined && option !== undefined) a.fail('Give the comment once: either in quotes or with --comment.');
    const comment = optionalText(positional?.text ?? option);
    if (comment === undefined && answer !== 'met') {
      a.fail(`A ${answer} answer needs a comment saying why, for example ${COMMAND_PREFIX} confirm ${a.words[0]!.text} ${answer} "waiting for the test report".`);
    }
    const evidence = a.all('evidence').map(([link]) => url(a, link!));
    return defined({ name: 'confirm', criterion: ref, answer, comment, evidence, for: forUser(a) });
  },

  group(a: Args) {
    const group = slug(a, a.need(0, 'a group id, "members" and the people in it').text, 'Group id');
    const keyword = a.need(1, '"members" and the people in the group');
    if (keyword.text.toLowerCase() !== 'members') {
      a.fail(`Expected "members" after the group id, not "${keyword.text}".`, suggest(keyword.text, ['members']));
    }
    const members = users(a, a.words.slice(2), 'at least one member after "members"');
    const quorum = a.option('quorum');
    const meeting = a.option('meeting');
    const delegates = a.all('delegate').map(([delegate, principal]) => ({ delegate: user(a, delegate!), for: user(a, principal!) }));
    return defined({
      name: 'group',
      group,
      members,
      quorum: quorum === undefined ? undefined : positive(a, quorum, 'The quorum'),
      meeting: meeting === undefined ? undefined : date(a, meeting, 'Meeting date'),
      delegates,
    });
  },

  signoff(a: Args) {
    a.end(3, 'note');
    const group = slug(a, a.need(0, 'a group id and agree, disagree or withdraw').text, 'Group id');
    const words = { agree: 'agree', disagree: 'disagree', withdraw: 'withdraw' } as const;
    const verdict = choice(a, a.need(1, 'agree, disagree or withdraw').text, 'a sign-off', words, ['agree', 'disagree', 'withdraw']);
    const note = optionalText(a.words[2]?.text);
    if (verdict === 'withdraw') return defined({ name: 'signoff-withdraw', group, note, for: forUser(a) });
    return defined({ name: 'signoff', group, verdict, note, for: forUser(a) });
  },

  withdraw(a: Args) {
    a.end(2, 'reason');
    const ref = criterion(a, a.need(0, 'the criterion whose answer you withdraw').text);
    return defined({ name: 'withdraw', criterion: ref, comment: optionalText(a.words[1]?.text) });
  },

  'risk list': (a: Args) => (a.end(0), { name: 'risk-list' }),

  'risk add'(a: Args) {
    a.end(1, 'risk');
    const owner = a.option('owner');
    return defined({
      name: 'risk-add',
      text: requiredText(a, a.need(0, 'the risk, in quotes'), 'risk'),
      owner: owner === undefined ? undefined : user(a, owner),
    });
  },

  'risk mitigate'(a: Args) {
    a.end(2, 'mitigation');
    const number = risk(a, a.need(0, 'a risk number and the mitigation in quotes').text);
    return { name: 'risk-mitigate', risk: number, text: requiredText(a, a.need(1, 'the mitigation, in quotes'), 'mitigation') };
  },

  'risk view'(a: Args) {
    a.end(3, 'view');
    const number = risk(a, a.need(0, 'a risk number, a group id and the view in quotes').text);
    const group = slug(a, a.need(1, 'a group id and the view in quotes').text, 'Group id');
    return { name: 'risk-view', risk: number, group, text: requiredText(a, a.need(2, "the group's view, in quotes"), 'view') };
  },

  'risk accept'(a: Args) {
    a.end(1);
    const number = risk(a, a.need(0, 'a risk number').text);
    return defined({ name: 'risk-accept', risk: number, conditions: optionalText(a.option('conditions')) });
  },

  'risk close'(a: Args) {
    a.end(1);
    return { name: 'risk-close', risk: risk(a, a.need(0, 'a risk number').text) };
  },

  'switch list': (a: Args) => (a.end(0), { name: 'switch-list' }),

  'switch add'(a: Args) {
    a.end(2, 'description');
    const key = switchKey(a, a.need(0, 'a switch key and --expect on|off').text);
    // `switch list` is the listing, so a switch called "list" could never be set.
    if (key.toLowerCase() === 'list') a.fail('A switch cannot be called "list": that word shows the guarded switches. Choose another key.');
    const expected = a.option('expect') ?? a.fail('switch add needs --expect on or --expect off: the state the switch must stay in.');
    const expect = choice(a, expected, 'a switch state', ON_OFF, ['on', 'off']);
    return defined({ name: 'switch-add', key, expect, description: optionalText(a.words[1]?.text) });
  },

  switch(a: Args) {
    a.end(2);
    const key = switchKey(a, a.need(0, 'a switch key and on or off').text);
    const state = choice(a, a.need(1, 'on or off after the switch key').text, 'a switch state', ON_OFF, ['on', 'off']);
    return defined({ name: 'switch-set', key, state, source: optionalText(a.option('source')) });
  },

  'facts defects'(a: Args) {
    const counts: Partial<Record<Severity, number>> = {};
    for (const word of a.words) {
      const match = /^(?:sev|s)?(\d+)=(.*)$/i.exec(word.text);
      if (!match) a.fail(`"${word.text}" is not a defect count: write sev1=0 sev2=3 and so on.`);
      const severity = Number(match[1]);
      if (!/^[1-5]$/.test(match[1]!)) a.fail(`Severity must be 1 to 5, not ${match[1]} in "${word.text}".`);
      if (counts[severity as Severity] !== undefined) a.fail(`Severity ${severity} is given twice.`);
      counts[severity as Severity] = count(a, match[2]!, `The severity ${severity} count`);
    }
    const plans = a.option('plans');
    if (a.words.length === 0 && plans === undefined) a.fail('facts defects needs at least one count, like sev1=0 sev2=0, or --plans yes|no.');
    return defined({
      name: 'facts-defects',
      counts,
      plans: plans === undefined ? undefined : choice(a, plans, 'a --plans answer', { yes: true, no: false }, ['yes', 'no']),
    });
  },

  'facts issues'(a: Args) {
    a.end(1);
    const issues = count(a, a.need(0, 'the number of testing issues and --threshold N').text, 'The number of issues');
    const threshold = a.option('threshold') ?? a.fail('facts issues needs --threshold N: the number of testing issues agreed as acceptable.');
    return { name: 'facts-issues', count: issues, threshold: count(a, threshold, 'The threshold') };
  },

  'facts phase'(a: Args) {
    const [name, , third] = a.words;
    const last = a.words.at(-1)?.text.toLowerCase();
    if (third !== undefined && name !== undefined && !name.quoted && (last === 'closed' || last === 'open')) {
      const phase = a.words
        .slice(0, -1)
        .map((w) => w.text)
        .join(' ');
      a.fail(`Unexpected "${a.words[1]!.text}": put the phase name in quotes, for example ${COMMAND_PREFIX} facts phase "${phase}" ${last}.`);
    }
    a.end(2);
    const phase = requiredText(a, a.need(0, 'a phase name and closed or open'), 'phase name');
    const state = choice(a, a.need(1, 'closed or open after the phase name').text, 'a phase state', { closed: 'closed', open: 'open' } as const, ['closed', 'open']);
    const exit = a.option('exit-criteria');
    const exitCriteria = { met: true, 'not-met': false, notmet: false, not_met: false };
    return defined({
      name: 'facts-phase',
      phase,
      state,
      exitCriteriaMet: exit === undefined ? undefined : choice(a, exit, 'an --exit-criteria answer', exitCriteria, ['met', 'not-met']),
    });
  },

  'facts environment'(a: Args) {
    a.end(1, 'note');
    return { name: 'facts-environment', note: requiredText(a, a.need(0, 'a note, in quotes'), 'note') };
  },

  date(a: Args) {
    a.end(2, 'reason');
    const day = date(a, a.need(0, 'the new date written YYYY-MM-DD and a reason in quotes').text, 'Date');
    const reason = requiredText(a, a.need(1, 'a reason in quotes, for example "extra testing"'), 'reason');
    const at = a.option('time');
    return defined({ name: 'date', date: day, time: at === undefined ? undefined : time(a, at), reason, allowNonWorkingDay: allowNonWorkingDay(a) });
  },

  decide(a: Args) {
    joinPair(a, 0, ['no go']);
    a.end(2, 'note');
    const verdicts = { go: 'go', 'no-go': 'no-go', nogo: 'no-go', no_go: 'no-go' } as const;
    const verdict = choice(a, a.need(0, 'go or no-go').text, 'a decision', verdicts, ['go', 'no-go']);
    // The scanner has already refused an --override without a reason.
    const override = optionalText(a.option('override'));
    if (override !== undefined && verdict === 'no-go') a.fail('--override is for deciding GO while something still blocks; a NO-GO needs no override: drop it, and say why in the note.');
    return defined({ name: 'decide', verdict, note: optionalText(a.words[1]?.text), override, for: forUser(a) });
  },

  close(a: Args) {
    joinPair(a, 0, ['went live', 'rolled back']);
    a.end(2, 'note');
    const results = { 'went-live': 'went-live', 'rolled-back': 'rolled-back', cancelled: 'cancelled', canceled: 'cancelled' } as const;
    const result = choice(a, a.need(0, 'how it ended: went-live, rolled-back or cancelled').text, 'an outcome', results, ['went-live', 'rolled-back', 'cancelled']);
    return defined({ name: 'close', result, note: optionalText(a.words[1]?.text) });
  },

  todo: (a: Args) => (a.end(0), { name: 'todo' }),

  whoami: (a: Args) => (a.end(0), { name: 'whoami' }),

  'whoami link'(a: Args) {
    a.end(1);
    const code = a.words[0]?.text;
    if (code === undefined) return { name: 'whoami-link' };
    if (!/^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$/.test(code))
      a.fail(`"${code}" is not a link code: a code looks like K7QM-4XPT. Run \`whoami link\` with nothing after it on your other platform to get one.`);
    return { name: 'whoami-link', code };
  },

  'whoami unlink': (a: Args) => (a.end(1), { name: 'whoami-unlink', user: user(a, a.need(0, 'the identity to unlink, for example @slack:U123').text) }),

  notify(a: Args) {
    a.end(1);
    const word = a.words[0];
    return word === undefined ? { name: 'notify' } : { name: 'notify', state: choice(a, word.text, 'on or off', ON_OFF, ['on', 'off']) };
  },

  schedule(a: Args) {
    const first = a.words[0];
    if (first !== undefined) a.fail(`Unknown schedule command "${first.text}": use set, off or on, or nothing to see the schedule.`, suggest(first.text.toLowerCase(), ['set', 'off', 'on']));
    return { name: 'schedule' };
  },

  'schedule set'(a: Args) {
    a.end(2);
    const point = slug(a, a.need(0, 'a schedule point and when: T-n, T+n, T-a..T-b or YYYY-MM-DD').text, 'Schedule point');
    const when = a.need(1, 'when: T-n (working days before the implementation date), T+n, T-a..T-b or YYYY-MM-DD');
    const at = a.option('time');
    return defined({ name: 'schedule-set', point, day: scheduleDay(a, when.text), time: at === undefined ? undefined : time(a, at) });
  },

  'schedule off': (a: Args) => (a.end(1), { name: 'schedule-off', point: slug(a, a.need(0, 'the schedule point to switch off').text, 'Schedule point') }),

  'schedule on': (a: Args) => (a.end(1), { name: 'schedule-on', point: slug(a, a.need(0, 'the schedule point to switch back on').text, 'Schedule point') }),

  history(a: Args) {
    a.end(2);
    const what = 'the item: a criterion id or number, a group id, a switch key, or a risk like R1';
    const second = a.words[1];
    const kinds = { criterion: 'criterion', group: 'group', switch: 'switch', risk: 'risk' } as const;
    // `history switch code-ready` picks the switch when a criterion shares its name.
    const kind = second === undefined ? undefined : choice(a, a.need(0, what).text, 'a kind of item', kinds, ['criterion', 'group', 'switch', 'risk']);
    const word = second ?? a.need(0, what);
    const item = word.text.trim();
    if (!/^#?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(item)) {
      a.fail(`"${word.text}" is not an item: give a criterion id or number (code-ready, 3), a group id (opsg), a switch key or a risk (R1).`);
    }
    return defined({ name: 'history', item, kind });
  },

  report: (a: Args) => (a.end(0), { name: 'report' }),

  'audit verify'(a: Args) {
    a.end(0);
    const head = a.option('head');
    if (head === undefined) return { name: 'audit-verify' };
    const hex = head.toLowerCase();
    if (!/^[0-9a-f]{12,64}$/.test(hex)) a.fail(`--head takes the hash shown by golive: 12 to 64 hex characters (0-9, a-f), not "${head}".`);
    return { name: 'audit-verify', head: hex };
  },

  'audit export'(a: Args) {
    a.end(0);
    const format = a.option('format');
    return { name: 'audit-export', format: format === undefined ? 'jsonl' : choice(a, format, 'an export format', { jsonl: 'jsonl', csv: 'csv' } as const, ['jsonl', 'csv']) };
  },
};
