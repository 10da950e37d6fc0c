import { describe, expect, it } from 'vitest';
import { fileMessages } from '../adapters/teams/replies.js';

describe('a file on Teams', () => {
  it('is split between lines into Markdown messages under the size limit, nothing lost, and the typed name cannot run Markdown', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `- line ${i}: ${'x'.repeat(40)}`);
    const content = lines.join('\n');
    const messages = fileMessages({ kind: 'file', visibility: 'public', filename: 'r-decision-paper.md', title: 'Decision paper: **R** [x](http://evil)', mime: 'text/markdown', content });
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) {
      expect(m.textFormat).toBe('markdown');
      expect(Buffer.byteLength(m.text!)).toBeLessThan(28 * 1024);
    }
    const [first, ...rest] = messages.map((m) => m.text!);
    const lead = first!.slice(0, first!.indexOf('\n\n'));
    expect(lead).toContain(`(${content.length.toLocaleString('en-GB')} characters, in ${messages.length} messages)`);
    expect(lead).toContain('\\*\\*R\\*\\* \\[x\\]\\(http://evil\\)');
    expect([first!.slice(lead.length + 2), ...rest].join('')).toBe(content);
  });
});
