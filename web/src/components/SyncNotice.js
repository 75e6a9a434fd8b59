// Marks data read from the local copy: shown while offline or when the last sync failed.
import { defineComponent, h } from "../core/vue.js";
import { synced } from "../core/sync.js";
import { dateTime } from "../core/format.js";

export default defineComponent({
  name: "SyncNotice",
  setup() {
    return () => (synced.stale && synced.syncedAt
      ? h("p", { class: "stale", role: "status" }, `离线数据，同步于 ${dateTime(synced.syncedAt)}`)
      : synced.stale ? h("p", { class: "stale", role: "status" }, "离线，尚无已同步的数据") : null);
  },
});
