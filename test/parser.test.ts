import { describe, expect, it } from 'vitest';
import { parse } from '../src/app/language/parser.js';
import type { Command, ParseFailure, Parsed } from '../src/app/language/commands.js';
import { tokenize } from '../src/app/language/tokenize.js';
import { editDistance, suggest } from '../src/app/language/suggest.js';
import { COMMANDS, COMMAND_WORDS, GENERAL_USAGE, helpText, usageOf } from '../src/app/language/usage.js';

function ok(line: string): Parsed {
  const result = parse(line);
  if (!result.ok) throw new Error(`expected "${line}" to parse, got: ${result.error.message}`);
  return result.value;
}

function command(line: string): Command {
  return ok(line).command;
}

function err(line: string): ParseFailure {
  const result = parse(line);
  if (result.ok) throw new Error(`expected "${line}" to fail, got: ${JSON.stringify(result.value)}`);
  return result.error;
}

const CONFIRM_USAGE = COMMANDS.find((entry) => entry.words.join(' ') === 'confirm')!.usage;

describe('help and empty lines', () => {
  it('reads an empty line, blanks and a bare /release as help', () => {
    expect(ok('')).toEqual({ command: { name: 'help' } });
    expect(ok('   ')).toEqual({ command: { name: 'help' } });
    expect(ok('/release')).toEqual({ command: { name: 'help' } });
    expect(ok('  /release  ')).toEqual({ command: { name: 'help' } });
  });

  it('takes a command word, or a command and sub-command, as the topic', () => {
    expect(command('help')).toEqual({ name: 'help' });
    expect(command('help confirm')).toEqual({ name: 'help', topic: 'confirm' });
    expect(command('/release help Risk')).toEqual({ name: 'help', topic: 'risk' });
    expect(command('help risk add')).toEqual({ name: 'help', topic: 'risk add' });
  });

  it('suggests the command a mistyped topic meant', () => {
    const error = err('help stauts');
    expect(error.message).toContain('stauts');
    expect(error.suggestion).toBe('status');
    expect(err('help risk ad').suggestion).toBe('add');
    expect(err('help status extra').message).toContain('extra');
  });
});

describe('the leading /release and command words', () => {
  it('drops /release and ignores the case of command words', () => {
    expect(command('/release list')).toEqual({ name: 'list' });
    expect(command('/Release List')).toEqual({ name: 'list' });
    expect(command('Status')).toEqual({ name: 'status', public: false });
  });

  it('names an unknown command word, suggests the close one and gives the general usage', () => {
    const error = err('stauts');
    expect(error.message).toBe('Unknown command "stauts".');
    expect(error.suggestion).toBe('status');
    expect(error.usage).toBe(GENERAL_USAGE);
    expect(err('/release confrim 3 met').suggestion).toBe('confirm');
    expect(err('xyzzy').suggestion).toBeUndefined();
  });

  it('wants the command word before any option', () => {
    const error = err('--release nov-2019 status');
    expect(error.message).toContain('--release');
  });
});

describe('--release', () => {
  it('goes to Parsed.release, wherever it sits after the command word', () => {
    expect(ok('status --release nov-2019')).toEqual({ command: { name: 'status', public: false }, release: 'nov-2019' });
    expect(ok('risk --release nov-2019 add "Late data"')).toEqual({ command: { name: 'risk-add', text: 'Late data' }, release: 'nov-2019' });
    expect(ok('confirm 3 met --release=nov-2019')).toEqual({
      command: { name: 'confirm', criterion: { number: 3 }, answer: 'met', evidence: [] },
      release: 'nov-2019',
    });
    expect(ok('report --release Nov-2019').release).toBe('nov-2019');
  });

  it('is checked as a slug, needs a value and is given once', () => {
    expect(err('status --release nov_2019').message).toContain('nov_2019');
    expect(err('status --release').message).toContain('--release');
    expect(err('status --release a --release b').message).toContain('twice');
  });
});

