// An arrears case's timeline: filing, plan, repayments, supervision, 销号 — who, when, what they wrote.
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";
import { dateTime } from "../core/format.js";

export default defineComponent({
  name: "ArrearsTimeline",
  props: { events: { type: Array, default: () => [] } },
  setup(props) {
    return () => h("ol", { class: "timeline", "aria-label": "办理过程" }, [...props.events].reverse().map((e, i) =>
      h("li", { key: i }, [
        h("p", { class: "timeline-head" }, [
          h("strong", label("arrears_action", e.action)),
          e.to_status && e.to_status !== e.from_status ? h("span", ` → ${label("arrears_status", e.to_status)}`) : null,
        ]),
        h("p", { class: "muted" }, `${e.actor?.name || "系统"} · ${dateTime(e.at)}`),
        e.comment ? h("p", e.comment) : null,
      ])));
  },
});
