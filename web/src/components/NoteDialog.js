// A short form in a dialog: one labelled text area (or none) and a button 确定; the caller sends it.
import { defineComponent, h, ref } from "../core/vue.js";
import { EP } from "./DeskPage.js";

export default defineComponent({
  name: "NoteDialog",
  props: { title: { type: String, required: true }, caption: { type: String, default: "说明" }, required: Boolean,
           send: { type: Function, required: true } },
  emits: ["close"],
  setup(props, { emit }) {
    const text = ref("");
    const error = ref("");
    const sending = ref(false);
    const submit = async (event) => {
      event?.preventDefault();
      if (props.required && !text.value.trim()) {
        error.value = `请填写${props.caption}`;
        return;
      }
      sending.value = true;
      error.value = "";
      try {
        await props.send(text.value.trim());
        emit("close");
      } catch (failure) {
        error.value = failure.message;
      } finally {
        sending.value = false;
      }
    };
    return () => h(EP.ElDialog, { modelValue: true, title: props.title, width: "480px", appendToBody: true,
      "onUpdate:modelValue": (open) => { if (!open) emit("close"); } }, {
      default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: submit }, [
        h("div", { class: ["field", error.value ? "has-error" : ""] }, [
          h("label", { for: "note-dialog-text" }, [props.caption, props.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null]),
          h("textarea", { id: "note-dialog-text", rows: 3, value: text.value, onInput: (e) => { text.value = e.target.value; } }),
        ]),
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
      ]),
      footer: () => [h(EP.ElButton, { onClick: () => emit("close") }, () => "取消"),
        h(EP.ElButton, { type: "primary", loading: sending.value, onClick: submit }, () => "确定")],
    });
  },
});