describe('create', () => {
  it('reads the name, the date and every option', () => {
    expect(command('create "November 2019 SEC Release" 2019-11-29 --time 18:00 --tz Europe/London --template sec-release --id nov-2019')).toEqual({
      name: 'create',
      title: 'November 2019 SEC Release',
      date: '2019-11-29',
      time: '18:00',
      zone: 'Europe/London',
      template: 'sec-release',
      id: 'nov-2019',
    });
    expect(command('create Nov19 2019-11-29')).toEqual({ name: 'create', title: 'Nov19', date: '2019-11-29' });
    expect(command('create “Smart quotes” 2019-11-29 --tz UTC --time 9:05')).toEqual({
      name: 'create',
      title: 'Smart quotes',
      date: '2019-11-29',
      zone: 'UTC',
      time: '09:05',
    });
  });

  it('rejects dates that are not real, times and zones of the wrong shape', () => {
    expect(err('create "x" 2019-02-30').message).toContain('2019-02-30');
    expect(err('create "x" 29/11/2019').message).toContain('29/11/2019');
    expect(err('create "x" 2019-11-29 --time 25:00').message).toContain('25:00');
    expect(err('create "x" 2019-11-29 --tz London').message).toContain('London');
    expect(err('create "x" 2019-11-29 --id Bad_Id').message).toContain('Bad_Id');
    expect(err('create "x"').message).toContain('date');
    expect(err('create').message).toContain('name');
  });

  it('reads --allow-non-working-day as a flag, anywhere, and only when given', () => {
    expect(command('create "Boxing Day" 2026-12-26 --allow-non-working-day')).toEqual({ name: 'create', title: 'Boxing Day', date: '2026-12-26', allowNonWorkingDay: true });
    expect(command('create --allow-non-working-day "Boxing Day" 2026-12-26 --id boxing')).toEqual({
      name: 'create',
      title: 'Boxing Day',
      date: '2026-12-26',
      id: 'boxing',
      allowNonWorkingDay: true,
    });
    expect(command('create "Boxing Day" 2026-12-26')).not.toHaveProperty('allowNonWorkingDay');
    expect(err('create "x" 2026-12-26 --allow-non-working-day=yes').message).toBe('The option "--allow-non-working-day" takes no value.');
    expect(err('create "x" 2026-12-26 --allow-non-working-day --allow-non-working-day').message).toContain('twice');
    expect(err('create "x" 2026-12-26 --allow-nonworking-day').suggestion).toBe('--allow-non-working-day');
    expect(err('status --allow-non-working-day').message).toContain('status does not take the option "--allow-non-working-day"');
  });

  it('tells you to quote a name of several words', () => {
    const error = err('create November 2019 SEC Release 2019-11-29');
    expect(error.message).toContain('"November 2019 SEC Release" 2019-11-29');
    expect(error.usage).toContain('create "<name>"');
  });
});

describe('list, status, link, report, audit', () => {
  it('reads the commands without arguments', () => {
    expect(command('list')).toEqual({ name: 'list' });
    expect(command('report')).toEqual({ name: 'report' });
    expect(command('audit verify')).toEqual({ name: 'audit-verify' });
    expect(command('audit export')).toEqual({ name: 'audit-export', format: 'jsonl' });
    expect(command('audit export --format csv')).toEqual({ name: 'audit-export', format: 'csv' });
    expect(command('audit export --format=JSONL')).toEqual({ name: 'audit-export', format: 'jsonl' });
  });

  it('reads status with an optional release and --public', () => {
    expect(command('status')).toEqual({ name: 'status', public: false });
    expect(command('status nov-2019 --public')).toEqual({ name: 'status', release: 'nov-2019', public: true });
    expect(command('status --public nov-2019')).toEqual({ name: 'status', release: 'nov-2019', public: true });
    expect(ok('status nov-2019 --release nov-2019')).toEqual({ command: { name: 'status', release: 'nov-2019', public: false }, release: 'nov-2019' });
    expect(err('status nov-2019 --release dec-2019').message).toContain('dec-2019');
  });

  it('needs --release for link', () => {
    expect(ok('link --release nov-2019')).toEqual({ command: { name: 'link' }, release: 'nov-2019' });
    expect(err('link').message).toContain('--release');
  });

  it('rejects extra words and bad sub-commands', () => {
    expect(err('list everything').message).toContain('everything');
    expect(err('report now').message).toContain('now');
    const audit = err('audit exprot');
    expect(audit.message).toContain('exprot');
    expect(audit.suggestion).toBe('export');
    expect(audit.usage).toBe(usageOf('audit'));
    expect(err('audit').message).toContain('verify');
    expect(err('audit export --format xml').message).toContain('xml');
  });
});

