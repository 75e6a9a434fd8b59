// The facts of an arrears case, its plan and its repayments, as plain tables (phone and desk alike).
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { date } from "../core/format.js";
import { wan } from "../core/money.js";

export default defineComponent({
  name: "ArrearsFacts",
  props: { item: { type: Object, required: true } },
  setup(props) {
    const row = (name, value) => [h("dt", name), h("dd", value || "—")];
    return () => {
      const c = props.item;
      return [
        h("dl", { class: "facts arrears-facts" }, [
          ...row("状态", h("span", { class: "arrears-status" }, label("arrears_status", c.status))),
          ...row("债权企业", c.creditor_name),
          ...row("债务人", `${c.debtor_name}（${label("debtor_kind", c.debtor_kind)}）`),
          ...row("所在县区", c.region_name),
          ...row("欠款来源", c.origin),
          ...row("欠款金额", wan(c.amount_10k)),
          ...row("有分歧", wan(c.disputed_10k)),
          ...row("无分歧", wan(c.undisputed_10k)),
          ...row("已清偿", wan(c.repaid_10k)),
          ...row("剩余", h("strong", { class: "arrears-remaining" }, wan(c.remaining_10k))),
          ...row("督办", c.supervised ? `${c.supervising_region_name || ""}挂牌督办${c.complex ? "（疑难复杂）" : ""}` : "否"),
        ]),
        h("h3", "还款计划"),
        c.plan?.length ? h("table", { class: "ledger compact", "aria-label": "还款计划" }, [
          h("thead", h("tr", [h("th", { scope: "col" }, "月份"), h("th", { scope: "col" }, "计划还款")])),
          h("tbody", c.plan.map((m) => h("tr", { key: m.period }, [h("td", m.period), h("td", wan(m.amount_10k))]))),
        ]) : h("p", { class: "muted" }, "尚未制定还款计划"),
        h("h3", "还款记录"),
        c.repayments?.length ? h("table", { class: "ledger compact", "aria-label": "还款记录" }, [
          h("thead", h("tr", ["还款日期", "金额", "凭证说明", "登记人"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", c.repayments.map((r) => h("tr", { key: r.id }, [
            h("td", date(r.paid_on)), h("td", wan(r.amount_10k)), h("td", r.note || "—"), h("td", r.recorded_by_name || "—"),
          ]))),
        ]) : h("p", { class: "muted" }, "尚无还款"),
      ];
    };
  },
});
