// A labelled input or textarea (native controls: the phone's own keyboards and pickers).
import { h, defineComponent } from "../core/vue.js";

let next = 0;

export default defineComponent({
  name: "TextField",
  inheritAttrs: false,
  props: {
    label: { type: String, required: true },
    modelValue: { type: [String, Number], default: "" },
    type: { type: String, default: "text" },
    multiline: Boolean,
    required: Boolean,
    error: { type: String, default: "" },
    hint: { type: String, default: "" },
  },
  emits: ["update:modelValue"],
  setup(props, { emit, attrs }) {
    const id = `field-${++next}`;
    return () => h("div", { class: ["field", props.error ? "has-error" : ""] }, [
      h("label", { for: id }, [props.label, props.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null]),
      h(props.multiline ? "textarea" : "input", {
        ...attrs, id, type: props.multiline ? undefined : props.type, value: props.modelValue, required: props.required,
        rows: props.multiline ? 3 : undefined, "aria-invalid": props.error ? "true" : undefined,
        "aria-describedby": props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined,
        onInput: (event) => emit("update:modelValue", event.target.value),
      }),
      props.hint && !props.error ? h("p", { class: "hint", id: `${id}-hint` }, props.hint) : null,
      props.error ? h("p", { class: "field-error", id: `${id}-error` }, props.error) : null,
    ]);
  },
});