describe('people: role, manager, delegate, owner', () => {
  it('reads every way of naming a person or a user group, leaving bare ids for the app to qualify', () => {
    expect(command('role DCC alice @bob @slack:U123ABC @teams:29:1aBc_d-E @@slack:S0123 @@S9')).toEqual({
      name: 'role',
      role: 'DCC',
      users: [
        { kind: 'user', id: 'alice' },
        { kind: 'user', id: 'bob' },
        { kind: 'user', id: 'slack:U123ABC' },
        { kind: 'user', id: 'teams:29:1aBc_d-E' },
        { kind: 'usergroup', id: 'slack:S0123' },
        { kind: 'usergroup', id: 'S9' },
      ],
    });
    expect(command('role SECAS alice, bob,@slack:U1')).toMatchObject({
      users: [{ id: 'alice' }, { id: 'bob' }, { id: 'slack:U1' }],
    });
    // A Teams id is its own platform's id, colons and all: bare until the app qualifies it.
    expect(command('owner 1 @29:1abc')).toMatchObject({ users: [{ kind: 'user', id: '29:1abc' }] });
  });

  it('knows no platform markup: a Slack mention or link typed as it is says how to name a person', () => {
    for (const markup of ['<@U123ABC>', '<@U456|carol>', '<!subteam^S0123|@ops>', '<!here>', '<#C123|general>']) {
      const error = err(`role DCC ${markup}`);
      expect(error.message, markup).toContain(`"${markup.split(' ')[0]}`);
      expect(error.message, markup).toContain('write @name for someone on this platform, or @slack:U123');
    }
    expect(err('role DCC <@U1|alice smith>').message).toContain('"<@U1|alice"');
    expect(err('confirm 1 met --evidence <https://ci.example/run/7|run>').message).toContain('is not an http:// or https:// link');
    expect(err('confirm 1 met --evidence <https://ci.example/run/7>').message).toContain('is not an http:// or https:// link');
  });

  it('rejects what is not a person', () => {
    expect(err('role DCC "alice smith"').message).toContain('alice smith');
    expect(err('role DCC').message).toContain('at least one person');
    expect(err('role D.C.C alice').message).toContain('D.C.C');
    for (const broadcast of ['@here', '@channel', '@Everyone']) expect(err(`role DCC ${broadcast}`).message).toContain('names everyone in a conversation, not a person');
    expect(err('role DCC @hook:flags').message).toContain('hook ids name webhooks, never people');
    expect(err('role DCC @golive:golive').message).toContain('golive ids name golive itself, never people');
    expect(err('role DCC @slack:').message).toContain('is not a person');
    expect(err('role DCC @@').message).toContain('is not a user group: write @@<platform>:<group id>');
    // Names an object inherits are not ids, or are ids like any other: never a property lookup.
    expect(err('role DCC @__proto__').message).toContain('"@__proto__" is not a person');
    expect(command('role DCC @constructor @toString')).toMatchObject({ users: [{ id: 'constructor' }, { id: 'toString' }] });
  });

  it('reads manager add and remove', () => {
    expect(command('manager add alice')).toEqual({ name: 'manager', op: 'add', users: [{ kind: 'user', id: 'alice' }] });
    expect(command('manager Remove @slack:U1 bob')).toEqual({
      name: 'manager',
      op: 'remove',
      users: [
        { kind: 'user', id: 'slack:U1' },
        { kind: 'user', id: 'bob' },
      ],
    });
    const error = err('manager ad alice');
    expect(error.message).toContain('"ad"');
    expect(error.suggestion).toBe('add');
    expect(err('manager add').message).toContain('person');
  });

  it('reads delegate <user> for <user>', () => {
    expect(command('delegate @carol for @slack:U1')).toEqual({
      name: 'delegate',
      delegate: { kind: 'user', id: 'carol' },
      for: { kind: 'user', id: 'slack:U1' },
    });
    expect(err('delegate carol to alice').message).toContain('"to"');
    expect(err('delegate carol for').message).toContain('acts for');
    expect(err('delegate carol for alice bob').message).toContain('bob');
  });

  it('reads owner with a criterion id or number', () => {
    expect(command('owner code-ready alice bob')).toEqual({
      name: 'owner',
      criterion: { id: 'code-ready' },
      users: [
        { kind: 'user', id: 'alice' },
        { kind: 'user', id: 'bob' },
      ],
    });
    expect(command('owner 3 @dcc-lead')).toEqual({ name: 'owner', criterion: { number: 3 }, users: [{ kind: 'user', id: 'dcc-lead' }] });
    expect(err('owner code_ready alice').message).toContain('code_ready');
    expect(err('owner 3').message).toContain('person');
  });
});

