// 需求详情: the need, its contact when the caller may see it, its offers (接受, 登记放款), its matches (确认对接,
// 婉拒, 报告结果), placements (登记招聘), candidates (查看匹配对象) and its timeline. Each button is shown only
// when the server lists the action for the caller.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { route } from "../core/router.js";
import { localDate, shortDateTime } from "../core/format.js";
import { needSummary, needTitle } from "../core/needs.js";
import InlineForm from "../components/InlineForm.js";

export default defineComponent({
  name: "NeedScreen",
  setup() {
    const id = route.params.id;
    const need = ref(null);
    const candidates = ref(null);
    const form = ref(null); // which step's form is open: "offer" | "withdraw" | "placement" | ["outcome", id] | ["report", id]
    const message = ref("");
    const load = () => api.get(`/needs/${id}`).then((n) => { need.value = n; }, (f) => { message.value = f.message; });
    load();
    const after = async () => { form.value = null; await load(); };
    const act = (path) => async () => {
      message.value = "";
      try {
        await api.post(path, {});
        await load();
      } catch (failure) {
        message.value = failure.message;
        await load();
      }
    };
    const openForm = (key) => () => { form.value = key; };
    const close = () => { form.value = null; };
    const is = (key, ident) => (Array.isArray(form.value) ? form.value[0] === key && form.value[1] === ident : form.value === key);

    const offerForm = () => h(InlineForm, { title: "提出授信意向", onDone: after, onCancel: close, fields: [
      { name: "amount_10k", label: "授信金额（万元）", type: "number", required: true, value: need.value.details.amount_10k ?? "" },
      { name: "rate_pct", label: "年利率（%）", type: "number", required: true },
      { name: "term_months", label: "期限（月）", type: "number", required: true, value: need.value.details.term_months ?? "" },
      { name: "note", label: "说明", type: "textarea" }],
    send: (v) => api.post(`/needs/${id}/offers`, { amount_10k: Number(v.amount_10k), rate_pct: Number(v.rate_pct),
      term_months: Number(v.term_months), note: v.note }) });
    const outcomeForm = (offer) => h(InlineForm, { title: "登记放款", onDone: after, onCancel: close, fields: [
      { name: "granted", label: "结果", type: "select", required: true, value: "yes",
        options: [{ value: "yes", text: "已放款" }, { value: "no", text: "未获批" }] },
      { name: "amount_10k", label: "放款金额（万元）", type: "number", required: true, value: offer.amount_10k ?? "", when: (v) => v.granted === "yes" },
      { name: "granted_on", label: "放款日期", type: "date", required: true, value: localDate(), when: (v) => v.granted === "yes" },
      { name: "reason", label: "未获批原因", type: "textarea", required: true, when: (v) => v.granted === "no" }],
    send: (v) => api.post(`/offers/${offer.id}/outcome`, v.granted === "yes"
      ? { granted: true, amount_10k: Number(v.amount_10k), granted_on: v.granted_on } : { granted: false, reason: v.reason }) });
    const placementForm = () => h(InlineForm, { title: "登记招聘", onDone: after, onCancel: close, fields: [
      { name: "post_index", label: "岗位", type: "select", required: true,
        options: need.value.details.posts.map((p, i) => ({ value: i, text: `${p.title}（已招 ${p.placed}/${p.count}）` })) },
      { name: "placed", label: "到岗人数", type: "number", required: true },
      { name: "placed_on", label: "到岗日期", type: "date", required: true, value: localDate() }],
    send: (v) => api.post(`/needs/${id}/placements`, { post_index: Number(v.post_index), placed: Number(v.placed), placed_on: v.placed_on }) });
    const reportForm = (match) => h(InlineForm, { title: "报告对接结果", onDone: after, onCancel: close, fields: [
      { name: "outcome", label: "结果", type: "select", required: true, value: "signed", options: [
        { value: "signed", text: label("match_status", "signed") }, { value: "no_deal", text: label("match_status", "no_deal") }] },
      { name: "amount_10k", label: "签约金额（万元）", type: "number", required: true, when: (v) => v.outcome === "signed" }],
    send: (v) => api.post(`/matches/${match.id}/report`, v.outcome === "signed"
      ? { outcome: "signed", amount_10k: Number(v.amount_10k) } : { outcome: "no_deal" }) });
    const withdrawForm = () => h(InlineForm, { title: "撤回需求", onDone: after, onCancel: close,
      fields: [{ name: "reason", label: "撤回原因", type: "textarea" }], send: (v) => api.post(`/needs/${id}/withdraw`, v) });
    const showCandidates = async () => {
      try {
        candidates.value = (await api.get(`/needs/${id}/candidates`)).items;
      } catch (failure) {
        message.value = failure.message;
      }
    };
    const contact = (c) => (c ? `${c.name || ""} ${c.phone || ""}`.trim() : "确认对接后可见");

    return () => {
      const n = need.value;
      if (!n) return h("section", [message.value ? h("p", { class: "error", role: "alert" }, message.value) : h("p", { class: "muted" }, "正在加载…")]);
      const actions = n.allowed_actions || [];
      return h("section", [
        h("div", { class: "card" }, [
          h("h2", needTitle(n)),
          h("p", [h("span", { class: "status" }, label("need_status", n.status)), ` · ${n.region_name}`]),
          h("p", needSummary(n)),
          n.contact ? h("p", `联系人：${n.contact.name || ""} ${n.contact.phone || ""}`) : h("p", { class: "muted" }, "企业联系方式在授信意向被接受后可见"),
          n.problem_id ? h("p", [h("a", { href: `/app/problems/${n.problem_id}` }, "查看所附问题")]) : null,
          h("div", { class: "actions-row" }, [
            actions.includes("offer") ? h("button", { type: "button", class: "button-link primary", onClick: openForm("offer") }, "提出授信意向") : null,
            actions.includes("placement") ? h("button", { type: "button", class: "button-link primary", onClick: openForm("placement") }, "登记招聘") : null,
            ["supply", "sales"].includes(n.kind) && actions.includes("withdraw")
              ? h("button", { type: "button", class: "button-link", onClick: showCandidates }, "查看匹配对象") : null,
            actions.includes("withdraw") ? h("button", { type: "button", class: "button-link", onClick: openForm("withdraw") }, "撤回需求") : null,
          ]),
        ]),
        message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
        is("offer") ? offerForm() : null,
        is("placement") ? placementForm() : null,
        is("withdraw") ? withdrawForm() : null,
        candidates.value ? h("div", { class: "card" }, [h("h3", "匹配对象（就近优先）"), candidates.value.length
          ? h("ol", { "aria-label": "匹配对象" }, candidates.value.map((c) => h("li", { key: `${c.source}-${c.need_id}-${c.enterprise_id}` }, [
            h("strong", c.enterprise_name), c.product ? `：${c.product} ${c.quantity} ${c.unit}` : "（在册企业）",
            h("p", { class: "muted" }, c.reasons.join("；"))])))
          : h("p", { class: "muted" }, "暂无匹配对象")]) : null,
        n.offers?.length ? h("div", { class: "card" }, [h("h3", "授信意向"), h("ul", { class: "plain", "aria-label": "授信意向" }, n.offers.map((o) => h("li", { key: o.id }, [
          h("p", [h("strong", o.institution_name), ` · ${o.amount_10k ?? "—"} 万元 · 年利率 ${o.rate_pct}% · ${o.term_months} 个月 · `,
            h("span", { class: "status" }, label("offer_status", o.status))]),
          o.note ? h("p", { class: "muted" }, o.note) : null,
          o.closed_reason ? h("p", { class: "muted" }, o.closed_reason) : null,
          o.decline_reason ? h("p", { class: "muted" }, `未获批：${o.decline_reason}`) : null,
          o.granted_amount_10k ? h("p", `已放款 ${o.granted_amount_10k} 万元（${o.granted_on}）`) : null,
          o.allowed_actions.includes("accept") ? h("button", { type: "button", class: "button-link primary", "aria-label": `接受 ${o.institution_name} 的授信意向`,
            onClick: act(`/offers/${o.id}/accept`) }, "接受") : null,
          o.allowed_actions.includes("outcome") ? (is("outcome", o.id) ? outcomeForm(o)
            : h("button", { type: "button", class: "button-link primary", onClick: openForm(["outcome", o.id]) }, "登记放款")) : null,
        ])))]) : null,
        n.matches?.length ? h("div", { class: "card" }, [h("h3", "供需对接"), h("ul", { class: "plain", "aria-label": "供需对接" }, n.matches.map((m) => h("li", { key: m.id }, [
          h("p", [h("strong", m.need_id === n.id ? m.enterprise_name : m.need.enterprise_name), " · ", h("span", { class: "status" }, label("match_status", m.status)),
            m.amount_10k ? ` · ${m.amount_10k} 万元` : ""]),
          m.note ? h("p", { class: "muted" }, m.note) : null,
          h("p", `对方联系人：${contact(m.need_id === n.id ? m.contacts.interested_side : m.contacts.need_side)}`),
          m.allowed_actions.includes("accept") ? h("button", { type: "button", class: "button-link primary", onClick: act(`/matches/${m.id}/accept`) }, "确认对接") : null,
          m.allowed_actions.includes("decline") ? h("button", { type: "button", class: "button-link", onClick: act(`/matches/${m.id}/decline`) }, "婉拒") : null,
          m.allowed_actions.includes("report") ? (is("report", m.id) ? reportForm(m)
            : h("button", { type: "button", class: "button-link", onClick: openForm(["report", m.id]) }, "报告结果")) : null,
        ])))]) : null,
        n.placements?.length ? h("div", { class: "card" }, [h("h3", "招聘登记"), h("ul", { class: "plain" }, n.placements.map((p) => h("li", { key: p.id },
          `${n.details.posts[p.post_index]?.title}：到岗 ${p.placed} 人（${p.placed_on}）`)))]) : null,
        h("div", { class: "card" }, [h("h3", "对接过程"), h("ol", { "aria-label": "对接过程" }, (n.events || []).map((e, i) => h("li", { key: i },
          `${shortDateTime(e.at)} ${e.actor_name || "系统"}：${label("need_action", e.action)}${e.comment ? `（${e.comment}）` : ""}`)))]),
      ]);
    };
  },
});
