// 我的企业: the liaison's assigned enterprises with operating status and days since the last visit,
// the overdue ones (never visited, or more than 30 days ago) first. Read from the synced copy.
import { computed, defineComponent, h, vant } from "../core/vue.js";
import { ensure, synced } from "../core/sync.js";
import { session } from "../core/session.js";
import { label } from "../core/labels.js";
import { daysSince, shortDateTime } from "../core/format.js";
import { navigate } from "../core/router.js";
import SyncNotice from "../components/SyncNotice.js";

export const VISIT_DUE_DAYS = 30; // the server's no-visit warning uses the same period

export function assignedEnterprises(data, userId, now = Date.now()) {
  if (!data) return [];
  const assigned = new Set(data.assignments.filter((a) => a.user_id === userId && !a.ended_on).map((a) => a.enterprise_id));
  const last = new Map();
  for (const visit of data.visits) {
    if ((last.get(visit.enterprise_id) || "") < visit.visited_at) last.set(visit.enterprise_id, visit.visited_at);
  }
  return data.enterprises.filter((e) => assigned.has(e.id)).map((e) => {
    const lastVisit = last.get(e.id) || null;
    const days = daysSince(lastVisit, now);
    return { ...e, lastVisit, days, overdue: days === null || days > VISIT_DUE_DAYS };
  }).sort((a, b) => (b.overdue - a.overdue) || ((b.days ?? 1e9) - (a.days ?? 1e9)) || a.name.localeCompare(b.name, "zh"));
}

export default defineComponent({
  name: "MyEnterprises",
  setup() {
    ensure();
    const rows = computed(() => assignedEnterprises(synced.data, session.user?.id));
    const visit = (id) => navigate(id ? `/app/visits/new?enterprise=${id}` : "/app/visits/new");
    return () => h("section", [
      h(SyncNotice),
      h("div", { class: "toolbar" }, [
        h(vant.Button, { type: "primary", onClick: () => visit(null) }, () => "走访登记"),
      ]),
      !synced.data && synced.loading ? h(vant.Skeleton, { title: true, row: 6 }) : null,
      synced.data && !rows.value.length ? h(vant.Empty, { description: "暂无分包企业" }) : null,
      h("ul", { class: "list", "aria-label": "分包企业" }, rows.value.map((e) => h("li", { class: "list-item", key: e.id }, [
        h("div", { class: "list-main" }, [
          h("a", { href: `/app/enterprises/${e.id}`, class: "list-title" }, e.name),
          h("p", { class: "meta" }, [
            h("span", { class: "tag" }, label("operating_status", e.operating_status)),
            h("span", e.days === null ? "从未走访" : `距上次走访 ${e.days} 天`),
            e.lastVisit ? h("span", { class: "muted" }, shortDateTime(e.lastVisit)) : null,
            e.overdue ? h("span", { class: "overdue" }, "超期未走访") : null,
          ]),
        ]),
        h(vant.Button, { size: "small", type: "primary", plain: true, onClick: () => visit(e.id) }, () => "走访登记"),
      ]))),
    ]);
  },
});
