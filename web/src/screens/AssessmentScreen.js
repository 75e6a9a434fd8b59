// 考核评价: the quarter's assessment of every county under the caller's region — the table, a ranking
// chart of the scores, the export.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import EChart from "../components/EChart.js";

const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10}%`);
const COLUMNS = [
  ["closure_rate", "办结率"], ["on_time_rate", "按期办结率"], ["satisfaction_rate", "满意率"], ["reopen_rate", "重办率"],
  ["visit_coverage", "走访覆盖率"], ["entity_growth_rate", "经营主体增长"], ["employment_growth_rate", "就业增长"],
];

export function quarters(now = new Date()) {
  const out = [];
  let year = now.getFullYear();
  let q = Math.floor(now.getMonth() / 3) + 1;
  for (let i = 0; i < 6; i += 1) {
    out.push({ value: `${year}Q${q}`, text: `${year}年第${q}季度` });
    q -= 1;
    if (!q) { q = 4; year -= 1; }
  }
  return out;
}

export default defineComponent({
  name: "AssessmentScreen",
  setup() {
    const quarter = route.query.quarter || quarters()[0].value;
    const data = ref(null);
    const error = ref("");
    const exporting = exportState();
    api.get("/assessments", { quarter, region: route.query.region }).then((d) => { data.value = d; }, (f) => { error.value = f.message; });
    const runExport = async () => {
      try {
        const { name } = await exporting.run({ ledger: "assessments", format: "xlsx", filters: { quarter, region: route.query.region }, fallback: `考核评价-${quarter}.xlsx` });
        toast(`已导出：${name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      }
    };
    return () => {
      const d = data.value;
      const rows = d ? [...d.rows].sort((a, b) => a.rank - b.rank) : [];
      return h(DeskPage, { title: d ? `考核评价 · ${d.region.name}` : "考核评价" }, {
        tools: () => h("div", { class: "desk-tools" }, [
          h("a", { href: `/app/assessments/departments?quarter=${quarter}` }, "部门考核"),
          h(SelectField, { label: "季度", modelValue: quarter, options: quarters(), placeholder: "请选择",
            "onUpdate:modelValue": (v) => navigate(`/app/assessments?quarter=${v}`) }),
          h(EP.ElButton, { type: "primary", loading: Boolean(exporting.format), onClick: runExport }, () => (exporting.format ? "正在导出…" : "导出 Excel")),
          exporting.format ? h(ExportProgress, { job: exporting.job, title: "考核评价导出进度" }) : null,
        ]),
        default: () => {
          if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!d) return h(EP.ElSkeleton, { rows: 8, animated: true });
          return [
            h(EChart, { title: "综合得分排名", kind: "bar", items: rows.map((r) => ({ name: r.region.name, value: r.score })) }),
            h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, "考核评价表"),
              h("thead", h("tr", ["排名", "区划", "综合得分", ...COLUMNS.map(([, t]) => t), "规上净增"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", rows.map((r) => h("tr", { key: r.region.id }, [
                h("td", String(r.rank)), h("td", r.region.name), h("td", String(r.score)),
                ...COLUMNS.map(([key]) => h("td", percent(r[key]))), h("td", String(r.net_above_scale ?? "—")),
              ]))),
            ]),
            h("p", { class: "muted" }, `权重：${COLUMNS.map(([key, t]) => `${t} ${percent(d.weights[key])}`).join("，")}，规上净增 ${percent(d.weights.net_above_scale)}`),
          ];
        },
      });
    };
  },
});
