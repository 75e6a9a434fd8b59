// A small form for one step (an offer, a placement, an outcome …): labelled fields, 确定 and 取消, the
// server's Chinese reason when it refuses. Native controls, so it works on phones and desks alike.
import { defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import SelectField from "./SelectField.js";
import TextField from "./TextField.js";

export default defineComponent({
  name: "InlineForm",
  props: {
    title: { type: String, required: true },
    fields: { type: Array, required: true }, // [{name, label, type, options?, required?, value?, hint?}]
    send: { type: Function, required: true }, // async (values) => void; rejects with an ApiError
    submitLabel: { type: String, default: "确定" },
  },
  emits: ["done", "cancel"],
  setup(props, { emit }) {
    const values = reactive(Object.fromEntries(props.fields.map((f) => [f.name, f.value ?? ""])));
    const message = ref("");
    const busy = ref(false);
    const shown = () => props.fields.filter((f) => !f.when || f.when(values));
    const submit = async (event) => {
      event.preventDefault();
      const missing = shown().filter((f) => f.required && String(values[f.name]).trim() === "").map((f) => f.label);
      if (missing.length) {
        message.value = `请填写：${missing.join("、")}`;
        return;
      }
      busy.value = true;
      message.value = "";
      try {
        await props.send({ ...values });
        emit("done");
      } catch (failure) {
        message.value = failure.message;
      } finally {
        busy.value = false;
      }
    };
    const model = (name) => ({ modelValue: values[name], "onUpdate:modelValue": (v) => { values[name] = v; } });
    return () => h("form", { class: "card inline-form", novalidate: true, onSubmit: submit, "aria-label": props.title }, [
      h("h3", props.title),
      ...shown().map((f) => (f.type === "select"
        ? h(SelectField, { key: f.name, label: f.label, options: f.options, required: f.required, ...model(f.name) })
        : h(TextField, { key: f.name, label: f.label, type: f.type || "text", multiline: f.type === "textarea", required: f.required,
          hint: f.hint || "", step: f.type === "number" ? "any" : undefined, ...model(f.name) }))),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      h("div", { class: "form-buttons" }, [
        h(vant.Button, { type: "primary", nativeType: "submit", loading: busy.value }, () => props.submitLabel),
        h(vant.Button, { nativeType: "button", onClick: () => emit("cancel") }, () => "取消"),
      ]),
    ]);
  },
});
