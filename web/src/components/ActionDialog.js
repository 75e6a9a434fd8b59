// One workflow action's form in a dialog: its fields from the OpenAPI schema of the action's request
// body, a button 确定. Sends If-Match with the ETag the page read; on success emits `done`, on a
// 409/412 emits `conflict` with the server's reason (the page then reloads the fresh problem); any
// other refusal stays in the form with the server's Chinese message and per-field messages.
import { defineComponent, h, ref, shallowRef } from "../core/vue.js";
import { api } from "../core/api.js";
import { inSubtree, label, options as enumOptions } from "../core/labels.js";
import { actionFields, bodyOf, missing } from "../core/actions.js";
import { EP } from "./DeskPage.js";

let departments = null;
function loadDepartments() {
  if (!departments) {
    departments = api.all("/departments");
    departments.catch(() => { departments = null; });
  }
  return departments;
}

let next = 0;

export default defineComponent({
  name: "ActionDialog",
  props: { problem: { type: Object, required: true }, action: { type: String, required: true }, etag: { type: String, default: null },
           prefill: { type: Object, default: () => ({}) } },
  emits: ["done", "conflict", "close"],
  setup(props, { emit }) {
    const title = label("problem_action", props.action);
    const fields = shallowRef(null);
    const values = ref({ ...props.prefill });
    const errors = ref({});
    const message = ref("");
    const sending = ref(false);
    const departmentOptions = shallowRef([]);
    const uid = `action-${++next}`;

    actionFields(props.action).then(async (found) => {
      if (found.some((f) => f.kind.endsWith("departments"))) {
        // Only departments of the holding region or below may be dispatched (the server says so too).
        departmentOptions.value = (await loadDepartments())
          .filter((d) => props.action !== "assign" || inSubtree(d.region_id, props.problem.owning_region_id))
          .map((d) => ({ value: d.id, text: `${d.name}（${d.region_name}）` }));
      }
      fields.value = found;
    }).catch((failure) => { message.value = failure.message; fields.value = []; });

    const set = (name, value) => { values.value = { ...values.value, [name]: value }; };

    const submit = async (event) => {
      event?.preventDefault();
      message.value = "";
      errors.value = missing(fields.value, values.value);
      if (Object.keys(errors.value).length) return;
      sending.value = true;
      try {
        const updated = await api.post(`/problems/${props.problem.id}/${props.action}`, bodyOf(fields.value, values.value),
                                       { ifMatch: props.etag });
        emit("done", { action: props.action, title, problem: updated });
      } catch (failure) {
        if (failure.status === 409 || failure.status === 412) emit("conflict", failure.message);
        else {
          message.value = failure.message;
          errors.value = Object.fromEntries(Object.entries(failure.fieldErrors || {}).map(([k, v]) => [k, [].concat(v).join("；")]));
        }
      } finally {
        sending.value = false;
      }
    };

    const control = (field) => {
      const id = `${uid}-${field.name}`;
      const error = errors.value[field.name];
      const common = { id, "aria-invalid": error ? "true" : undefined, "aria-describedby": error ? `${id}-error` : undefined,
                       required: field.required || undefined };
      const value = values.value[field.name] ?? "";
      const onInput = (e) => set(field.name, e.target.value);
      let input;
      if (field.kind === "check") {
        return h("div", { class: "field" }, [h("label", { class: "check-field" }, [
          h("input", { type: "checkbox", checked: Boolean(values.value[field.name]), onChange: (e) => set(field.name, e.target.checked) }),
          field.caption])]);
      }
      if (field.kind === "select" || field.kind === "boolean" || field.kind === "departments") {
        const opts = field.kind === "boolean" ? [{ value: "true", text: "同意" }, { value: "false", text: "不同意" }]
          : field.kind === "departments" ? departmentOptions.value
            : field.enumGroup ? enumOptions(field.enumGroup).filter((o) => field.values.includes(o.value))
              : field.values.map((v) => ({ value: v, text: v }));
        input = h("select", { ...common, value: String(value), onChange: onInput },
          [h("option", { value: "" }, "请选择"), ...opts.map((o) => h("option", { value: String(o.value), selected: String(o.value) === String(value) }, o.text))]);
      } else if (field.kind === "multi-departments") {
        input = h("select", { ...common, multiple: true, size: 4,
          onChange: (e) => set(field.name, Array.from(e.target.selectedOptions, (o) => o.value)) },
        departmentOptions.value.map((o) => h("option", { value: String(o.value) }, o.text)));
      } else if (field.kind === "longtext" || ["reason", "comment", "note", "question", "answer", "resolution", "text", "instructions"].includes(field.name)) {
        input = h("textarea", { ...common, rows: 3, maxlength: field.maxLength, value, onInput });
      } else {
        const type = { number: "number", datetime: "datetime-local", date: "date" }[field.kind] || "text";
        input = h("input", { ...common, type, value, maxlength: field.maxLength, onInput });
      }
      return h("div", { class: ["field", error ? "has-error" : ""] }, [
        h("label", { for: id }, [field.caption, field.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null]),
        input,
        error ? h("p", { class: "field-error", id: `${id}-error` }, error) : null,
      ]);
    };

    return () => h(EP.ElDialog, {
      modelValue: true, title, width: "520px", appendToBody: true, closeOnClickModal: false,
      "onUpdate:modelValue": (open) => { if (!open) emit("close"); },
    }, {
      default: () => (fields.value === null ? h(EP.ElSkeleton, { rows: 3, animated: true })
        : h("form", { class: "desk-form", id: `${uid}-form`, novalidate: true, onSubmit: submit }, [
          fields.value.length ? null : h("p", { class: "notice" }, `确认${title}？`),
          ...fields.value.map(control),
          message.value ? h("p", { class: "error-box", role: "alert" }, message.value) : null,
        ])),
      footer: () => [
        h(EP.ElButton, { onClick: () => emit("close") }, () => "取消"),
        h(EP.ElButton, { type: "primary", loading: sending.value, disabled: fields.value === null, onClick: submit }, () => "确定"),
      ],
    });
  },
});
