// Chinese labels of every enum value (GET /meta/enums) and the region list (GET /regions), read once
// and kept for offline use. Labels are never written into the client.
import { reactive } from "./vue.js";
import { api } from "./api.js";
import { idb } from "./db.js";

export const labels = reactive({ enums: {}, regions: [], ready: false, error: null });
let loading = null;

export function loadLabels() {
  if (!loading) {
    loading = (async () => {
      const cached = await idb.get("cache", "reference").catch(() => null);
      if (cached) Object.assign(labels, cached, { ready: true });
      try {
        const [enums, regionList] = await Promise.all([api.get("/meta/enums"), api.all("/regions")]);
        Object.assign(labels, { enums, regions: regionList, ready: true, error: null });
        await idb.put("cache", JSON.parse(JSON.stringify({ enums, regions: regionList })), "reference");
      } catch (error) {
        labels.error = error.message;
        loading = null; // try again next time
      }
    })();
  }
  return loading;
}

/** The Chinese label of an enum value; the value itself only if the server has none. */
export function label(group, value) {
  if (value === null || value === undefined || value === "") return "";
  return labels.enums[group]?.[value] ?? String(value);
}

/** [{value, text}] of an enum, in the server's order. */
export function options(group) {
  return Object.entries(labels.enums[group] || {}).map(([value, text]) => ({ value, text }));
}

export function regionName(id) {
  return labels.regions.find((region) => region.id === id)?.name || "";
}

/** Whether a region is `rootId` or lies under it (from the region list's parent ids). */
export function inSubtree(regionId, rootId) {
  let current = labels.regions.find((region) => region.id === regionId);
  for (let hops = 0; current && hops < 10; hops += 1) {
    if (current.id === rootId) return true;
    current = labels.regions.find((region) => region.id === current.parent_id);
  }
  return false;
}
