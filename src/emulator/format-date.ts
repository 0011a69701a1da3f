/** ISO 8601 without milliseconds, as Conversations v1 prints dates (`2015-12-16T22:18:37Z`). */
export function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** RFC 2822 with a numeric zone, as Api 2010 prints dates (`Thu, 24 Aug 2023 05:01:45 +0000`). */
export function rfc2822Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/** Parses a client-supplied date parameter; undefined when absent or invalid. */
export function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
