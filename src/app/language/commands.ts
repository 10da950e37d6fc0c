// The typed commands every platform's `/release …` text is parsed into, once, by parser.ts.

/** A person or a platform user group, as written in a command. */
export type UserRef = { kind: 'user'; id: string } | { kind: 'usergroup'; id: string };

/** A criterion named by its id (`code-ready`) or its number (`1`). */
export type CriterionRef = { id: string } | { number: number };

export type Severity = 1 | 2 | 3 | 4 | 5;

export type Command =
  | { name: 'help'; topic?: string }
  | { name: 'create'; title: string; date: string; time?: string; zone?: string; template?: string; id?: string; allowNonWorkingDay?: true }
  | { name: 'list' }
  | { name: 'status'; release?: string; public: boolean }
  | { name: 'link' }
  | { name: 'ask' }
  | { name: 'role'; role: string; users: UserRef[] }
  | { name: 'manager'; op: 'add' | 'remove'; users: UserRef[] }
  | { name: 'delegate'; delegate: UserRef; for: UserRef }
  | { name: 'owner'; criterion: CriterionRef; users: UserRef[] }
  | { name: 'confirm'; criterion: CriterionRef; answer: 'met' | 'not-met' | 'need-info'; comment?: string; evidence: string[]; for?: UserRef }
  | {
      name: 'group';
      group: string;
      members: UserRef[];
      quorum?: number;
      meeting?: string;
      delegates: Array<{ delegate: UserRef; for: UserRef }>;
    }
  | { name: 'signoff'; group: string; verdict: 'agree' | 'disagree'; note?: string; for?: UserRef }
  | { name: 'signoff-withdraw'; group: string; note?: string; for?: UserRef }
  | { name: 'withdraw'; criterion: CriterionRef; comment?: string }
  | { name: 'risk-add'; text: string; owner?: UserRef }
  | { name: 'risk-mitigate'; risk: number; text: string }
  | { name: 'risk-view'; risk: number; group: string; text: string }
  | { name: 'risk-accept'; risk: number; conditions?: string }
  | { name: 'risk-close'; risk: number }
  | { name: 'switch-add'; key: string; expect: 'on' | 'off'; description?: string }
  | { name: 'switch-set'; key: string; state: 'on' | 'off'; source?: string }
  | { name: 'facts-defects'; counts: Partial<Record<Severity, number>>; plans?: boolean }
  | { name: 'facts-issues'; count: number; threshold: number }
  | { name: 'facts-phase'; phase: string; state: 'closed' | 'open'; exitCriteriaMet?: boolean }
  | { name: 'facts-environment'; note: string }
  /** Several facts at once, in one write: what a tracker's or CI's facts hook reports. */
  | {
      name: 'facts-update';
      counts?: Partial<Record<Severity, number>>;
      plans?: boolean;
      testingIssues?: number;
      threshold?: number;
      phases?: Array<{ phase: string; closed: boolean }>;
    }
  | { name: 'date'; date: string; time?: string; reason: string; allowNonWorkingDay?: true }
  | { name: 'decide'; verdict: 'go' | 'no-go'; note?: string; override?: string; for?: UserRef }
  | { name: 'close'; result: 'went-live' | 'rolled-back' | 'cancelled'; note?: string }
  | { name: 'todo' }
  /** Who golive takes you for, and the identities you linked on other platforms. */
  | { name: 'whoami' }
  /** Without a code: give me one to type on my other platform. With one: link me with whoever was given it. */
  | { name: 'whoami-link'; code?: string }
  | { name: 'whoami-unlink'; user: UserRef }
  /** Never typed: an answer button asks for the form to answer with, or is refused (and audited) at once. */
  | { name: 'answer-form'; criterion: { id: string }; answer: 'met' | 'not-met' | 'need-info' }
  /** `state` absent: show the setting. */
  | { name: 'notify'; state?: 'on' | 'off' }
  | { name: 'schedule' }
  /** `day`: T-n, T+n, T-a..T-b or YYYY-MM-DD, written canonically (T upper-case). */
  | { name: 'schedule-set'; point: string; day: string; time?: string }
  | { name: 'schedule-off'; point: string }
  | { name: 'schedule-on'; point: string }
  | { name: 'report' }
  | { name: 'history'; item: string; kind?: 'criterion' | 'group' | 'switch' | 'risk' }
  | { name: 'switch-list' }
  | { name: 'risk-list' }
  | { name: 'audit-verify'; head?: string }
  | { name: 'audit-export'; format: 'jsonl' | 'csv' };

export type CommandName = Command['name'];

/** A parsed line: the command, and the release it names with `--release`, if any. */
export interface Parsed {
  command: Command;
  release?: string;
}

export interface ParseFailure {
  /** What was wrong, in one sentence a person can act on. */
  message: string;
  /** The usage line(s) of the command that was meant, when known. */
  usage?: string;
  /** "Did you mean …" candidate, a whole command word or option. */
  suggestion?: string;
}

export type ParseResult = { ok: true; value: Parsed } | { ok: false; error: ParseFailure };
