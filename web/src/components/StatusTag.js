// A problem's status in plain words (its label from /meta/enums), as text, never colour alone.
import { defineComponent, h } from "../core/vue.js";
import { label } from "../core/labels.js";

export default defineComponent({
  name: "StatusTag",
  props: { status: { type: String, required: true } },
  setup(props) {
    return () => h("span", { class: ["tag", `status-${props.status}`] }, label("problem_status", props.status));
  },
});