describe('confirm', () => {
  it('reads met with repeated evidence and --for', () => {
    expect(command('confirm code-ready met --evidence https://ci.example/1 --evidence=https://ci.example/2 --for @slack:U1')).toEqual({
      name: 'confirm',
      criterion: { id: 'code-ready' },
      answer: 'met',
      evidence: ['https://ci.example/1', 'https://ci.example/2'],
      for: { kind: 'user', id: 'slack:U1' },
    });
  });

  it('takes links as bare URLs', () => {
    expect(command('confirm 1 met --evidence https://ci.example/run/7?a=1&b=2')).toMatchObject({ evidence: ['https://ci.example/run/7?a=1&b=2'] });
  });

  it('reads not-met and need-info with their comment, in every spelling', () => {
    const notMet = { name: 'confirm', criterion: { number: 3 }, answer: 'not-met', comment: 'two Sev 2 defects open', evidence: [] };
    expect(command('confirm 3 not-met "two Sev 2 defects open"')).toEqual(notMet);
    expect(command('confirm 3 notmet "two Sev 2 defects open"')).toEqual(notMet);
    expect(command('confirm 3 NOT_MET “two Sev 2 defects open”')).toEqual(notMet);
    expect(command('confirm 3 not met "two Sev 2 defects open"')).toEqual(notMet);
    expect(command("confirm 3 not-met 'two Sev 2 defects open'")).toEqual(notMet);
    expect(command('confirm 3 not-met --comment "two Sev 2 defects open"')).toEqual(notMet);
    const needInfo = { name: 'confirm', criterion: { number: 2 }, answer: 'need-info', comment: "TAG's report is late", evidence: [] };
    expect(command('confirm 2 need-info "TAG\'s report is late"')).toEqual(needInfo);
    expect(command("confirm 2 needinfo 'TAG\\'s report is late'")).toEqual(needInfo);
    expect(command("confirm 2 need_info 'TAG's report is late'")).toEqual(needInfo);
    expect(command('confirm 2 need info ‘TAG’s report is late’')).toEqual({ ...needInfo, comment: 'TAG’s report is late' });
  });

  it('keeps an optional comment on met', () => {
    expect(command('confirm 1 met "all green"')).toMatchObject({ answer: 'met', comment: 'all green' });
    expect(command('confirm 1 met ""')).toEqual({ name: 'confirm', criterion: { number: 1 }, answer: 'met', evidence: [] });
  });

  it('requires a comment for not-met and need-info', () => {
    const error = err('confirm 3 not-met');
    expect(error.message).toContain('not-met');
    expect(error.message).toContain('comment');
    expect(error.usage).toBe(CONFIRM_USAGE);
    expect(err('confirm 3 need-info ""').message).toContain('comment');
  });

  it('suggests the answer meant by a typo', () => {
    const error = err('confirm 3 mett');
    expect(error.message).toContain('"mett"');
    expect(error.suggestion).toBe('met');
    expect(err('confirm 3 not-mt "x"').suggestion).toBe('not-met');
    expect(err('confirm 3 ned-info "x"').suggestion).toBe('need-info');
  });

  it('names a bad evidence link', () => {
    expect(err('confirm 3 met --evidence ftp://files.example/x').message).toContain('ftp://files.example/x');
    expect(err('confirm 3 met --evidence https://ok.example --evidence not-a-link').message).toContain('not-a-link');
  });

  it('tells you to quote a comment of several words, and to give links with --evidence', () => {
    const error = err("confirm 3 need-info we don't know");
    expect(error.message).toContain("don't");
    expect(error.message).toContain('quotes');
    expect(err('confirm 3 met https://ci.example/1').message).toContain('--evidence');
  });

  it('rejects a comment given twice, a missing answer and a bad criterion', () => {
    expect(err('confirm 3 not-met "a" --comment "b"').message).toContain('once');
    expect(err('confirm 3').message).toContain('answer');
    expect(err('confirm').message).toContain('criterion');
    expect(err('confirm Code Ready met').message).toContain('"Ready"');
    expect(err('confirm 0 met').message).toContain('"0"');
  });

  it('names an unknown option and suggests the close one', () => {
    const error = err('confirm 3 met --evidnce https://ci.example/1');
    expect(error.message).toContain('--evidnce');
    expect(error.suggestion).toBe('--evidence');
    expect(error.usage).toBe(CONFIRM_USAGE);
    const elsewhere = err('confirm 3 met --public');
    expect(elsewhere.message).toContain('--public');
    expect(elsewhere.usage).toBe(CONFIRM_USAGE);
    expect(err('confirm 3 met --fro alice').suggestion).toBe('--for');
    const riskOption = err('risk add "x" --ownr bob');
    expect(riskOption.message).toContain('--ownr');
    expect(riskOption.suggestion).toBe('--owner');
    expect(riskOption.usage).toBe('/release risk add "<text>" [--owner <user>]');
  });

  it('rejects a single-value option given twice', () => {
    expect(err('confirm 3 met --for alice --for bob').message).toContain('--for');
  });
});

