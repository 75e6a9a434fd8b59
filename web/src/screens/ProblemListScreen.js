// 我的问题 (liaison: the problems they filed) and 我的诉求 (enterprise: its problems), newest first,
// status in plain words. Read from the synced copy.
import { computed, defineComponent, h, vant } from "../core/vue.js";
import { ensure, synced } from "../core/sync.js";
import { session } from "../core/session.js";
import { navigate } from "../core/router.js";
import ProblemRow from "../components/ProblemRow.js";
import SyncNotice from "../components/SyncNotice.js";

export default defineComponent({
  name: "ProblemListScreen",
  setup() {
    ensure();
    const isEnterprise = session.user.role === "enterprise";
    const names = computed(() => new Map((synced.data?.enterprises || []).map((e) => [e.id, e.name])));
    const rows = computed(() => (synced.data?.problems || [])
      .filter((p) => isEnterprise || p.events?.[0]?.actor?.id === session.user?.id)
      .sort((a, b) => (b.updated_at || "").localeCompare(a.updated_at || "")));
    return () => h("section", [
      h(SyncNotice),
      isEnterprise ? h("div", { class: "toolbar" }, [
        h(vant.Button, { type: "primary", onClick: () => navigate("/app/requests/new") }, () => "提交诉求"),
      ]) : null,
      !synced.data && synced.loading ? h(vant.Skeleton, { title: true, row: 6 }) : null,
      synced.data && !rows.value.length ? h(vant.Empty, { description: isEnterprise ? "还没有提交过诉求" : "还没有登记过问题" }) : null,
      h("ul", { class: "list", "aria-label": isEnterprise ? "我的诉求" : "我登记的问题" },
        rows.value.map((p) => h(ProblemRow, { problem: p, key: p.id, enterpriseName: isEnterprise ? "" : names.value.get(p.enterprise_id) || "" }))),
    ]);
  },
});
