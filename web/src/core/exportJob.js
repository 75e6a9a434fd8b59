// 导出任务: an export button starts a job on the server (POST /exports with the list's filters), follows its
// progress (GET /exports/{id}: done of total rows) and downloads the file once the worker has written it.
// Large ledgers take minutes; the page stays usable and shows the progress meanwhile.
import { reactive } from "./vue.js";
import { api } from "./api.js";
import { download } from "./download.js";

const POLL_MS = [300, 600, 1000, 1500, 2000]; // quick for small exports, then every 2 s

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function filtersOf(query) {
  return Object.fromEntries(Object.entries(query || {}).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

/** Starts an export of `ledger` (problems, visits, tasks, arrears) as `format`; calls onProgress(job) after
 * every poll; resolves to {name, size} of the downloaded file; rejects with the server's reason. */
export async function exportJob({ ledger, format = "xlsx", filters = {}, fallback = "export", onProgress }) {
  let job = await api.post("/exports", { ledger, format, filters: filtersOf(filters) });
  onProgress?.(job);
  for (let n = 0; job.state === "queued" || job.state === "running"; n += 1) {
    await sleep(POLL_MS[Math.min(n, POLL_MS.length - 1)]);
    job = await api.get(`/exports/${job.id}`);
    onProgress?.(job);
  }
  if (job.state !== "done") throw new Error(job.error || (job.state === "expired" ? "导出文件已过期，请重新导出" : "导出失败"));
  return download(`/exports/${job.id}/file`, {}, fallback);
}

/** The state of one screen's export: which format runs, and the job's progress for the progress bar. */
export function exportState() {
  const state = reactive({ format: "", job: null });
  state.run = async (options) => {
    state.format = options.format || "xlsx";
    state.job = null;
    try {
      return await exportJob({ ...options, onProgress: (job) => { state.job = job; } });
    } finally {
      state.format = "";
      state.job = null;
    }
  };
  return state;
}
