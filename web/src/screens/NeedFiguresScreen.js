// 对接统计: a month's figures for the caller's region and each child region (needs, financing asked vs granted,
// posts asked vs filled, matches signed), and the institution ranking as a table and a chart; both export.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { route, navigate } from "../core/router.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import { month } from "../core/format.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import EChart from "../components/EChart.js";

function months(now = new Date()) {
  const out = [];
  for (let i = 0; i < 12; i += 1) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    out.push({ value: month(d), text: `${d.getFullYear()}年${d.getMonth() + 1}月` });
  }
  return out;
}
const percent = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10}%`);

export default defineComponent({
  name: "NeedFiguresScreen",
  setup() {
    const period = route.query.period || month();
    const query = { period, region: route.query.region };
    const figures = ref(null);
    const ranking = ref(null);
    const error = ref("");
    api.get("/needs/figures", query).then((d) => { figures.value = d; }, (f) => { error.value = f.message; });
    api.get("/institutions/ranking", query).then((d) => { ranking.value = d; }, (f) => { error.value = f.message; });
    const exporting = exportState();
    const running = ref(""); // which of the two reports is being exported
    const runExport = (ledger, name) => async () => {
      running.value = ledger;
      try {
        const saved = await exporting.run({ ledger, format: "xlsx", filters: query, fallback: name });
        toast(`已导出：${saved.name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      } finally {
        running.value = "";
      }
    };
    const row = (b) => h("tr", { key: b.region.id }, [
      h("th", { scope: "row" }, b.region.name), h("td", String(b.needs.total)),
      ...["financing", "labor", "supply", "sales"].map((k) => h("td", String(b.needs.new[k]))),
      h("td", String(b.financing.asked_10k)), h("td", String(b.financing.granted_10k)), h("td", String(b.financing.granted_small_10k)),
      h("td", String(b.labor.posts_asked)), h("td", String(b.labor.posts_filled)), h("td", String(b.matches.signed)),
      h("td", String(b.matches.signed_10k)), h("td", String(b.sessions.held)),
    ]);
    return () => {
      const f = figures.value;
      const r = ranking.value;
      return h(DeskPage, { title: f ? `对接统计 · ${f.region.name}` : "对接统计" }, {
        tools: () => h("div", { class: "desk-tools" }, [
          h(SelectField, { label: "月份", modelValue: period, options: months(), "onUpdate:modelValue": (v) => navigate(`/app/needs/figures?period=${v}`) }),
          h(EP.ElButton, { loading: running.value === "need_figures", disabled: Boolean(running.value),
            onClick: runExport("need_figures", `对接月报-${period}.xlsx`) }, () => "导出统计 Excel"),
          h(EP.ElButton, { type: "primary", loading: running.value === "institution_ranking", disabled: Boolean(running.value),
            onClick: runExport("institution_ranking", `金融机构排名-${period}.xlsx`) }, () => "导出排名 Excel"),
          running.value ? h(ExportProgress, { job: exporting.job, title: "对接统计导出进度" }) : null,
        ]),
        default: () => {
          if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
          if (!f || !r) return h(EP.ElSkeleton, { rows: 8, animated: true });
          return [
            h("h3", "月度对接情况"),
            h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, "对接月度统计表"),
              h("thead", h("tr", ["区划", "需求总数", "新增融资", "新增用工", "新增采购", "新增销售", "融资需求（万元）", "放款（万元）",
                "小微企业放款（万元）", "招聘岗位", "已招聘", "签约对接", "签约金额（万元）", "对接会"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", [row(f), ...f.children.map(row)]),
            ]),
            h("h3", "金融机构月度排名"),
            h(EChart, { title: "小微企业放款（万元）", kind: "bar", items: r.rows.map((x) => ({ name: x.institution_name, value: x.granted_small_10k })) }),
            h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, "金融机构月度排名表"),
              h("thead", h("tr", ["排名", "金融机构", "类型", "授信意向", "首次响应天数（中位数）", "放款（万元）", "小微企业放款（万元）", "未获批率"]
                .map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", r.rows.map((x) => h("tr", { key: x.institution_id }, [
                h("td", String(x.rank)), h("td", x.institution_name), h("td", label("institution_kind", x.kind)), h("td", String(x.offers)),
                h("td", x.median_days_to_first_offer ?? "—"), h("td", String(x.granted_10k)), h("td", String(x.granted_small_10k)),
                h("td", percent(x.decline_rate)),
              ]))),
            ]),
          ];
        },
      });
    };
  },
});
