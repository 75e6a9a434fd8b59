// 预警: the warnings of the caller's region (open first), filtered by state and severity; a
// coordinator acknowledges one with a note.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { cursorList } from "../core/pages.js";
import { route, navigate } from "../core/router.js";
import { session } from "../core/session.js";
import { label, options } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import NoteDialog from "../components/NoteDialog.js";

export default defineComponent({
  name: "WarningsScreen",
  setup() {
    const state = route.query.state ?? "open";
    const severity = route.query.severity || "";
    const acknowledging = ref(null);
    const { rows, total, cursor, error, load } = cursorList(
      "/warnings", () => ({ state: state || undefined, severity: severity || undefined, limit: 50 }));
    load();
    const apply = (change) => {
      const params = new URLSearchParams(Object.entries({ state, severity, ...change }).filter(([, v]) => v !== undefined));
      navigate(`/app/warnings?${params}`);
    };
    const acknowledge = async (warning, note) => {
      await api.post(`/warnings/${warning.id}/acknowledge`, { note });
      toast("已确认预警", "success");
      await load();
    };
    const canAct = session.user.role === "coordinator";

    return () => h(DeskPage, { title: "预警" }, {
      tools: () => h("span", { class: "count", role: "status" }, total.value === null ? "" : `共 ${total.value} 条`),
      default: () => [
        h("div", { class: "filters", role: "search", "aria-label": "筛选预警" }, [
          h(SelectField, { label: "预警状态", modelValue: state, options: options("warning_state"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ state: v }) }),
          h(SelectField, { label: "预警级别", modelValue: severity, options: options("severity"), placeholder: "全部",
            "onUpdate:modelValue": (v) => apply({ severity: v }) }),
        ]),
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, "预警列表"),
          h("thead", h("tr", ["级别", "类型", "企业", "问题", "区划", "发出时间", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((w) => h("tr", { key: w.id }, [
            h("td", h("span", { class: `tag severity-${w.severity}` }, label("severity", w.severity))),
            h("td", label("warning_type", w.type)),
            h("td", w.enterprise_name || "—"),
            h("td", w.problem_id ? h("a", { href: `/app/problems/${w.problem_id}` }, `${w.problem_number} ${w.problem_title || ""}`) : "—"),
            h("td", w.region_name || "—"),
            h("td", shortDateTime(w.opened_at)),
            h("td", [label("warning_state", w.state), w.acknowledged_by_name ? h("span", { class: "muted" }, `（${w.acknowledged_by_name}：${w.acknowledge_note || ""}）`) : null]),
            h("td", canAct && w.state === "open" ? h(EP.ElButton, { size: "small", "aria-label": `确认预警 ${w.problem_number || w.id}`,
              onClick: () => { acknowledging.value = w; } }, () => "确认") : null),
          ]))),
        ]),
        rows.value?.length === 0 ? h("p", { class: "notice" }, "没有预警。") : null,
        cursor.value ? h("div", { class: "pager" }, h(EP.ElButton, { onClick: () => load(true) }, () => "加载更多")) : null,
        acknowledging.value ? h(NoteDialog, { title: "确认预警", caption: "处理说明", required: true,
          send: (note) => acknowledge(acknowledging.value, note), onClose: () => { acknowledging.value = null; } }) : null,
      ],
    });
  },
});