describe('group and signoff', () => {
  it('reads a group with quorum, meeting and delegates', () => {
    expect(command('group OPSG members alice @slack:U2 @carol --quorum 2 --meeting 2019-11-08 --delegate dave for alice --delegate @slack:U9 for @slack:U2')).toEqual({
      name: 'group',
      group: 'opsg',
      members: [
        { kind: 'user', id: 'alice' },
        { kind: 'user', id: 'slack:U2' },
        { kind: 'user', id: 'carol' },
      ],
      quorum: 2,
      meeting: '2019-11-08',
      delegates: [
        { delegate: { kind: 'user', id: 'dave' }, for: { kind: 'user', id: 'alice' } },
        { delegate: { kind: 'user', id: 'slack:U9' }, for: { kind: 'user', id: 'slack:U2' } },
      ],
    });
    expect(command('group tag members bob')).toEqual({ name: 'group', group: 'tag', members: [{ kind: 'user', id: 'bob' }], delegates: [] });
  });

  it('rejects a missing "members", a bad quorum and a malformed delegate', () => {
    const members = err('group tag membres bob');
    expect(members.message).toContain('membres');
    expect(members.suggestion).toBe('members');
    expect(err('group tag members').message).toContain('member');
    expect(err('group tag members bob --quorum 0').message).toContain('"0"');
    expect(err('group tag members bob --quorum two').message).toContain('"two"');
    expect(err('group tag members bob --meeting 2019-13-01').message).toContain('2019-13-01');
    expect(err('group tag members bob --delegate dave alice').message).toContain('--delegate');
    expect(err('group tag members bob --quorum 1 --quorum 2').message).toContain('twice');
    expect(err('group t_a_g members bob').message).toContain('t_a_g');
  });

  it('reads signoff, lower-casing the group', () => {
    expect(command('signoff TAG agree')).toEqual({ name: 'signoff', group: 'tag', verdict: 'agree' });
    expect(command('signoff opsg Disagree "not enough time to scrutinise" --for @alice')).toEqual({
      name: 'signoff',
      group: 'opsg',
      verdict: 'disagree',
      note: 'not enough time to scrutinise',
      for: { kind: 'user', id: 'alice' },
    });
    const error = err('signoff tag agre');
    expect(error.message).toContain('"agre"');
    expect(error.suggestion).toBe('agree');
    expect(err('signoff tag agree late info').message).toContain('quotes');
  });
});

describe('risk', () => {
  it('reads every risk sub-command, with R1, r1 and #1 as 1', () => {
    expect(command('risk add "Late data from a DCC service" --owner @@slack:S1')).toEqual({
      name: 'risk-add',
      text: 'Late data from a DCC service',
      owner: { kind: 'usergroup', id: 'slack:S1' },
    });
    expect(command('risk mitigate R1 "Extra regression testing"')).toEqual({ name: 'risk-mitigate', risk: 1, text: 'Extra regression testing' });
    expect(command('risk view #1 TAG "Acceptable"')).toEqual({ name: 'risk-view', risk: 1, group: 'tag', text: 'Acceptable' });
    expect(command('risk accept r1 --conditions "Clarify the fallback"')).toEqual({ name: 'risk-accept', risk: 1, conditions: 'Clarify the fallback' });
    expect(command('risk accept 2')).toEqual({ name: 'risk-accept', risk: 2 });
    expect(command('risk close 12')).toEqual({ name: 'risk-close', risk: 12 });
  });

  it('rejects a bad risk number, missing text and an unknown sub-command', () => {
    expect(err('risk close R0').message).toContain('R0');
    expect(err('risk close X1').message).toContain('X1');
    expect(err('risk mitigate 1').message).toContain('mitigation');
    expect(err('risk add').message).toContain('risk');
    const error = err('risk acept 1');
    expect(error.message).toContain('acept');
    expect(error.suggestion).toBe('accept');
    expect(error.usage).toBe(usageOf('risk'));
    expect(err('risk').message).toContain('add');
    expect(err('risk add Late data').message).toContain('quotes');
    expect(err('risk close 1 --conditions "x"').message).toContain('--conditions');
  });
});

describe('switch', () => {
  it('reads switch add and switch <key> on|off', () => {
    expect(command('switch add SECMP0062.flag --expect off "Must stay off until Feb"')).toEqual({
      name: 'switch-add',
      key: 'SECMP0062.flag',
      expect: 'off',
      description: 'Must stay off until Feb',
    });
    expect(command('switch add SECMP0062 --expect=ON')).toEqual({ name: 'switch-add', key: 'SECMP0062', expect: 'on' });
    expect(command('switch SECMP0062 on --source "alert from the DCC"')).toEqual({
      name: 'switch-set',
      key: 'SECMP0062',
      state: 'on',
      source: 'alert from the DCC',
    });
    expect(command('switch SECMP0062 OFF')).toEqual({ name: 'switch-set', key: 'SECMP0062', state: 'off' });
    expect(command('switch "add" on')).toEqual({ name: 'switch-set', key: 'add', state: 'on' });
  });

  it('needs --expect, and on or off', () => {
    expect(err('switch add SECMP0062').message).toContain('--expect');
    expect(err('switch add SECMP0062 --expect maybe').message).toContain('maybe');
    const error = err('switch SECMP0062 of');
    expect(error.message).toContain('"of"');
    expect(error.suggestion).toBe('off');
    expect(err('switch SECMP0062').message).toContain('on or off');
    expect(err('switch bad/key on').message).toContain('bad/key');
    expect(err('switch SECMP0062 on --expect off').message).toContain('--expect');
    const typo = err('switch ad SECMP0062 --expect off');
    expect(typo.message).toContain('"ad"');
    expect(typo.suggestion).toBe('add');
    expect(command('switch adx on')).toEqual({ name: 'switch-set', key: 'adx', state: 'on' });
  });
});

