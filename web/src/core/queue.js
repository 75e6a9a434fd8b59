// The offline queue: what a user filed is stored in IndexedDB first, then sent in order, each item
// exactly once. Its states are data (below), like the server's workflow table. An item keeps its
// Idempotency-Key for every attempt, so a request whose answer was lost is answered by the server's
// replay (Idempotent-Replayed), which counts as success. A visit's photos go after the visit, each
// with its own key. A refused item (4xx) stays, with the server's reason, until the user corrects or
// discards it.
import { reactive, toRaw } from "./vue.js";
import { ApiError, newKey, send } from "./api.js";
import { idb } from "./db.js";
import { session } from "./session.js";

export const STATES = {
  queued: { label: "待同步", next: ["sending", "discarded"] },
  sending: { label: "发送中", next: ["sent", "queued", "refused"] },
  sent: { label: "已同步", next: [] },
  refused: { label: "被退回", next: ["queued", "discarded"] },
  discarded: { label: "已放弃", next: [] },
};

const MAX_BACKOFF_MS = 60_000;
export const queue = reactive({ items: [], flushing: false, online: navigator.onLine });
const waiters = new Map(); // item id -> resolve, for a screen waiting on its own item
let timer = null;

function move(item, state, changes = {}) {
  if (!STATES[item.state].next.includes(state)) throw new Error(`queue: ${item.state} -> ${state}`);
  Object.assign(item, changes, { state, updated_at: new Date().toISOString() });
}

async function save(item) {
  // The raw object (Blobs included) is what IndexedDB stores; the reactive proxy cannot be cloned.
  await idb.put("queue", toRaw(item));
}

export async function load() {
  const stored = await idb.all("queue");
  for (const item of stored) {
    if (item.state === "sending") item.state = "queued"; // the page closed mid-send: the key makes it safe
  }
  queue.items = stored.filter((item) => item.state !== "sent").sort((a, b) => a.id - b.id);
}

export function mine() {
  return session.user ? queue.items.filter((item) => item.user_id === session.user.id) : [];
}

export function pendingCount() {
  return mine().filter((item) => item.state === "queued" || item.state === "sending").length;
}

/**
 * Put a request in the queue. kind: "visit" (photos: Blobs sent after it) or "request" (one call).
 * Returns the stored item.
 */
export async function enqueue({ kind, label, method = "POST", path, body, photos = [], key = newKey() }) {
  const item = {
    kind, label, method, path, body, key, state: "queued", attempts: 0, next_at: 0,
    reason: null, result: null, user_id: session.user.id, created_at: new Date().toISOString(),
    photos: photos.map((blob) => ({ blob, key: newKey(), photo_id: null })),
  };
  item.id = await idb.put("queue", item);
  queue.items.push(item);
  return queue.items[queue.items.length - 1];
}

/** Resolves when the item is sent or refused (or stays queued because the network is down). */
export function settle(item) {
  return new Promise((resolve) => {
    waiters.set(item.id, resolve);
    flush();
  });
}

function notify(item) {
  const resolve = waiters.get(item.id);
  if (resolve) {
    waiters.delete(item.id);
    resolve(item);
  }
}

async function sendOne(item) {
  if (item.kind === "visit") {
    if (!item.result) {
      const { data } = await send(item.method, item.path, { body: item.body, key: item.key });
      item.result = { id: data.id, problem_ids: data.problem_ids || [] };
      await save(item);
    }
    for (const photo of item.photos) {
      if (photo.photo_id) continue;
      const form = new FormData();
      form.append("file", photo.blob, "photo.jpg");
      const { data } = await send("POST", `/visits/${item.result.id}/photos`, { form, key: photo.key });
      photo.photo_id = data.id;
      await save(item);
    }
  } else {
    const { data } = await send(item.method, item.path, { body: item.body, key: item.key });
    item.result = { id: data?.id ?? null };
  }
}

async function flushOnce() {
  for (const item of mine()) {
    if (item.state !== "queued") continue; // refused ones wait for the user; later items go on
    if (!navigator.onLine || !session.access) break;
    if (item.next_at > Date.now()) {
      schedule(item.next_at - Date.now());
      break; // in order: nothing overtakes an item that waits for its retry
    }
    move(item, "sending");
    try {
      await sendOne(item);
      move(item, "sent", { reason: null });
      await save(item);
      queue.items.splice(queue.items.indexOf(item), 1);
      await idb.delete("queue", item.id);
      notify(item);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.retryable || error.status === 401) {
        const attempts = item.attempts + 1;
        const wait = error.retryAfter ? error.retryAfter * 1000 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** item.attempts);
        move(item, "queued", { attempts, next_at: error.status === 401 ? 0 : Date.now() + wait, reason: null });
        await save(item);
        notify(item);
        if (error.status !== 401) schedule(wait);
        break;
      }
      move(item, "refused", { reason: error.message, refused_status: error.status });
      await save(item);
      notify(item);
    }
  }
}

let again = false;

export async function flush() {
  if (queue.flushing) {
    again = true; // something was queued meanwhile: one more pass when this one ends
    return;
  }
  queue.flushing = true;
  try {
    do {
      again = false;
      // One sender at a time, across the tabs of this browser too.
      if (navigator.locks) await navigator.locks.request("lqt-queue", flushOnce);
      else await flushOnce();
    } while (again);
  } finally {
    queue.flushing = false;
  }
  // Whoever waits on an item that could not be sent now (offline, signed out) hears it stays queued.
  for (const item of mine()) if (item.state === "queued" && waiters.has(item.id)) notify(item);
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(flush, Math.max(200, ms));
}

/** A refused item, corrected by the user: a new body means a new Idempotency-Key. */
export async function correct(item, body) {
  move(item, "queued", { body, key: newKey(), attempts: 0, next_at: 0, reason: null });
  await save(item);
  flush();
}

/** Send a refused item again (after the cause was fixed elsewhere); the server replays a key's answer, so a new one. */
export async function retry(item) {
  move(item, "queued", { key: newKey(), attempts: 0, next_at: 0, reason: null });
  await save(item);
  flush();
}

export async function discard(item) {
  move(item, "discarded");
  queue.items.splice(queue.items.indexOf(item), 1);
  await idb.delete("queue", item.id);
}

export function watchNetwork() {
  window.addEventListener("online", () => { queue.online = true; flush(); });
  window.addEventListener("offline", () => { queue.online = false; });
}
