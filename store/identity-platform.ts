/** The platform part of a qualified person id (`teams:29:abc` → `teams`). */
export function platformOfId(id: string): string {
  const at = id.indexOf(':');
  return at > 0 ? id.slice(0, at) : '';
}