describe('facts', () => {
  it('reads defect counts in each spelling, and --plans', () => {
    expect(command('facts defects sev1=0 sev2=3 --plans yes')).toEqual({ name: 'facts-defects', counts: { 1: 0, 2: 3 }, plans: true });
    expect(command('facts defects 1=0 s2=1 SEV5=7')).toEqual({ name: 'facts-defects', counts: { 1: 0, 2: 1, 5: 7 } });
    expect(command('facts defects --plans no')).toEqual({ name: 'facts-defects', counts: {}, plans: false });
  });

  it('rejects bad defect counts', () => {
    expect(err('facts defects').message).toContain('at least one count');
    expect(err('facts defects sev6=1').message).toContain('sev6=1');
    expect(err('facts defects sev1=-1').message).toContain('"-1"');
    expect(err('facts defects sev1=1 sev1=2').message).toContain('twice');
    expect(err('facts defects many').message).toContain('many');
    expect(err('facts defects --plans maybe').message).toContain('maybe');
  });

  it('reads issues, phases and the environment', () => {
    expect(command('facts issues 4 --threshold 10')).toEqual({ name: 'facts-issues', count: 4, threshold: 10 });
    expect(command('facts phase "SIT A" closed --exit-criteria met')).toEqual({ name: 'facts-phase', phase: 'SIT A', state: 'closed', exitCriteriaMet: true });
    expect(command('facts phase UIT open --exit-criteria not-met')).toEqual({ name: 'facts-phase', phase: 'UIT', state: 'open', exitCriteriaMet: false });
    expect(command('facts phase UIT Closed')).toEqual({ name: 'facts-phase', phase: 'UIT', state: 'closed' });
    expect(command('facts environment "Pre-production matches production"')).toEqual({
      name: 'facts-environment',
      note: 'Pre-production matches production',
    });
  });

  it('rejects bad issues and phases', () => {
    expect(err('facts issues 4').message).toContain('--threshold');
    expect(err('facts issues four --threshold 10').message).toContain('four');
    expect(err('facts phase SIT A closed').message).toContain('"SIT A" closed');
    expect(err('facts phase UIT shut').message).toContain('shut');
    expect(err('facts phase UIT closed --exit-criteria need-info').message).toContain('need-info');
    expect(err('facts environment').message).toContain('note');
    expect(err('facts phsae UIT closed').suggestion).toBe('phase');
  });
});

describe('date and decide', () => {
  it('reads a date change with its reason', () => {
    expect(command('date 2019-11-29 --time 18:00 "extra testing of the SMETS1 release"')).toEqual({
      name: 'date',
      date: '2019-11-29',
      time: '18:00',
      reason: 'extra testing of the SMETS1 release',
    });
    expect(err('date 2019-11-29').message).toContain('reason');
    expect(err('date 2019-11-31 "x"').message).toContain('2019-11-31');
    expect(err('date 2019-11-29 extra testing').message).toContain('quotes');
  });

  it('reads --allow-non-working-day on a date change, before or after the reason', () => {
    const expected = { name: 'date', date: '2019-11-30', reason: 'weekend window', allowNonWorkingDay: true };
    expect(command('date 2019-11-30 "weekend window" --allow-non-working-day')).toEqual(expected);
    expect(command('date 2019-11-30 --allow-non-working-day "weekend window"')).toEqual(expected);
    expect(command('date 2019-11-30 "weekend window"')).not.toHaveProperty('allowNonWorkingDay');
    expect(err('date 2019-11-30 --allow-non-working-day').message).toContain('reason');
  });

  it('reads go and no-go in each spelling', () => {
    expect(command('decide go')).toEqual({ name: 'decide', verdict: 'go' });
    expect(command('decide GO "Panel agrees" --for @slack:U7')).toEqual({ name: 'decide', verdict: 'go', note: 'Panel agrees', for: { kind: 'user', id: 'slack:U7' } });
    for (const spelling of ['no-go', 'nogo', 'no_go', 'no go', 'No-Go']) {
      expect(command(`decide ${spelling} "Sev 1 open"`)).toEqual({ name: 'decide', verdict: 'no-go', note: 'Sev 1 open' });
    }
    expect(err('decide maybe').message).toContain('maybe');
    expect(err('decide').message).toContain('go');
  });

  it('reads an override reason on GO only, and never an empty one', () => {
    expect(command('decide go "Panel agrees" --override "TAG minutes to follow"')).toEqual({ name: 'decide', verdict: 'go', note: 'Panel agrees', override: 'TAG minutes to follow' });
    expect(command('decide go --override=accepted')).toEqual({ name: 'decide', verdict: 'go', override: 'accepted' });
    const noGo = err('decide no-go "x" --override "because"');
    expect(noGo.message).toContain('--override is for deciding GO');
    expect(noGo.usage).toContain('[--override "<reason>"]');
    expect(err('decide go --override').message).toContain('needs a value');
    expect(err('decide go --override "  "').message).toContain('needs a value');
  });
});

