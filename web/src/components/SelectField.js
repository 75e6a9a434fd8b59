// A labelled native select; its options come from /meta/enums (or any [{value, text}] list).
import { h, defineComponent } from "../core/vue.js";

let next = 0;

export default defineComponent({
  name: "SelectField",
  props: {
    label: { type: String, required: true },
    modelValue: { type: [String, Number], default: "" },
    options: { type: Array, default: () => [] },
    required: Boolean,
    placeholder: { type: String, default: "请选择" },
    error: { type: String, default: "" },
  },
  emits: ["update:modelValue"],
  setup(props, { emit }) {
    const id = `select-${++next}`;
    return () => h("div", { class: ["field", props.error ? "has-error" : ""] }, [
      h("label", { for: id }, [props.label, props.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null]),
      h("select", {
        id, value: String(props.modelValue ?? ""), required: props.required,
        "aria-invalid": props.error ? "true" : undefined,
        onChange: (event) => emit("update:modelValue", event.target.value),
      }, [
        h("option", { value: "" }, props.placeholder),
        ...props.options.map((o) => h("option", { value: String(o.value), selected: String(o.value) === String(props.modelValue) }, o.text)),
      ]),
      props.error ? h("p", { class: "field-error" }, props.error) : null,
    ]);
  },
});
