// A problem's tasks (承办任务): each department, lead or assisting, its status in words, due dates, the
// result or the refusal; the holding task force may recall a task still on a department's desk.
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { EP } from "./DeskPage.js";

export default defineComponent({
  name: "TaskList",
  props: { tasks: { type: Array, default: () => [] } },
  emits: ["recall"],
  setup(props, { emit }) {
    return () => (props.tasks.length ? h("ul", { class: "task-list", "aria-label": "承办任务" }, props.tasks.map((t) => h("li", { key: t.id }, [
      h("p", [
        h("strong", `${label("task_role", t.role)}：${t.department_name}`), " ",
        h("span", { class: ["tag", `task-${t.status}`] }, label("task_status", t.status)),
        t.reopen_count ? h("span", { class: "muted" }, ` 重办 ${t.reopen_count} 次`) : null,
      ]),
      h("p", { class: "muted" }, [`交办 ${shortDateTime(t.dispatched_at)} · 签收期限 ${shortDateTime(t.sign_due_at)} · 办理期限 ${shortDateTime(t.due_at)}`,
        t.signed_at ? ` · 签收 ${shortDateTime(t.signed_at)}` : "", t.reported_at ? ` · 反馈 ${shortDateTime(t.reported_at)}` : ""].join("")),
      t.instructions ? h("p", `交办要求：${t.instructions}`) : null,
      t.result ? h("p", `办理结果：${t.result}`) : null,
      t.refusal_reason ? h("p", `退单理由：${t.refusal_reason}`) : null,
      t.recall_reason ? h("p", `撤回理由：${t.recall_reason}`) : null,
      (t.allowed_actions || []).includes("recall") ? h(EP.ElButton, { size: "small", "aria-label": `撤回${t.department_name}的任务`,
        onClick: () => emit("recall", t) }, () => label("task_action", "recall")) : null,
    ]))) : h("p", { class: "notice" }, "尚未交办承办单位。"));
  },
});
