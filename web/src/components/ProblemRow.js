// One problem in a list: title (a link to its page), number, status in plain words, overdue marker.
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import StatusTag from "./StatusTag.js";

export default defineComponent({
  name: "ProblemRow",
  props: { problem: { type: Object, required: true }, enterpriseName: { type: String, default: "" } },
  setup(props) {
    return () => {
      const p = props.problem;
      const overdue = p.due_at && !p.resolved_at && new Date(p.due_at) < new Date() && ["in_progress", "awaiting_info"].includes(p.status);
      return h("li", { class: "list-item" }, [
        h("div", { class: "list-main" }, [
          h("a", { href: `/app/problems/${p.id}`, class: "list-title" }, p.title),
          h("p", { class: "meta" }, [
            h(StatusTag, { status: p.status }),
            h("span", label("problem_category", p.category)),
            props.enterpriseName ? h("span", props.enterpriseName) : null,
            h("span", { class: "muted" }, `${p.number} · ${shortDateTime(p.updated_at || p.created_at)}`),
            overdue ? h("span", { class: "overdue" }, "已超期") : null,
          ]),
        ]),
      ]);
    };
  },
});