describe('withdraw', () => {
  it('reads withdraw with a criterion id or number and an optional reason', () => {
    expect(command('withdraw code-ready')).toEqual({ name: 'withdraw', criterion: { id: 'code-ready' } });
    expect(command('Withdraw #3 "wrong build"')).toEqual({ name: 'withdraw', criterion: { number: 3 }, comment: 'wrong build' });
    expect(err('withdraw').message).toContain('the criterion whose answer you withdraw');
    expect(err('withdraw 3 wrong build').message).toContain('quotes');
    expect(err('withdraw 3 --for dan').message).toContain('--for');
  });

  it('reads close with an outcome and an optional note', () => {
    expect(command('close went-live')).toEqual({ name: 'close', result: 'went-live' });
    expect(command('Close went live "smooth"')).toEqual({ name: 'close', result: 'went-live', note: 'smooth' });
    expect(command('close rolled back "DB migration failed" --release nov')).toEqual({ name: 'close', result: 'rolled-back', note: 'DB migration failed' });
    expect(command('close canceled')).toEqual({ name: 'close', result: 'cancelled' });
    expect(err('close').message).toContain('went-live, rolled-back or cancelled');
    expect(err('close wentlive').suggestion).toBe('went-live');
    expect(err('close cancelled no longer needed').message).toContain('quotes');
    expect(err('close cancelled --for dan').message).toContain('--for');
  });

  it('reads todo, which takes nothing', () => {
    expect(command('todo')).toEqual({ name: 'todo' });
    expect(command('TODO')).toEqual({ name: 'todo' });
    expect(err('todo everything').message).toContain('Unexpected extra "everything"');
    expect(err('todo --for dan').message).toContain('--for');
  });

  it('reads signoff <group> withdraw, with a note and --for', () => {
    expect(command('signoff OPSG withdraw')).toEqual({ name: 'signoff-withdraw', group: 'opsg' });
    expect(command('signoff tag withdraw "re-reading the report" --for @tara')).toEqual({ name: 'signoff-withdraw', group: 'tag', note: 're-reading the report', for: { kind: 'user', id: 'tara' } });
    expect(err('signoff tag withdrw').suggestion).toBe('withdraw');
  });
});

describe('quotes and tokens', () => {
  it('groups words in straight and typographic quotes, with escaped quotes inside', () => {
    expect(tokenize('a "b c" \'d e\' “f g” ‘h i’ "say \\"hi\\""')).toEqual({
      ok: true,
      tokens: [
        { kind: 'word', text: 'a', quoted: false },
        { kind: 'word', text: 'b c', quoted: true },
        { kind: 'word', text: 'd e', quoted: true },
        { kind: 'word', text: 'f g', quoted: true },
        { kind: 'word', text: 'h i', quoted: true },
        { kind: 'word', text: 'say "hi"', quoted: true },
      ],
    });
  });

  it('knows no platform markup: a `<…>` sequence splits at its spaces like any other text', () => {
    const result = tokenize('<@U1|alice smith> <!subteam^S0123|@ops> <https://x.example|the doc> @slack:U1 @@slack:S1');
    expect(result.ok && result.tokens.map((token) => (token.kind === 'word' ? token.text : token.raw))).toEqual([
      '<@U1|alice',
      'smith>',
      '<!subteam^S0123|@ops>',
      '<https://x.example|the',
      'doc>',
      '@slack:U1',
      '@@slack:S1',
    ]);
  });

  it('reads options in each form, phone dashes included', () => {
    expect(tokenize('--public --time 09:00 --comment="a b" —for x')).toEqual({
      ok: true,
      tokens: [
        { kind: 'option', name: 'public', raw: '--public' },
        { kind: 'option', name: 'time', raw: '--time' },
        { kind: 'word', text: '09:00', quoted: false },
        { kind: 'option', name: 'comment', value: 'a b', raw: '--comment' },
        { kind: 'option', name: 'for', raw: '—for' },
        { kind: 'word', text: 'x', quoted: false },
      ],
    });
    expect(command('confirm 3 met —evidence https://ci.example/1')).toMatchObject({ evidence: ['https://ci.example/1'] });
    expect(tokenize('"--public"')).toEqual({ ok: true, tokens: [{ kind: 'word', text: '--public', quoted: true }] });
  });

  it('reports an unterminated quote as an error, not a throw', () => {
    const error = err('confirm 3 not-met "never closed');
    expect(error.message).toContain('Unterminated quote');
    expect(error.message).toContain('never closed');
    expect(err('risk add “smart and open').message).toContain('Unterminated quote');
    expect(err('risk add "a"b').message).toContain('closing quote must be followed by a space');
  });

  it('never takes a quoted word for a sub-command or an option', () => {
    expect(err('risk "add" "x"').message).toContain('add');
    expect(command('confirm 3 met "--for"')).toMatchObject({ comment: '--for' });
  });
});

