/** Times as the browser's locale writes them (the tests fix locale and time zone, so screenshots are stable). */
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const day = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();

/** In the list: the time today, the weekday this week, else the date. */
export function listTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const days = (startOfDay(now) - startOfDay(date)) / 86_400_000;
  return days < 1 ? time.format(date) : days < 7 ? weekday.format(date) : day.format(date);
}

/** Under a message: the time today, else date and time. */
export function messageTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  return startOfDay(date) === startOfDay(now) ? time.format(date) : full.format(date);
}

export const fullTime = (iso: string) => full.format(new Date(iso));
