import { describe, expect, it } from 'vitest';
import { detached } from '../src/detached-string.js';

describe('detached', () => {
  it('is equal to the text it copies, whatever the text holds', () => {
    const body = `token=abc&trigger_id=${'1234567890.'.repeat(8)}&text=${encodeURIComponent('status é ✓ 🚀')}`;
    for (const text of ['', 'a', body.slice(10, 60), 'status é ✓ 🚀', '\ud800 lone', 'end \udfff', '\u0000nul']) {
      const copy = detached(text);
      expect(copy).toBe(text);
      expect(new Set([copy]).has(text)).toBe(true);
    }
  });
});
