import { performance } from 'node:perf_hooks';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { sealEntry, verifyChain } from '../src/domain/audit.js';

const CHAIN_LENGTHS = [1_000, 10_000];

/** Times sealing and verifying whole audit chains; both should grow linearly with length. */
export async function benchAuditVerify(): Promise<void> {
  console.log('audit: seal and verify a whole chain');
  for (const length of CHAIN_LENGTHS) {
    const sealedAt = performance.now();
    const chain: AuditEntry[] = [];
    for (let n = 1; n <= length; n++) chain.push(sealEntry(chain, entry(n)));
    const sealMs = performance.now() - sealedAt;

    const verifiedAt = performance.now();
    const verdict = verifyChain(chain);
    const verifyMs = performance.now() - verifiedAt;
    if (!verdict.ok) throw new Error(`benchmark chain failed verification: ${verdict.message}`);

    console.log(`  ${String(length).padStart(6)} entries: seal ${sealMs.toFixed(1)} ms (${perEntry(sealMs, length)}), verify ${verifyMs.toFixed(1)} ms (${perEntry(verifyMs, length)})`);
  }
}

function entry(n: number) {
  return {
    at: new Date(Date.UTC(2019, 10, 8, 9, 0, n)).toISOString(),
    actor: { id: 'slack:U-bench' as const, platform: 'slack' as const },
    command: `/release confirm ${(n % 7) + 1} met --evidence https://example.org/evidence/${n}`,
    outcome: 'applied' as const,
    before: { answer: null, criterion: (n % 7) + 1 },
    after: { answer: 'met', criterion: (n % 7) + 1, evidence: [`https://example.org/evidence/${n}`] },
  };
}

function perEntry(totalMs: number, length: number): string {
  return `${((totalMs * 1000) / length).toFixed(1)} µs/entry`;
}
