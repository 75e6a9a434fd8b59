// A problem's timeline: who did what, when, and what they wrote (internal notes marked 内部; the
// server never sends them to enterprise users).
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { dateTime } from "../core/format.js";

export default defineComponent({
  name: "ProblemTimeline",
  props: { events: { type: Array, default: () => [] } },
  setup(props) {
    return () => h("ol", { class: "timeline", "aria-label": "办理过程" }, [...props.events].reverse().map((e, i) =>
      h("li", { key: i, class: e.internal ? "internal" : "" }, [
        h("p", { class: "timeline-head" }, [
          h("strong", label("problem_action", e.action)),
          e.to_status && e.to_status !== e.from_status ? h("span", ` → ${label("problem_status", e.to_status)}`) : null,
          e.data?.department_name ? h("span", ` · ${e.data.department_name}（${label("task_role", e.data.role)}）`) : null,
          e.internal ? h("span", { class: "tag internal-tag" }, "内部") : null,
        ]),
        h("p", { class: "muted" }, `${e.actor?.name || "系统"} · ${dateTime(e.at)}`),
        e.comment ? h("p", e.comment) : null,
      ])));
  },
});
