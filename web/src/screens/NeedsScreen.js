// 对接: the needs of the caller's enterprise(s) with their status, and the ways to publish one or find the other side.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { date } from "../core/format.js";
import { needSummary } from "../core/needs.js";

export default defineComponent({
  name: "NeedsScreen",
  setup() {
    const needs = ref(null);
    const message = ref("");
    api.all("/needs").then((items) => { needs.value = items; }, (f) => { message.value = f.message; });
    return () => h("section", [
      h("div", { class: "card actions-row" }, [
        h("a", { class: "button-link primary", href: "/app/needs/new" }, "发布需求"),
        h("a", { class: "button-link", href: "/app/catalogue" }, "供需目录"),
      ]),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      needs.value === null ? h("p", { class: "muted" }, "正在加载…") : needs.value.length === 0
        ? h("p", { class: "card muted" }, "还没有发布需求。")
        : h("ul", { class: "plain", "aria-label": "我的需求" }, needs.value.map((n) => h("li", { key: n.id, class: "card" }, [
          h("a", { href: `/app/needs/${n.id}` }, [h("strong", `${label("need_kind", n.kind)}需求`), ` · ${n.enterprise_name}`]),
          h("p", needSummary(n)),
          h("p", { class: "muted" }, [h("span", { class: "status" }, label("need_status", n.status)), ` · 发布于 ${date(n.created_at)}`]),
        ]))),
    ]);
  },
});
