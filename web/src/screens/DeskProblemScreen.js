// 问题详情 on the desk: the problem, its photos, stints (办理段) and timeline (internal notes marked
// 内部), and one button per entry of allowed_actions, labelled from /meta/enums, each opening that
// action's form. After an action the page shows the new state; a 409/412 shows the server's reason
// and the fresh problem — a stale page never overwrites a newer state.
import { defineComponent, h, ref, shallowRef } from "../core/vue.js";
import { api, etagOf } from "../core/api.js";
import { route } from "../core/router.js";
import { label } from "../core/labels.js";
import { dateTime, shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import { session } from "../core/session.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import StatusTag from "../components/StatusTag.js";
import ProblemTimeline from "../components/ProblemTimeline.js";
import AuthImage from "../components/AuthImage.js";
import ActionDialog from "../components/ActionDialog.js";
import NoteDialog from "../components/NoteDialog.js";
import TaskList from "../components/TaskList.js";

const hours = (seconds) => (seconds ? `${Math.round(seconds / 360) / 10} 小时` : "—");

export default defineComponent({
  name: "DeskProblemScreen",
  setup() {
    const id = Number(route.params.id);
    const path = `/problems/${id}`;
    const problem = shallowRef(null);
    const error = ref("");
    const conflict = ref("");
    const action = ref("");
    const enlarged = shallowRef(null);
    const recalling = shallowRef(null);
    const recall = async (task, reason) => {
      try {
        await api.post(`/tasks/${task.id}/recall`, { reason }, { ifMatch: `"${task.version}"` });
        toast(`已撤回${task.department_name}的任务`, "success");
        await load();
      } catch (failure) {
        if (failure.status === 409 || failure.status === 412) {
          recalling.value = null;
          await onConflict(failure.message);
          return;
        }
        throw failure;
      }
    };
    // The lead department's report pre-fills the resolution (the server uses it too when left empty).
    const prefillFor = (p, a) => {
      const lead = [...(p.tasks || [])].reverse().find((t) => t.role === "lead" && t.status === "reported");
      return a === "resolve" && lead?.result ? { resolution: lead.result } : {};
    };

    const load = async () => {
      try {
        problem.value = await api.get(path);
        error.value = "";
      } catch (failure) {
        error.value = failure.message;
      }
    };
    load();
    // Open problems in scope that look like this one (a duplicate to name when rejecting, a group to form).
    const similar = shallowRef(null);
    if (session.user.role === "coordinator") {
      api.get(`${path}/similar`).then((found) => { similar.value = found.items; }, () => { similar.value = []; });
    }

    const done = async ({ title }) => {
      action.value = "";
      conflict.value = "";
      toast(`已${title}`, "success");
      await load();
    };
    const onConflict = async (reason) => {
      action.value = "";
      conflict.value = `${reason}。已刷新为最新状态。`;
      toast("数据已被他人修改，已刷新", "error", 5000);
      await load();
    };

    const facts = (p) => {
      const rows = [
        ["编号", p.number], ["企业", p.enterprise_name], ["类别", label("problem_category", p.category)],
        ["范围", label("problem_scope", p.scope)], ["紧急程度", label("urgency", p.urgency)], ["层级", label("problem_level", p.level)],
        ["承办专班", p.owning_region_name], ["承办单位", p.department_name || "—"], ["来源", label("problem_source", p.source)],
        ["登记时间", dateTime(p.created_at)], ["受理期限", p.status === "pending" ? dateTime(p.acceptance_due_at) : null],
        ["办理期限", p.due_at ? dateTime(p.due_at) : "—"],
        ["督办", p.supervised ? `督办中，期限 ${dateTime(p.supervision_deadline)}${p.supervision_note ? `（${p.supervision_note}）` : ""}` : null],
        ["延期申请", p.extension_due_at ? `申请延至 ${dateTime(p.extension_due_at)}：${p.extension_reason || ""}` : null],
        ["重新办理", p.reopen_count ? `${p.reopen_count} 次` : null],
      ].filter(([, value]) => value);
      return h("dl", { class: "facts" }, rows.flatMap(([name, value]) => [h("dt", name), h("dd", value)]));
    };

    const stints = (p) => h("table", { class: "table" }, [
      h("caption", { class: "visually-hidden" }, "办理段"),
      h("thead", h("tr", ["承办专班", "到达", "受理", "期限", "离开", "暂停", "超期"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", (p.stints || []).map((s, i) => h("tr", { key: i }, [
        h("td", s.region_name), h("td", shortDateTime(s.arrived_at)), h("td", s.accepted_at ? shortDateTime(s.accepted_at) : "—"),
        h("td", s.due_at ? shortDateTime(s.due_at) : "—"),
        h("td", s.left_at ? `${shortDateTime(s.left_at)}（${label("problem_action", s.left_by)}）` : "办理中"),
        h("td", hours(s.paused_seconds)), h("td", s.overdue ? h("span", { class: "overdue" }, "已超期") : "否"),
      ]))),
    ]);

    return () => {
      if (error.value && !problem.value) return h("p", { class: "error", role: "alert" }, error.value);
      const p = problem.value;
      if (!p) return h(DeskPage, { title: "问题详情" }, () => h(EP.ElSkeleton, { rows: 10, animated: true }));
      const actions = p.allowed_actions || [];
      return h(DeskPage, { title: p.title }, {
        tools: () => h("div", { class: "desk-tools" }, [h(StatusTag, { status: p.status }), h("a", { href: "/app/problems" }, "返回台账")]),
        default: () => [
          conflict.value ? h("p", { class: "error-box", role: "alert" }, conflict.value) : null,
          error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
          h("div", { class: "detail-grid" }, [
            h("div", [
              h("div", { class: "desk-card" }, [
                h("h3", "问题情况"),
                h("p", { class: "problem-status" }, ["当前状态：", h("strong", label("problem_status", p.status))]),
                facts(p),
                h("p", p.description),
                ...(p.needs || []).map((n) => h("p", { key: `need-${n.id}` }, [h("a", { href: `/app/needs/${n.id}` }, `所附${label("need_kind", n.kind)}需求`), `（${label("need_status", n.status)}）`])),
                p.resolution ? h("div", { class: "resolution" }, [h("h4", "办理结果"), h("p", p.resolution)]) : null,
                p.reject_reason ? h("p", `不予受理理由：${p.reject_reason}`) : null,
                p.satisfaction ? h("p", `评价：${label("satisfaction", p.satisfaction)}`) : null,
              ]),
              p.photos?.length ? h("div", { class: "desk-card" }, [
                h("h3", "照片"),
                h("ul", { class: "photo-list" }, p.photos.map((photo, i) => h("li", { key: photo.id }, [
                  h("button", { type: "button", class: "photo-button", "aria-label": `查看大图：照片 ${i + 1}`, onClick: () => { enlarged.value = { photo, i }; } },
                    [h(AuthImage, { src: photo.thumbnail_url, alt: `照片 ${i + 1}` })]),
                ]))),
              ]) : null,
              h("div", { class: "desk-card" }, [h("h3", "办理过程"), h(ProblemTimeline, { events: p.events || [] })]),
            ]),
            h("div", [
              h("div", { class: "desk-card" }, [
                h("h3", "操作"),
                actions.length
                  ? h("div", { class: "action-bar", role: "group", "aria-label": "可执行的操作" }, actions.map((a) => h(EP.ElButton, {
                    key: a, type: ["accept", "resolve", "assign"].includes(a) ? "primary" : "default",
                    onClick: () => { action.value = a; },
                  }, () => label("problem_action", a))))
                  : h("p", { class: "notice" }, "当前没有可执行的操作。"),
              ]),
              similar.value?.length ? h("div", { class: "desk-card" }, [
                h("h3", "相似问题"),
                h("ul", { class: "plain" }, similar.value.map(({ problem: s, score }) => h("li", { key: s.id }, [
                  h("a", { href: `/app/problems/${s.id}` }, s.title),
                  h("span", { class: "muted" }, ` ${s.number} · ${s.enterprise_name} · ${label("problem_status", s.status)} · 相似度 ${Math.round(score * 100)}%`),
                ]))),
              ]) : null,
              h("div", { class: "desk-card" }, [h("h3", "承办任务"), h(TaskList, { tasks: p.tasks || [],
                onRecall: (task) => { recalling.value = task; } })]),
              h("div", { class: "desk-card" }, [h("h3", "办理段"), (p.stints || []).length ? stints(p) : h("p", { class: "notice" }, "尚无办理段。")]),
            ]),
          ]),
          recalling.value ? h(NoteDialog, { title: `撤回任务：${recalling.value.department_name}`, caption: "撤回理由", required: true,
            send: (reason) => recall(recalling.value, reason), onClose: () => { recalling.value = null; } }) : null,
          action.value ? h(ActionDialog, { key: `${action.value}-${p.version}`, problem: p, action: action.value, etag: etagOf(path),
            prefill: prefillFor(p, action.value),
            onDone: done, onConflict, onClose: () => { action.value = ""; } }) : null,
          enlarged.value ? h(EP.ElDialog, { modelValue: true, title: `照片 ${enlarged.value.i + 1}`, width: "80%", appendToBody: true,
            "onUpdate:modelValue": () => { enlarged.value = null; } }, () => h("div", { class: "photo-large" },
            h(AuthImage, { src: enlarged.value.photo.url, alt: `照片 ${enlarged.value.i + 1}（大图）` }))) : null,
        ],
      });
    };
  },
});
