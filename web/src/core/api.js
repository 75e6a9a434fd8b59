// The one module that speaks HTTP. Base URL, tokens and their refresh, If-Match from the last ETag,
// an Idempotency-Key on every POST, problem+json turned into a Chinese message. Screens call
// api.get/post/put/patch; they never call fetch.
import { session, refreshTokens, sessionEnded } from "./session.js";

export const BASE = "/api/v1";
const etags = new Map(); // path -> the ETag of its last GET, exactly as received

const STATUS_MESSAGES = {
  400: "请求有误", 401: "登录已失效，请重新登录", 403: "没有权限进行此操作", 404: "要找的内容不存在或无权查看",
  409: "数据已被他人修改，请刷新后重试", 410: "链接已失效", 412: "数据已被他人修改，请刷新后重试",
  413: "文件或内容过大", 415: "文件格式不支持", 422: "填写的内容有误", 423: "账号已锁定",
  428: "请刷新后重试", 429: "操作太频繁，请稍后再试",
};

export class ApiError extends Error {
  constructor({ status = 0, problem = null, offline = false, retryAfter = null } = {}) {
    super(messageFor(status, problem, offline));
    this.status = status;
    this.problem = problem;
    this.code = problem?.code || (offline ? "offline" : null);
    this.fieldErrors = problem?.errors || {};
    this.offline = offline;
    this.retryAfter = retryAfter;
  }
  // Worth sending again later: no network, a busy or failing server, a request still running.
  get retryable() {
    return this.offline || this.status >= 500 || this.status === 429 || this.code === "request_in_progress";
  }
}

function messageFor(status, problem, offline) {
  if (offline) return "网络不可用，已保存的内容会在联网后发送";
  if (problem && typeof problem.detail === "string" && problem.detail) {
    const fields = Object.values(problem.errors || {}).flat().filter((m) => typeof m === "string");
    const extra = fields.filter((m) => m !== problem.detail);
    return extra.length ? `${problem.detail}：${extra.join("；")}` : problem.detail;
  }
  if (status >= 500) return "服务暂时不可用，请稍后再试";
  return STATUS_MESSAGES[status] || `请求失败（${status}）`;
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A single object's ETag is its version, "<version>"; compression may decorate it (W/"3", "3:gzip",
// "3-gzip"). The plain version form is what the server always accepts while that version is current.
function versionTag(etag) {
  const found = /^(?:W\/)?"(\d+)(?:[:-]gzip)?"$/.exec(etag.trim());
  return found ? `"${found[1]}"` : etag;
}

export function etagOf(path) {
  return etags.get(path) || null;
}

function urlFor(path, query) {
  const url = new URL(BASE + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  return url.pathname + url.search;
}

/**
 * One request. Options: query, body (JSON), form (FormData), ifMatch (true = the last ETag of the
 * path, or a value), key (the Idempotency-Key; a new one per POST otherwise), auth (false: no token).
 * Resolves to {data, status, headers, replayed}; rejects with ApiError.
 */
export async function send(method, path, options = {}) {
  const { query, body, form, auth = true } = options;
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method === "POST") headers["Idempotency-Key"] = options.key || newKey();
  const ifMatch = options.ifMatch === true ? etagOf(path) : options.ifMatch;
  if (ifMatch) headers["If-Match"] = ifMatch;
  const attempt = async () => {
    if (auth && session.access) {
      if (session.expiresAt && Date.now() > session.expiresAt - 30_000) await refreshTokens().catch(() => {});
      if (session.access) headers.Authorization = `Bearer ${session.access}`;
    }
    try {
      return await fetch(urlFor(path, query), {
        method, headers, body: form || (body !== undefined ? JSON.stringify(body) : undefined),
        credentials: "omit", cache: "no-store",
      });
    } catch (error) {
      throw new ApiError({ offline: true });
    }
  };
  let response = await attempt();
  if (response.status === 401 && auth && headers.Authorization) {
    // The access token may have expired in between: refresh once, then give up on the session.
    const refreshed = await refreshTokens().then(() => true, () => false);
    if (refreshed) response = await attempt();
    if (response.status === 401) sessionEnded();
  }
  return read(method, path, response);
}

async function read(method, path, response) {
  const type = response.headers.get("Content-Type") || "";
  let data = null;
  if (response.status !== 204 && response.status !== 304) {
    if (type.includes("json")) data = await response.json().catch(() => null);
    else if (!response.ok) await response.text().catch(() => "");
    else data = await response.blob();
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError({ status: response.status, problem: type.includes("problem+json") ? data : null, retryAfter });
  }
  const etag = response.headers.get("ETag");
  if (etag && method === "GET") etags.set(path, versionTag(etag));
  return { data, status: response.status, headers: response.headers, replayed: response.headers.get("Idempotent-Replayed") === "true" };
}

export const api = {
  get: (path, query, options = {}) => send("GET", path, { ...options, query }).then((r) => r.data),
  post: (path, body = {}, options = {}) => send("POST", path, { ...options, body }).then((r) => r.data),
  put: (path, body, options = {}) => send("PUT", path, { ...options, body }).then((r) => r.data),
  patch: (path, body, options = {}) => send("PATCH", path, { ...options, body, ifMatch: options.ifMatch ?? true }).then((r) => r.data),
  upload: (path, file, options = {}) => {
    const form = new FormData();
    form.append("file", file, file.name || "photo.jpg");
    return send("POST", path, { ...options, form });
  },
  // Every page of a cursor-paged list.
  async all(path, query = {}) {
    const items = [];
    let cursor = null;
    do {
      const page = await api.get(path, { ...query, limit: 100, cursor });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  },
  // A photo or export needs the token, so it is fetched and shown as an object URL.
  async blobUrl(url) {
    const path = url.startsWith(BASE) ? url.slice(BASE.length) : url;
    const { data } = await send("GET", path);
    return URL.createObjectURL(data);
  },
};
