/**
 * `text` in storage of its own. In V8 a string cut from a longer one (an id parsed out of a
 * request's body) can be a view into it that keeps the whole longer string alive: a set that
 * remembers ten thousand request ids would hold ten thousand request bodies. UTF-16 carries every
 * JavaScript string exactly, lone surrogates included, so the copy is always equal to `text`.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
