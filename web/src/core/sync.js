// The last synced data of the caller's scope (GET /sync), kept in IndexedDB: reading screens show
// it at once and while offline (marked with the time it was synced); online, a delta since the last
// token is merged in.
import { reactive } from "./vue.js";
import { api } from "./api.js";
import { idb } from "./db.js";
import { session } from "./session.js";

const KINDS = ["enterprises", "assignments", "problems", "visits", "plans", "notifications"];
export const synced = reactive({ data: null, syncedAt: null, stale: false, loading: false, error: null, userId: null });
let running = null;

const cacheKey = (userId) => `sync:${userId}`;

function empty() {
  return Object.fromEntries(KINDS.map((kind) => [kind, []]));
}

function merge(base, page) {
  for (const kind of KINDS) {
    const byId = new Map(base[kind].map((row) => [row.id, row]));
    for (const row of page[kind] || []) byId.set(row.id, row);
    for (const id of page.removed?.[kind] || []) byId.delete(id);
    base[kind] = [...byId.values()];
  }
  return base;
}

async function loadCached(userId) {
  if (synced.userId === userId && synced.data) return;
  const cached = await idb.get("cache", cacheKey(userId)).catch(() => null);
  Object.assign(synced, { userId, data: cached?.data || null, syncedAt: cached?.syncedAt || null,
                          since: cached?.since || null });
}

/** Bring the cache up to date; on a network failure keep what is there and mark it stale. */
export function refresh() {
  if (!session.user) return Promise.resolve();
  if (!running) {
    const userId = session.user.id;
    running = (async () => {
      await loadCached(userId);
      synced.loading = true;
      try {
        let data = synced.since && synced.data ? synced.data : empty();
        let cursor = null;
        let since = synced.since && synced.data ? synced.since : null;
        let next = null;
        do {
          const page = await api.get("/sync", { since, cursor, limit: 100 });
          data = merge(data, page);
          cursor = page.next_cursor;
          next = page.next_since;
        } while (cursor);
        const syncedAt = new Date().toISOString();
        if (session.user?.id !== userId) return;
        Object.assign(synced, { data, syncedAt, since: next, stale: false, error: null });
        if (session.user?.id !== userId) return; // signed out meanwhile
        await idb.put("cache", { data: JSON.parse(JSON.stringify(data)), syncedAt, since: next }, cacheKey(userId));
      } catch (error) {
        synced.stale = true;
        synced.error = error.message;
      } finally {
        synced.loading = false;
        running = null;
      }
    })();
  }
  return running;
}

/** The cached data now (refreshing in the background). */
export async function ensure() {
  if (!session.user) return synced;
  await loadCached(session.user.id);
  const pending = refresh();
  if (!synced.data) await pending;
  return synced;
}
