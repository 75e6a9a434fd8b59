// 融资需求 (institutions' inbox): open financing needs of the institution's service regions and those it offered
// on — enterprise, industry, scale, county, amount, term, purpose, guarantee (contacts once its offer is
// accepted) — with 提出授信意向 and, on an accepted offer, 登记放款.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { localDate } from "../core/format.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import InlineForm from "../components/InlineForm.js";

export default defineComponent({
  name: "FinancingScreen",
  setup() {
    const rows = ref(null);
    const error = ref("");
    const form = ref(null); // {kind: "offer"|"outcome", need, offer?}
    const load = async () => {
      try {
        const needs = await api.all("/needs", { kind: "financing" });
        rows.value = await Promise.all(needs.map((n) => api.get(`/needs/${n.id}`)));
      } catch (failure) {
        error.value = failure.message;
      }
    };
    load();
    const done = async () => { form.value = null; await load(); };
    const mine = (n) => n.offers.find((o) => ["open", "accepted", "granted", "declined"].includes(o.status)) || n.offers[0];
    const offerForm = (n) => h(InlineForm, { title: `提出授信意向：${n.enterprise_name}`, onDone: done, onCancel: () => { form.value = null; },
      fields: [
        { name: "amount_10k", label: "授信金额（万元）", type: "number", required: true, value: n.details.amount_10k },
        { name: "rate_pct", label: "年利率（%）", type: "number", required: true },
        { name: "term_months", label: "期限（月）", type: "number", required: true, value: n.details.term_months },
        { name: "note", label: "说明", type: "textarea" }],
      send: (v) => api.post(`/needs/${n.id}/offers`, { amount_10k: Number(v.amount_10k), rate_pct: Number(v.rate_pct),
        term_months: Number(v.term_months), note: v.note }) });
    const outcomeForm = (n, o) => h(InlineForm, { title: `登记放款：${n.enterprise_name}`, onDone: done, onCancel: () => { form.value = null; },
      fields: [
        { name: "granted", label: "结果", type: "select", required: true, value: "yes",
          options: [{ value: "yes", text: "已放款" }, { value: "no", text: "未获批" }] },
        { name: "amount_10k", label: "放款金额（万元）", type: "number", required: true, value: o.amount_10k, when: (v) => v.granted === "yes" },
        { name: "granted_on", label: "放款日期", type: "date", required: true, value: localDate(), when: (v) => v.granted === "yes" },
        { name: "reason", label: "未获批原因", type: "textarea", required: true, when: (v) => v.granted === "no" }],
      send: (v) => api.post(`/offers/${o.id}/outcome`, v.granted === "yes"
        ? { granted: true, amount_10k: Number(v.amount_10k), granted_on: v.granted_on } : { granted: false, reason: v.reason }) });
    return () => h(DeskPage, { title: "融资需求" }, {
      default: () => {
        if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
        if (rows.value === null) return h(EP.ElSkeleton, { rows: 6, animated: true });
        return [
          h("table", { class: "ledger" }, [
            h("caption", { class: "visually-hidden" }, "融资需求列表"),
            h("thead", h("tr", ["企业", "行业", "规模", "县区", "金额（万元）", "期限", "用途", "担保方式", "需求状态", "本机构意向", "联系人", "操作"]
              .map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", rows.value.map((n) => {
              const o = mine(n);
              const d = n.details;
              return h("tr", { key: n.id }, [
                h("td", h("a", { href: `/app/needs/${n.id}` }, n.enterprise_name)), h("td", label("industry", n.industry)),
                h("td", label("scale", n.scale)), h("td", n.region_name), h("td", String(d.amount_10k)), h("td", `${d.term_months} 个月`),
                h("td", d.purpose), h("td", label("guarantee", d.guarantee)), h("td", label("need_status", n.status)),
                h("td", o ? `${label("offer_status", o.status)}（${o.amount_10k} 万元，${o.rate_pct}%）` : "—"),
                h("td", n.contact ? `${n.contact.name} ${n.contact.phone}` : "接受后可见"),
                h("td", [
                  n.allowed_actions.includes("offer") ? h(EP.ElButton, { size: "small", type: "primary", "aria-label": `提出授信意向 ${n.enterprise_name}`,
                    onClick: () => { form.value = { kind: "offer", need: n }; } }, () => "提出授信意向") : null,
                  o?.allowed_actions.includes("outcome") ? h(EP.ElButton, { size: "small", type: "primary", "aria-label": `登记放款 ${n.enterprise_name}`,
                    onClick: () => { form.value = { kind: "outcome", need: n, offer: o }; } }, () => "登记放款") : null,
                ]),
              ]);
            })),
          ]),
          rows.value.length === 0 ? h("p", { class: "notice" }, "服务区域内暂无融资需求。") : null,
          form.value?.kind === "offer" ? offerForm(form.value.need) : null,
          form.value?.kind === "outcome" ? outcomeForm(form.value.need, form.value.offer) : null,
        ];
      },
    });
  },
});
