// The ledger's filters as data: which URL parameters it keeps (so a view can be sent to a colleague),
// the quick views, and the API query both the list and the exports are read with.
import { session } from "./session.js";

export const FILTER_KEYS = ["status", "category", "level", "region", "overdue", "supervised", "q", "view"];
const OPEN = "pending,in_progress,awaiting_info";

// Each quick view is a set of the list's own filters (nothing private in the API).
export const VIEWS = [
  { key: "mine", title: "待我处理", query: (user) => (user?.region
    ? { region: user.region.id, level: user.region.level, status: OPEN, sort: "due_at" } : { status: OPEN, sort: "due_at" }) },
  { key: "soon", title: "即将超期", query: () => ({ status: "in_progress", overdue: false, sort: "due_at" }) },
  { key: "overdue", title: "已超期", query: () => ({ overdue: true, sort: "due_at" }) },
  { key: "supervised", title: "督办", query: () => ({ supervised: true, sort: "due_at" }) },
];

/** The URL's filters (only the known keys, non-empty). */
export function filtersOf(query) {
  return Object.fromEntries(FILTER_KEYS.filter((k) => query[k]).map((k) => [k, query[k]]));
}

/** The API query of a set of URL filters; a quick view adds its own. */
export function apiQuery(filters) {
  const out = {};
  for (const key of ["status", "category", "level", "region", "q"]) if (filters[key]) out[key] = filters[key];
  if (filters.overdue === "true") out.overdue = true;
  if (filters.supervised === "true") out.supervised = true;
  const view = VIEWS.find((v) => v.key === filters.view);
  if (view) Object.assign(out, view.query(session.user));
  return out;
}

export function exportQuery(filters) {
  const { sort, ...rest } = apiQuery(filters);
  return rest;
}

export function queryString(filters) {
  const params = new URLSearchParams(filtersOf(filters));
  const text = params.toString();
  return text ? `?${text}` : "";
}

const RUNNING = ["in_progress", "awaiting_info"]; // the statuses a due date runs in
const SOON_MS = 3 * 86_400_000;

/** The text marker beside a due date: 已超期 / 即将超期 (within 3 days) / none. */
export function dueMarker(problem, now = Date.now()) {
  if (!problem.due_at || !RUNNING.includes(problem.status)) return "";
  const left = new Date(problem.due_at).getTime() - now;
  if (left < 0) return "已超期";
  return left < SOON_MS ? "即将超期" : "";
}

// Remembered per browser: the last filters and the hidden columns.
const FILTERS_STORE = "lqt.ledger.filters";
const COLUMNS_STORE = "lqt.ledger.hidden-columns";

export function savedFilters() {
  try { return JSON.parse(localStorage.getItem(FILTERS_STORE) || "null"); } catch { return null; }
}
export function saveFilters(filters) {
  localStorage.setItem(FILTERS_STORE, JSON.stringify(filtersOf(filters)));
}
export function hiddenColumns() {
  try { return JSON.parse(localStorage.getItem(COLUMNS_STORE) || "[]"); } catch { return []; }
}
export function saveHiddenColumns(keys) {
  localStorage.setItem(COLUMNS_STORE, JSON.stringify(keys));
}
