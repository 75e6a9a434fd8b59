// 发布需求: the form of a need, built from GET /meta/need-kinds — the same fields, labels and bounds the
// server validates with; labor needs take any number of posts (添加岗位).
import { defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { options } from "../core/labels.js";
import SelectField from "./SelectField.js";
import TextField from "./TextField.js";

let kinds = null;
const loadKinds = () => (kinds ||= api.get("/meta/need-kinds", undefined, { auth: false }));

function blank(fields) {
  return Object.fromEntries(fields.filter((f) => !f.read_only).map((f) => [f.name, f.items ? [blank(f.items)] : ""]));
}

function value(field, raw, errors, path) {
  if (field.items) return raw.map((item, i) => clean(field.items, item, errors, `${path}.${i}`));
  const text = String(raw ?? "").trim();
  if (text === "") {
    if (field.required) errors[path] = `请填写${field.label}`;
    return undefined;
  }
  if (field.type === "number" || field.type === "integer") {
    const n = Number(text);
    if (!Number.isFinite(n) || (field.type === "integer" && !Number.isInteger(n))) errors[path] = `${field.label}须为${field.type === "integer" ? "整数" : "数字"}`;
    else if (field.min !== undefined && field.min !== null && n < field.min) errors[path] = `${field.label}不能小于 ${field.min}`;
    else if (field.max !== undefined && field.max !== null && n > field.max) errors[path] = `${field.label}不能大于 ${field.max}`;
    return n;
  }
  if (field.type === "list") return text.split(/[,，、\s]+/).filter(Boolean);
  return text;
}

function clean(fields, data, errors, path) {
  const out = {};
  for (const field of fields.filter((f) => !f.read_only)) {
    const v = value(field, data[field.name], errors, `${path}.${field.name}`);
    if (v !== undefined) out[field.name] = v;
  }
  return out;
}

export default defineComponent({
  name: "NeedForm",
  props: {
    send: { type: Function, required: true }, // async ({kind, details}) => void
    enterprises: { type: Array, default: null }, // a liaison's choice of enterprise: [{value, text}]
  },
  setup(props) {
    const schema = ref(null);
    const kind = ref("");
    const data = ref({});
    const enterprise = ref("");
    const errors = reactive({});
    const message = ref("");
    const busy = ref(false);
    loadKinds().then((k) => { schema.value = k; }, (f) => { message.value = f.message; });
    const pick = (k) => { kind.value = k; data.value = k ? blank(schema.value[k].fields) : {}; };

    const submit = async (event) => {
      event.preventDefault();
      for (const key of Object.keys(errors)) delete errors[key];
      message.value = "";
      if (!kind.value) { message.value = "请先选择需求类型"; return; }
      if (props.enterprises && !enterprise.value) { message.value = "请选择企业"; return; }
      const found = {};
      const details = clean(schema.value[kind.value].fields, data.value, found, "details");
      Object.assign(errors, found);
      if (Object.keys(found).length) { message.value = "请先补全或更正标出的内容"; return; }
      busy.value = true;
      try {
        await props.send({ kind: kind.value, details, ...(enterprise.value ? { enterprise_id: Number(enterprise.value) } : {}) });
      } catch (failure) {
        message.value = failure.message;
        for (const [key, list] of Object.entries(failure.problem?.errors || {})) errors[key] = list.join("；");
      } finally {
        busy.value = false;
      }
    };

    const input = (field, holder, path) => {
      const bind = { label: field.label, required: field.required, error: errors[path] || "",
        modelValue: holder[field.name], "onUpdate:modelValue": (v) => { holder[field.name] = v; } };
      if (field.type === "enum") return h(SelectField, { key: path, ...bind, options: options(field.enum) });
      const type = { number: "number", integer: "number", date: "date" }[field.type] || "text";
      return h(TextField, { key: path, ...bind, type, hint: field.help || "", step: field.type === "number" ? "any" : undefined,
        multiline: field.max_length > 200, inputmode: type === "number" ? "decimal" : undefined });
    };
    const fieldBlock = (field, holder, path) => {
      if (field.read_only) return null;
      if (!field.items) return input(field, holder, path);
      return h("fieldset", { key: path, class: "posts" }, [
        h("legend", field.label),
        ...holder[field.name].map((item, i) => h("div", { class: "post", key: i, role: "group", "aria-label": `岗位 ${i + 1}` }, [
          ...field.items.map((inner) => fieldBlock(inner, item, `${path}.${i}.${inner.name}`)),
          holder[field.name].length > 1 ? h(vant.Button, { size: "small", nativeType: "button",
            onClick: () => holder[field.name].splice(i, 1) }, () => `删除岗位 ${i + 1}`) : null,
        ])),
        h(vant.Button, { size: "small", nativeType: "button", onClick: () => holder[field.name].push(blank(field.items)) }, () => "添加岗位"),
      ]);
    };

    return () => h("form", { class: "card", novalidate: true, onSubmit: submit }, [
      props.enterprises ? h(SelectField, { label: "企业", required: true, options: props.enterprises, modelValue: enterprise.value,
        "onUpdate:modelValue": (v) => { enterprise.value = v; } }) : null,
      // The kind is chosen once the kinds' fields have arrived: the form is built from them.
      schema.value ? h(SelectField, { label: "需求类型", required: true, options: options("need_kind"), modelValue: kind.value,
        "onUpdate:modelValue": pick }) : h("p", { class: "muted" }, "正在加载表单…"),
      ...(kind.value && schema.value ? schema.value[kind.value].fields.map((f) => fieldBlock(f, data.value, `details.${f.name}`)) : []),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value }, () => "发布"),
    ]);
  },
});
