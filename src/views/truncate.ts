/** Plain text within `max` characters, cut on a code point (never inside an emoji's surrogate pair) and ended with `ellipsis`. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length + ellipsis.length > max) break;
    out += char;
  }
  return out + ellipsis;
}