describe('suggestions', () => {
  it('counts a swap of two letters as one edit', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('mett', 'met')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the nearest close candidate, a unique prefix, or nothing', () => {
    expect(suggest('stauts', COMMAND_WORDS)).toBe('status');
    expect(suggest('CONFRIM', COMMAND_WORDS)).toBe('confirm');
    expect(suggest('conf', COMMAND_WORDS)).toBe('confirm');
    expect(suggest('zzzzzz', COMMAND_WORDS)).toBeUndefined();
    expect(suggest('status', COMMAND_WORDS)).toBeUndefined();
    expect(suggest('x'.repeat(1000), COMMAND_WORDS)).toBeUndefined();
  });
});

describe('history, switch list and risk list', () => {
  it('reads history with an item, and with the kind of item first', () => {
    expect(command('history code-ready')).toEqual({ name: 'history', item: 'code-ready' });
    expect(command('history R1')).toEqual({ name: 'history', item: 'R1' });
    expect(command('HISTORY 3 --release nov')).toEqual({ name: 'history', item: '3' });
    expect(command('history switch SECMP0062.flag')).toEqual({ name: 'history', item: 'SECMP0062.flag', kind: 'switch' });
    expect(command('history Risk 2')).toEqual({ name: 'history', item: '2', kind: 'risk' });
  });

  it('refuses history without an item, with a bad one, or with an unknown kind', () => {
    expect(err('history').message).toContain('history needs the item');
    expect(err('history a/b').message).toContain('"a/b" is not an item');
    expect(err('history swtich k').message).toContain('"swtich" is not a kind of item');
    expect(err('history switch k extra').message).toContain('Unexpected extra "extra"');
  });

  it('reads switch list and risk list as listings, never as a switch called list', () => {
    expect(command('switch list')).toEqual({ name: 'switch-list' });
    expect(command('risk LIST')).toEqual({ name: 'risk-list' });
    expect(err('switch list on').message).toContain('Unexpected extra "on"');
    expect(err('switch add list --expect off').message).toContain('cannot be called "list"');
    expect(err('switch add LIST --expect off').message).toContain('cannot be called "list"');
  });
});

describe('the usage table', () => {
  it('has a row every parser form can be checked against, each with usage and summary', () => {
    for (const entry of COMMANDS) {
      expect(entry.usage.startsWith(`/release ${entry.words.join(' ')}`) || entry.words.join(' ') === 'switch').toBe(true);
      expect(entry.summary).toMatch(/\.$/);
    }
    // Each usage line's first example parses, so help never shows a command the parser refuses.
    const examples = [
      'help',
      'create "x" 2019-11-29',
      'list',
      'status',
      'ask',
      'link --release x',
      'role DCC a',
      'manager add a',
      'delegate a for b',
      'owner 1 a',
      'confirm 1 met',
      'withdraw 1',
      'group g members a',
      'signoff g agree',
      'risk list',
      'risk add "x"',
      'risk mitigate 1 "x"',
      'risk view 1 g "x"',
      'risk accept 1',
      'risk close 1',
      'switch list',
      'switch add k --expect off',
      'switch k on',
      'facts defects sev1=0',
      'facts issues 1 --threshold 2',
      'facts phase p open',
      'facts environment "x"',
      'date 2019-11-29 "x"',
      'decide go',
      'close cancelled',
      'schedule',
      'schedule set p T-3',
      'schedule off p',
      'schedule on p',
      'todo',
      'whoami',
      'whoami link',
      'whoami unlink @slack:U1',
      'notify off',
      'history 1',
      'report',
      'audit verify',
      'audit export',
    ];
    expect(examples.length).toBe(COMMANDS.length);
    for (const line of examples) expect(parse(line).ok, line).toBe(true);
  });

  it('gives the short help and the help of one command', () => {
    const general = helpText();
    expect(general.length).toBeLessThan(30);
    const text = general.join('\n');
    for (const word of COMMAND_WORDS) expect(text, word).toMatch(new RegExp(`\\b${word}\\b`));
    expect(helpText('risk').filter((line) => line.startsWith('/release risk')).length).toBe(6);
    expect(helpText('risk add')[0]).toBe('/release risk add "<text>" [--owner <user>]');
    expect(helpText('confirm')[0]).toBe(CONFIRM_USAGE);
    expect(helpText('nonsense')).toEqual(general);
  });
});
