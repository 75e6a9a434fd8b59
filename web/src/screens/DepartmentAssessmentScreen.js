// 部门考核 (under 考核评价): the quarter's assessment of every department under the caller's region — sign-in
// timeliness, on-time reports, refusals, satisfaction and reopens of the problems each led, the score and
// the rank; a ranking chart and the export.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import EChart from "../components/EChart.js";
import { quarters } from "./AssessmentScreen.js";

const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10}%`);
const COLUMNS = [
  ["sign_on_time_rate", "按时签收率"], ["report_on_time_rate", "按期反馈率"], ["refusal_rate", "退单率"],
  ["satisfaction_rate", "满意率"], ["reopen_rate", "重办率"],
];

export default defineComponent({
  name: "DepartmentAssessmentScreen",
  setup() {
    const quarter = route.query.quarter || quarters()[0].value;
    const data = ref(null);
    const error = ref("");
    const exporting = exportState();
    api.get("/assessments/departments", { quarter, region: route.query.region })
      .then((d) => { data.value = d; }, (f) => { error.value = f.message; });
    const runExport = async () => {
      try {
        const { name } = await exporting.run({ ledger: "department_assessments", format: "xlsx", filters: { quarter, region: route.query.region }, fallback: `部门考核-${quarter}.xlsx` });
        toast(`已导出：${name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      }
    };
    return () => {
      const d = data.value;
      return h(DeskPage, { title: d ? `部门考核 · ${d.region.name}` : "部门考核" }, {
        tools: () => h("div", { class: "desk-tools" }, [
          h("a", { href: `/app/assessments?quarter=${quarter}` }, "县区考核"),
          h(SelectField, { label: "季度", modelValue: quarter, options: quarters(), placeholder: "请选择",
            "onUpdate:modelValue": (v) => navigate(`/app/assessments/departments?quarter=${v}`) }),
          h(EP.ElButton, { type: "primary", loading: Boolean(exporting.format), onClick: runExport }, () => (exporting.format ? "正在导出…" : "导出 Excel")),
          exporting.format ? h(ExportProgress, { job: exporting.job, title: "部门考核导出进度" }) : null,
        ]),
        default: () => {
          if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!d) return h(EP.ElSkeleton, { rows: 8, animated: true });
          const rows = d.rows.filter((r) => r.dispatched > 0 || r.score > 0);
          return [
            rows.length ? h(EChart, { title: "部门综合得分排名", kind: "bar", items: rows.map((r) => ({ name: r.department_name, value: r.score })) }) : null,
            h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, "部门考核表"),
              h("thead", h("tr", ["排名", "部门", "所属区划", "交办任务", "综合得分", ...COLUMNS.map(([, t]) => t)].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", d.rows.map((r) => h("tr", { key: r.department_id }, [
                h("td", String(r.rank)), h("td", r.department_name), h("td", r.region_name), h("td", String(r.dispatched)),
                h("td", String(r.score)), ...COLUMNS.map(([key]) => h("td", percent(r[key]))),
              ]))),
            ]),
            h("p", { class: "muted" }, `权重：${COLUMNS.map(([key, t]) => `${t} ${percent(d.weights[key])}`).join("，")}（退单率、重办率越低得分越高；无数据的指标不得分）`),
          ];
        },
      });
    };
  },
});
