// 倒排清偿计划 in a dialog: one row per month (月份, 金额), with the difference to the undisputed amount
// shown as you type (exact, in cents). 确定 is enabled only when the months add up.
import { computed, defineComponent, h, reactive } from "../core/vue.js";
import { fromCents, toCents, wan } from "../core/money.js";
import { month as thisMonth } from "../core/format.js";
import { EP } from "./DeskPage.js";

function nextMonth(text) {
  const [y, m] = text.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

export default defineComponent({
  name: "PlanEditor",
  props: { title: { type: String, required: true }, undisputed: { type: String, required: true },
    plan: { type: Array, default: () => [] }, save: { type: Function, required: true } },
  emits: ["close"],
  setup(props, { emit }) {
    const rows = reactive(props.plan.length ? props.plan.map((m) => ({ period: m.period, amount: m.amount_10k }))
      : [{ period: thisMonth(), amount: "" }]);
    const state = reactive({ saving: false, error: "" });
    const target = toCents(props.undisputed);
    const total = computed(() => rows.reduce((sum, r) => {
      const cents = toCents(r.amount);
      return sum === null || cents === null ? null : sum + cents;
    }, 0));
    const difference = computed(() => (total.value === null ? null : total.value - target));
    const summary = computed(() => {
      if (total.value === null) return "有金额格式不对：万元，最多两位小数";
      const d = difference.value;
      const head = `计划合计 ${wan(fromCents(total.value))}，无分歧金额 ${wan(props.undisputed)}`;
      if (d === 0) return `${head}，相符`;
      return `${head}，${d < 0 ? "还差" : "多出"} ${wan(fromCents(Math.abs(d)))}`;
    });
    const add = () => rows.push({ period: nextMonth(rows[rows.length - 1]?.period || thisMonth()), amount: "" });
    const submit = async (event) => {
      event?.preventDefault();
      if (difference.value !== 0) return;
      state.saving = true;
      state.error = "";
      try {
        await props.save(rows.map((r) => ({ period: r.period, amount_10k: fromCents(toCents(r.amount)) })));
        emit("close");
      } catch (failure) {
        state.error = failure.message;
      } finally {
        state.saving = false;
      }
    };
    return () => h(EP.ElDialog, { modelValue: true, title: props.title, width: "560px", appendToBody: true,
      "onUpdate:modelValue": (open) => { if (!open) emit("close"); } }, {
      default: () => h("form", { class: "desk-form plan-editor", novalidate: true, onSubmit: submit }, [
        h("table", { class: "ledger compact" }, [
          h("caption", { class: "visually-hidden" }, "每月还款金额"),
          h("thead", h("tr", ["月份", "金额（万元）", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.map((r, i) => h("tr", { key: i }, [
            h("td", h("input", { type: "month", value: r.period, "aria-label": `第 ${i + 1} 个月`,
              onInput: (e) => { r.period = e.target.value; } })),
            h("td", h("input", { type: "text", inputmode: "decimal", value: r.amount, "aria-label": `第 ${i + 1} 个月金额（万元）`,
              "aria-invalid": toCents(r.amount) === null ? "true" : undefined, onInput: (e) => { r.amount = e.target.value; } })),
            h("td", rows.length > 1 ? h(EP.ElButton, { link: true, type: "danger", "aria-label": `删除第 ${i + 1} 个月`,
              onClick: () => rows.splice(i, 1) }, () => "删除") : null),
          ]))),
        ]),
        h("p", { class: ["plan-difference", difference.value === 0 ? "ok" : "off"], role: "status", "aria-live": "polite" }, summary.value),
        state.error ? h("p", { class: "error-box", role: "alert" }, state.error) : null,
      ]),
      footer: () => [
        h(EP.ElButton, { onClick: add }, () => "添加月份"),
        h(EP.ElButton, { onClick: () => emit("close") }, () => "取消"),
        h(EP.ElButton, { type: "primary", loading: state.saving, disabled: difference.value !== 0, onClick: submit }, () => "确定"),
      ],
    });
  },
});
