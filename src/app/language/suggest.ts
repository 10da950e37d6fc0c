// "Did you mean …" for command words, sub-words, option names and answer words.

// Past this length a word is not a typo of a short command word, and the quadratic table is not worth it.
const MAX_WORD = 64;

/**
 * Edit distance counting an adjacent swap as one edit (optimal string alignment), because the
 * commonest typing slip is two letters swapped: "stauts" is one edit from "status", not two.
 */
export function editDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  let before: number[] = [];
  let previous: number[] = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current: number[] = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length]!;
}

// Short words tolerate one slip and longer ones more: "mett" finds "met", but "ox" is not taken for "go" and "no".
function tolerance(length: number): number {
  return length <= 4 ? 1 : length <= 8 ? 2 : 3;
}

/**
 * The candidate `word` most likely meant, or undefined when none is close or `word` is itself a
 * candidate. Case is ignored. A word of three or more letters that starts exactly one candidate
 * ("conf") suggests that candidate.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  if (typed.length === 0 || typed.length > MAX_WORD) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (lower === typed) return undefined;
    const distance = editDistance(typed, lower);
    // On a tie the word the person started typing wins: "of" is "off" cut short more likely than "on" mistyped.
    const startsBetter = distance === bestDistance && lower.startsWith(typed) && !best?.toLowerCase().startsWith(typed);
    if (distance < bestDistance || startsBetter) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= tolerance(Array.from(typed).length)) return best;
  if (typed.length >= 3) {
    const starting = candidates.filter((candidate) => candidate.toLowerCase().startsWith(typed));
    if (starting.length === 1) return starting[0];
  }
  return undefined;
}
