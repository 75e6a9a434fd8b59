// 清欠月度通报: every county's month — opening balance, planned, repaid, completion rate, rank — as a
// table and a chart of the completion rates, and the export.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import { wan } from "../core/money.js";
import { month as thisMonth } from "../core/format.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import EChart from "../components/EChart.js";

const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10}%`);

function months(count = 12) {
  const out = [];
  const d = new Date();
  d.setDate(1);
  for (let i = 0; i < count; i += 1) {
    const value = thisMonth(d);
    out.push({ value, text: `${d.getFullYear()}年${d.getMonth() + 1}月` });
    d.setMonth(d.getMonth() - 1);
  }
  return out;
}

export default defineComponent({
  name: "ArrearsMonthlyScreen",
  setup() {
    const period = route.query.period || thisMonth();
    const data = ref(null);
    const error = ref("");
    const exporting = exportState();
    api.get("/arrears/monthly", { period, region: route.query.region }).then((d) => { data.value = d; }, (f) => { error.value = f.message; });
    const runExport = async () => {
      try {
        const { name } = await exporting.run({ ledger: "arrears_monthly", format: "xlsx", filters: { period, region: route.query.region }, fallback: `清欠月度通报-${period}.xlsx` });
        toast(`已导出：${name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      }
    };
    return () => {
      const d = data.value;
      const rows = d ? [...d.rows].sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999)) : [];
      return h(DeskPage, { title: d ? `清欠月度通报 · ${d.region.name}` : "清欠月度通报" }, {
        tools: () => h("div", { class: "desk-tools" }, [
          h(SelectField, { label: "月份", modelValue: period, options: months(), placeholder: "请选择",
            "onUpdate:modelValue": (v) => navigate(`/app/arrears/monthly?period=${v}`) }),
          h(EP.ElButton, { type: "primary", loading: Boolean(exporting.format), onClick: runExport }, () => (exporting.format ? "正在导出…" : "导出 Excel")),
          exporting.format ? h(ExportProgress, { job: exporting.job, title: "清欠月度通报导出进度" }) : null,
        ]),
        default: () => {
          if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!d) return h(EP.ElSkeleton, { rows: 8, animated: true });
          return [
            h(EChart, { title: "清欠计划完成率（%）", kind: "bar",
              items: rows.filter((r) => r.completion_rate !== null)
                .map((r) => ({ name: r.region.name, value: Math.round(r.completion_rate * 1000) / 10 })) }),
            h("div", { class: "ledger-wrap" }, h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, "县区清欠进度"),
              h("thead", h("tr", ["排名", "县区", "月初余额", "本月新增", "本月计划", "本月清偿", "月末余额", "完成率", "清偿案件"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", [...rows.map((r) => h("tr", { key: r.region.id }, [
                h("td", r.rank === null ? "—" : String(r.rank)), h("td", r.region.name),
                h("td", wan(r.opening_balance_10k)), h("td", wan(r.new_10k)), h("td", wan(r.planned_10k)),
                h("td", wan(r.repaid_10k)), h("td", wan(r.closing_balance_10k)), h("td", percent(r.completion_rate)),
                h("td", String(r.cases_cleared)),
              ])), h("tr", { class: "total-row" }, [
                h("td", "—"), h("td", "合计"), h("td", wan(d.total.opening_balance_10k)), h("td", wan(d.total.new_10k)),
                h("td", wan(d.total.planned_10k)), h("td", wan(d.total.repaid_10k)), h("td", wan(d.total.closing_balance_10k)),
                h("td", percent(d.total.completion_rate)), h("td", String(d.total.cases_cleared)),
              ])]),
            ])),
            h("p", { class: "muted" }, "完成率 = 本月清偿 ÷ 本月计划；无计划的县区不排名。"),
          ];
        },
      });
    };
  },
});
