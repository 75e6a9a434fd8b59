// Dates as people in China read them: 2026年12月1日 14:05, or 12-01 14:05 in lists.
const pad = (n) => String(n).padStart(2, "0");

export function dateTime(value) {
  if (!value) return "";
  const d = new Date(value);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function shortDateTime(value) {
  if (!value) return "";
  const d = new Date(value);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function date(value) {
  if (!value) return "";
  const d = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

export function daysSince(value, now = Date.now()) {
  if (!value) return null;
  return Math.floor((now - new Date(value).getTime()) / 86_400_000);
}

/** The value of <input type="datetime-local"> for a moment (local time). */
export function localInput(d = new Date()) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function month(d = new Date()) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** Today (or a date) as YYYY-MM-DD in local time, for date inputs. */
export function localDate(d = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
