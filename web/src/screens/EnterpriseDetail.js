// 企业详情: facts, open problems, the last visits and the current 一企一策 plan (from the synced copy).
import { computed, defineComponent, h, vant } from "../core/vue.js";
import { ensure, synced } from "../core/sync.js";
import { route, navigate } from "../core/router.js";
import { label } from "../core/labels.js";
import { date, dateTime } from "../core/format.js";
import SyncNotice from "../components/SyncNotice.js";
import ProblemRow from "../components/ProblemRow.js";

const OPEN = new Set(["pending", "in_progress", "awaiting_info", "resolved"]);

function fact(term, value) {
  return value === null || value === undefined || value === "" ? null : [h("dt", term), h("dd", String(value))];
}

export default defineComponent({
  name: "EnterpriseDetail",
  setup() {
    ensure();
    const id = Number(route.params.id);
    const enterprise = computed(() => synced.data?.enterprises.find((e) => e.id === id));
    const problems = computed(() => (synced.data?.problems || []).filter((p) => p.enterprise_id === id && OPEN.has(p.status)));
    const visits = computed(() => (synced.data?.visits || []).filter((v) => v.enterprise_id === id)
      .sort((a, b) => b.visited_at.localeCompare(a.visited_at)).slice(0, 5));
    const plan = computed(() => (synced.data?.plans || []).filter((p) => p.enterprise_id === id)
      .sort((a, b) => b.version - a.version)[0]);

    return () => {
      const e = enterprise.value;
      if (!e) return h("section", [h(SyncNotice), synced.loading ? h(vant.Skeleton, { title: true, row: 6 }) : h(vant.Empty, { description: "企业不在您的联系范围内" })]);
      return h("section", [
        h(SyncNotice),
        h("div", { class: "card" }, [
          h("h2", e.name),
          h("dl", { class: "facts" }, [
            fact("经营状态", label("operating_status", e.operating_status)),
            fact("统一社会信用代码", e.credit_code),
            fact("主体类型", label("entity_type", e.entity_type)),
            fact("企业规模", label("scale", e.scale)),
            fact("所属行业", label("industry", e.industry)),
            fact("在岗人数", e.employees),
            fact("地址", e.address),
            fact("联系人", e.contact_name),
            fact("联系电话", e.contact_phone),
            fact("标签", (e.tags || []).map((t) => label("tag", t)).join("、")),
          ].flat().filter(Boolean)),
          h(vant.Button, { type: "primary", block: true, onClick: () => navigate(`/app/visits/new?enterprise=${e.id}`) }, () => "走访登记"),
        ]),
        h("div", { class: "card" }, [
          h("h3", `未办结问题（${problems.value.length}）`),
          problems.value.length ? h("ul", { class: "list" }, problems.value.map((p) => h(ProblemRow, { problem: p, key: p.id })))
            : h("p", { class: "muted" }, "没有未办结的问题"),
        ]),
        h("div", { class: "card" }, [
          h("h3", "最近走访"),
          visits.value.length ? h("ul", { class: "plain" }, visits.value.map((v) => h("li", { key: v.id }, [
            h("strong", `${dateTime(v.visited_at)} ${label("visit_method", v.method)}`),
            h("p", v.summary),
          ]))) : h("p", { class: "muted" }, "尚无走访记录"),
        ]),
        h("div", { class: "card" }, [
          h("h3", "一企一策"),
          plan.value ? [
            h("p", [h("span", { class: "tag" }, label("plan_status", plan.value.status)), ` 第 ${plan.value.version} 版`]),
            h("p", plan.value.situation),
            h("ul", { class: "plain" }, (plan.value.measures || []).map((m, i) => h("li", { key: i },
              `${m.content}（${label("measure_status", m.status)}${m.due_date ? `，${date(m.due_date)}前` : ""}）`))),
          ] : h("p", { class: "muted" }, "尚未制定"),
        ]),
      ]);
    };
  },
});
