// Building an Intl.DateTimeFormat costs 0.1 to 0.2 ms; formatting with one that exists costs
// microseconds. A status card formats dozens of instants, so each distinct (locale, options) is
// built once for the process's life: zone rules and locale data do not change while it runs.

const formats = new Map<string, Intl.DateTimeFormat>();
// Zones are checked to be real before they are stored, so the keys are few (zones in use times a
// handful of option shapes); the bound only keeps an unexpected caller from growing it forever.
const MAX_FORMATS = 2_000;

/** The formatter for (locale, options), made on first use. Throws as the constructor does (an unknown zone). */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  const known = formats.get(key);
  if (known) return known;
  const made = new Intl.DateTimeFormat(locale, options);
  if (formats.size >= MAX_FORMATS) formats.clear();
  formats.set(key, made);
  return made;
}
