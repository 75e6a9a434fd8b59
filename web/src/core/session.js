// The signed-in user and their tokens. Kept in localStorage so that a reload stays signed in; the
// access token is refreshed a minute before it expires. When the server no longer accepts the
// session (a 401 after a refresh), `expired` is set: the shell shows the sign-in form over the screen,
// so what the user was typing stays where it was.
import { reactive } from "./vue.js";
import { newKey, send } from "./api.js";

const STORE = "lqt.session";
export const session = reactive({ access: null, refresh: null, expiresAt: 0, user: null, expired: false });
let timer = null;
let refreshing = null;

function save() {
  if (session.access) {
    localStorage.setItem(STORE, JSON.stringify({ access: session.access, refresh: session.refresh,
                                                 expiresAt: session.expiresAt, user: session.user }));
  } else {
    localStorage.removeItem(STORE);
  }
}

function schedule() {
  clearTimeout(timer);
  if (!session.refresh || !session.expiresAt) return;
  const wait = Math.max(5_000, session.expiresAt - Date.now() - 60_000);
  timer = setTimeout(() => refreshTokens().catch(() => {}), wait);
}

function store(tokens) {
  session.access = tokens.access_token;
  session.refresh = tokens.refresh_token;
  session.expiresAt = Date.now() + (tokens.expires_in || 900) * 1000;
  if (tokens.user) session.user = tokens.user;
  session.expired = false;
  save();
  schedule();
}

export function restore() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "null");
    if (saved?.access) Object.assign(session, saved, { expired: false });
  } catch {
    localStorage.removeItem(STORE);
  }
  schedule();
  // Another tab refreshed or signed out: follow it (a refresh token is good for one use only).
  window.addEventListener("storage", (event) => {
    if (event.key !== STORE) return;
    const saved = JSON.parse(event.newValue || "null");
    if (saved?.access) Object.assign(session, saved, { expired: false });
    else Object.assign(session, { access: null, refresh: null, expiresAt: 0, user: null });
    schedule();
  });
}

export async function signIn(username, password, otp) {
  const body = { username, password };
  if (otp) body.otp = otp;
  const { data } = await send("POST", "/auth/login", { body, auth: false });
  store(data);
  return data.user;
}

export function refreshTokens() {
  if (!session.refresh) return Promise.reject(new Error("no refresh token"));
  if (!refreshing) {
    const token = session.refresh;
    const run = async () => {
      // Only one tab may spend the refresh token.
      const latest = JSON.parse(localStorage.getItem(STORE) || "null");
      if (latest?.refresh && latest.refresh !== token) {
        Object.assign(session, latest);
        schedule();
        return;
      }
      const response = await fetch("/api/v1/auth/refresh", {
        method: "POST", headers: { Authorization: `Bearer ${token}`, Accept: "application/json", "Idempotency-Key": newKey() },
        credentials: "omit", cache: "no-store",
      });
      if (response.status === 401) {
        sessionEnded();
        throw new Error("refresh refused");
      }
      if (!response.ok) throw new Error(`refresh failed: ${response.status}`);
      store(await response.json());
    };
    const exclusive = navigator.locks ? navigator.locks.request("lqt-refresh", run) : run();
    refreshing = exclusive.finally(() => { refreshing = null; });
  }
  return refreshing;
}

export function sessionEnded() {
  if (!session.user) return;
  session.access = null;
  session.refresh = null;
  session.expiresAt = 0;
  session.expired = true;
  clearTimeout(timer);
  localStorage.setItem(STORE, JSON.stringify({ user: session.user }));
}

export async function signOut() {
  const { access, refresh } = session;
  clearTimeout(timer);
  Object.assign(session, { access: null, refresh: null, expiresAt: 0, user: null, expired: false });
  save();
  if (!access) return;
  // Revokes the access token and the refresh token (the API module would refresh a dead session first).
  const response = await fetch("/api/v1/auth/logout", {
    method: "POST", credentials: "omit", cache: "no-store",
    headers: { Authorization: `Bearer ${access}`, "Content-Type": "application/json", Accept: "application/json",
               "Idempotency-Key": newKey() },
    body: JSON.stringify(refresh ? { refresh_token: refresh } : {}),
  });
  if (!response.ok && response.status !== 401) throw new Error(`logout failed: ${response.status}`);
}
