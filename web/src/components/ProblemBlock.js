// One problem found on a visit: 问题类别, 问题标题, 问题描述, 问题范围, 紧急程度.
import { defineComponent, h } from "../core/vue.js";
import { options } from "../core/labels.js";
import SelectField from "./SelectField.js";
import TextField from "./TextField.js";

export default defineComponent({
  name: "ProblemBlock",
  props: { problem: { type: Object, required: true }, index: { type: Number, required: true }, errors: { type: Object, default: () => ({}) } },
  emits: ["remove"],
  setup(props, { emit }) {
    const bind = (field) => ({ modelValue: props.problem[field], "onUpdate:modelValue": (v) => { props.problem[field] = v; },
                               error: props.errors[field] || "" });
    return () => h("fieldset", { class: "problem-block" }, [
      h("legend", `问题 ${props.index + 1}`),
      h(SelectField, { label: "问题类别", options: options("problem_category"), required: true, ...bind("category") }),
      h(TextField, { label: "问题标题", required: true, maxlength: 200, ...bind("title") }),
      h(TextField, { label: "问题描述", multiline: true, required: true, ...bind("description") }),
      h(SelectField, { label: "问题范围", options: options("problem_scope"), required: true, ...bind("scope") }),
      h(SelectField, { label: "紧急程度", options: options("urgency"), ...bind("urgency") }),
      h("button", { type: "button", class: "link-button", onClick: () => emit("remove") }, `删除问题 ${props.index + 1}`),
    ]);
  },
});
