// 清欠: the arrears cases of the caller's region as a table — filters (状态, 债务人类型, 督办, 区划), search,
// paging by cursor, the export with the same filters, and the way to the monthly county table.
import { defineComponent, h, ref } from "../core/vue.js";
import { cursorList } from "../core/pages.js";
import { route, navigate } from "../core/router.js";
import { label, labels, options } from "../core/labels.js";
import { wan } from "../core/money.js";
import { toast } from "../core/toast.js";
import { exportState } from "../core/exportJob.js";
import ExportProgress from "../components/ExportProgress.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import ArrearsForm from "../components/ArrearsForm.js";
import { api } from "../core/api.js";
import { session } from "../core/session.js";

const KEYS = ["status", "debtor_kind", "supervised", "region", "q"];

export default defineComponent({
  name: "ArrearsScreen",
  setup() {
    const filters = Object.fromEntries(KEYS.map((k) => [k, route.query[k] || ""]));
    const query = () => Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== ""));
    const search = ref(filters.q);
    const exporting = exportState();
    const filing = ref(null); // the enterprises to choose from while the form is open
    const coordinator = session.user.role === "coordinator";
    const openFiling = async () => {
      try {
        filing.value = await api.all("/enterprises");
      } catch (failure) {
        toast(failure.message, "error", 6000);
      }
    };
    const file = async (body) => {
      const created = await api.post("/arrears", body);
      toast(created.supervised ? "已登记，并已纳入挂牌督办" : "已登记清欠案件", "success");
      navigate(`/app/arrears/${created.id}`);
    };
    const { rows, total, cursor, error, load } = cursorList("/arrears", () => ({ ...query(), limit: 20 }));
    load();
    const apply = (change) => {
      const params = new URLSearchParams(Object.entries({ ...filters, ...change }).filter(([, v]) => v !== ""));
      navigate(`/app/arrears${params.size ? `?${params}` : ""}`);
    };
    const runExport = async () => {
      try {
        const { name } = await exporting.run({ ledger: "arrears", format: "xlsx", filters: query(), fallback: "清欠台账.xlsx" });
        toast(`已导出：${name}`, "success");
      } catch (failure) {
        toast(`导出失败：${failure.message}`, "error", 6000);
      }
    };
    const counties = () => labels.regions.filter((r) => r.level === "county").map((r) => ({ value: r.id, text: r.name }));
    return () => h(DeskPage, { title: "清欠" }, {
      tools: () => h("div", { class: "desk-tools" }, [
        h("span", { class: "count", role: "status" }, total.value === null ? "" : `共 ${total.value} 件`),
        coordinator ? h(EP.ElButton, { onClick: openFiling }, () => "登记案件") : null,
        h(EP.ElButton, { onClick: () => navigate("/app/arrears/monthly") }, () => "月度通报"),
        h(EP.ElButton, { type: "primary", loading: Boolean(exporting.format), onClick: runExport },
          () => (exporting.format ? "正在导出…" : "导出 Excel")),
        exporting.format ? h(ExportProgress, { job: exporting.job, title: "清欠台账导出进度" }) : null,
      ]),
      default: () => [
        h("div", { class: "filters", role: "search", "aria-label": "筛选清欠案件" }, [
          h("form", { class: "field search-field", onSubmit: (e) => { e.preventDefault(); apply({ q: search.value.trim() }); } }, [
            h("label", { for: "arrears-search" }, "搜索"),
            h("input", { id: "arrears-search", type: "search", value: search.value, placeholder: "债务人、债权企业或欠款来源",
              onInput: (e) => { search.value = e.target.value; } }),
          ]),
          h(SelectField, { label: "状态", modelValue: filters.status, options: options("arrears_status"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ status: v }) }),
          h(SelectField, { label: "债务人类型", modelValue: filters.debtor_kind, options: options("debtor_kind"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ debtor_kind: v }) }),
          h(SelectField, { label: "督办", modelValue: filters.supervised, options: [{ value: "true", text: "挂牌督办" }, { value: "false", text: "未督办" }],
            placeholder: "全部", "onUpdate:modelValue": (v) => apply({ supervised: v }) }),
          h(SelectField, { label: "区划", modelValue: filters.region, options: counties(), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ region: v }) }),
        ]),
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : h("div", { class: "ledger-wrap" }, h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, "清欠案件"),
          h("thead", h("tr", ["债权企业", "债务人", "县区", "无分歧", "已清偿", "剩余", "状态", "督办"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((c) => h("tr", { key: c.id, onClick: () => navigate(`/app/arrears/${c.id}`) }, [
            h("td", h("a", { href: `/app/arrears/${c.id}`, onClick: (e) => e.stopPropagation() }, c.creditor_name)),
            h("td", [c.debtor_name, h("span", { class: "muted" }, ` ${label("debtor_kind", c.debtor_kind)}`)]),
            h("td", c.region_name),
            h("td", wan(c.undisputed_10k)), h("td", wan(c.repaid_10k)), h("td", wan(c.remaining_10k)),
            h("td", label("arrears_status", c.status)),
            h("td", c.supervised ? h("span", { class: "tag supervised" }, "督办") : "—"),
          ]))),
        ])),
        rows.value?.length === 0 ? h("p", { class: "notice" }, "没有符合条件的清欠案件。") : null,
        cursor.value ? h("div", { class: "pager" }, h(EP.ElButton, { onClick: () => load(true) }, () => "加载更多")) : null,
        filing.value ? h(ArrearsForm, { title: "登记清欠案件", enterprises: filing.value, mayFlagComplex: true, send: file,
          onClose: () => { filing.value = null; } }) : null,
      ],
    });
  },
});
