// Matched policies with the reasons they apply and whom to call; near misses with what is missing.
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { date } from "../core/format.js";

export default defineComponent({
  name: "PolicyList",
  props: { result: { type: Object, required: true } },
  setup(props) {
    const card = (policy, lines, kind) => h("li", { class: ["card", "policy", kind], key: policy.id }, [
      h("h3", policy.title),
      h("p", { class: "meta" }, [h("span", { class: "tag" }, label("benefit_type", policy.benefit_type)), h("span", policy.issuer)]),
      h("p", policy.summary),
      h("p", { class: "reasons" }, `${kind === "matched" ? "符合条件" : "尚不符合"}：${[lines].flat().join("；")}`),
      h("p", [`咨询：${policy.contact_office || "—"} `, policy.contact_phone ? h("a", { href: `tel:${policy.contact_phone}` }, policy.contact_phone) : null]),
      policy.materials?.length ? h("p", { class: "muted" }, `所需材料：${policy.materials.join("、")}`) : null,
      policy.valid_to ? h("p", { class: "muted" }, `有效期至 ${date(policy.valid_to)}`) : null,
    ]);
    return () => h("div", [
      h("h2", { class: "section-title" }, `可享受的政策（${props.result.matched.length}）`),
      props.result.matched.length ? h("ul", { class: "plain", "aria-label": "可享受的政策" },
        props.result.matched.map((m) => card(m.policy, m.reasons, "matched"))) : h("p", { class: "muted" }, "暂未匹配到政策"),
      props.result.near_misses?.length ? [
        h("h2", { class: "section-title" }, "差一点就能享受"),
        h("ul", { class: "plain", "aria-label": "差一点就能享受的政策" }, props.result.near_misses.map((m) => card(m.policy, m.failed, "near-miss"))),
      ] : null,
    ]);
  },
});
