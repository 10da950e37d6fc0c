/** The normalised form of an http(s) URL, or undefined for anything else (javascript:, data:, garbage): links in views go through it. */
export function httpUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
}
