// The progress of a running export job on a desk screen: a bar with done / total rows, read out politely.
import { defineComponent, h } from "../core/vue.js";
import { EP } from "./DeskPage.js";

function percent(job) {
  const { done = 0, total = null } = job?.progress || {};
  if (job?.state === "done") return 100;
  return total ? Math.min(99, Math.floor((done * 100) / total)) : 0;
}

function text(job) {
  const { done = 0, total = null } = job?.progress || {};
  if (!job || job.state === "queued") return "导出任务排队中…";
  if (job.state === "done") return `已写入 ${done} / ${total ?? done} 行，正在下载…`;
  return total === null ? "正在统计行数…" : `正在导出：已写入 ${done} / ${total} 行`;
}

export default defineComponent({
  name: "ExportProgress",
  props: { job: { type: Object, default: null }, title: { type: String, default: "导出进度" } },
  setup(props) {
    return () => h("div", { class: "export-progress", role: "status", "aria-live": "polite", "aria-label": props.title }, [
      h(EP.ElProgress, { percentage: percent(props.job), strokeWidth: 10, "aria-label": props.title,
        format: () => `${percent(props.job)}%` }),
      h("span", { class: "export-progress-text" }, text(props.job)),
    ]);
  },
});
