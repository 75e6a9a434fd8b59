// 待办任务 (departments): the department's tasks by due date — status tabs with their counts, overdue and
// sign-in markers in text, and on each task the actions the server allows now: 签收, 退单 (with a reason),
// 进展 (a note), 办结反馈 (the result). Each action is sent with the task's version as If-Match; a 409/412
// shows the server's reason and the fresh list.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { cursorList } from "../core/pages.js";
import { route, navigate } from "../core/router.js";
import { label } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import NoteDialog from "../components/NoteDialog.js";

const TABS = [["", "全部"], ["dispatched", null], ["reopened", null], ["signed", null], ["reported", null],
  ["refused", null], ["recalled", null], ["superseded", null]];
// The form of each action that needs one: its title is the action's label, its caption the field's.
const FORMS = { refuse: { field: "reason", caption: "退单理由" }, progress: { field: "note", caption: "办理进展" },
  report: { field: "result", caption: "办理结果" } };

export default defineComponent({
  name: "TasksScreen",
  setup() {
    const status = route.query.status || "";
    const counts = ref(null);
    const acting = ref(null); // {task, action}
    const conflict = ref("");
    const list = cursorList("/tasks", () => ({ status: status || undefined, limit: 50 }));
    const load = async (more = false) => {
      await list.load(more);
      try {
        counts.value = (await api.get("/tasks", { limit: 1 })).counts;
      } catch {
        counts.value = null;
      }
    };
    load();

    const send = async (task, action, body = {}) => {
      try {
        await api.post(`/tasks/${task.id}/${action}`, body, { ifMatch: `"${task.version}"` });
        conflict.value = "";
        toast(`已${label("task_action", action)}：${task.problem_number}`, "success");
      } catch (failure) {
        if (failure.status === 409 || failure.status === 412) {
          conflict.value = `${failure.message}。已刷新为最新状态。`;
        } else {
          throw failure;
        }
      } finally {
        await load();
      }
    };
    const act = (task, action) => {
      if (FORMS[action]) acting.value = { task, action };
      else send(task, action).catch((failure) => toast(failure.message, "error", 6000));
    };

    const marker = (t) => [
      t.overdue ? h("span", { class: "overdue" }, "已超期") : null,
      t.sign_overdue ? h("span", { class: "soon" }, "签收超时") : null,
      t.reopen_count ? h("span", { class: "tag" }, `重办 ${t.reopen_count} 次`) : null,
    ];

    return () => h(DeskPage, { title: "待办任务" }, {
      tools: () => h("span", { class: "count", role: "status" }, list.total.value === null ? "" : `共 ${list.total.value} 条`),
      default: () => [
        h("nav", { class: "quick-views", "aria-label": "任务状态" }, TABS.map(([value, text]) => {
          const count = value ? counts.value?.[value] : null;
          const name = text || label("task_status", value);
          return h("a", { href: value ? `/app/tasks?status=${value}` : "/app/tasks", class: "quick-view",
            "aria-current": value === status ? "page" : undefined,
            onClick: (e) => { e.preventDefault(); navigate(value ? `/app/tasks?status=${value}` : "/app/tasks"); } },
          count === null || count === undefined ? name : `${name}（${count}）`);
        })),
        conflict.value ? h("p", { class: "error-box", role: "alert" }, conflict.value) : null,
        list.error.value ? h("p", { class: "error-box", role: "alert" }, list.error.value) : null,
        list.rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : h("div", { class: "ledger-wrap" }, h("table", { class: "ledger tasks" }, [
          h("caption", { class: "visually-hidden" }, "待办任务列表，按办理期限排序"),
          h("thead", h("tr", ["问题", "企业", "方式", "状态", "签收期限", "办理期限", "提示", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", list.rows.value.map((t) => h("tr", { key: t.id }, [
            h("td", [h("a", { href: `/app/problems/${t.problem_id}` }, t.problem_title), h("div", { class: "muted" }, t.problem_number)]),
            h("td", t.enterprise_name),
            h("td", label("task_role", t.role)),
            h("td", h("span", { class: ["tag", `task-${t.status}`] }, label("task_status", t.status))),
            h("td", shortDateTime(t.sign_due_at)),
            h("td", shortDateTime(t.due_at)),
            h("td", marker(t)),
            h("td", h("div", { class: "action-bar", role: "group", "aria-label": `任务操作 ${t.problem_number}` },
              (t.allowed_actions || []).map((a) => h(EP.ElButton, { key: a, size: "small", type: a === "sign" || a === "report" ? "primary" : "default",
                onClick: () => act(t, a) }, () => label("task_action", a))))),
          ]))),
        ])),
        list.rows.value?.length === 0 ? h("p", { class: "notice" }, "没有任务。") : null,
        list.cursor.value ? h("div", { class: "pager" }, h(EP.ElButton, { onClick: () => load(true) }, () => "加载更多")) : null,
        acting.value ? h(NoteDialog, { title: label("task_action", acting.value.action), caption: FORMS[acting.value.action].caption,
          required: true, send: (text) => send(acting.value.task, acting.value.action, { [FORMS[acting.value.action].field]: text }),
          onClose: () => { acting.value = null; } }) : null,
      ],
    });
  },
});
