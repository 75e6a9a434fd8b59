// 登记清欠案件 / 修改 in a dialog: creditor (on filing), debtor, kind, origin, amounts (万元 strings) and, for
// coordinators, 疑难复杂. The caller sends it; the server's reasons show per field.
import { defineComponent, h, reactive } from "../core/vue.js";
import { options } from "../core/labels.js";
import { toCents } from "../core/money.js";
import { EP } from "./DeskPage.js";
import SelectField from "./SelectField.js";
import TextField from "./TextField.js";

export default defineComponent({
  name: "ArrearsForm",
  props: { title: { type: String, required: true }, item: { type: Object, default: null },
    enterprises: { type: Array, default: null }, mayFlagComplex: Boolean, send: { type: Function, required: true } },
  emits: ["close"],
  setup(props, { emit }) {
    const c = props.item || {};
    const form = reactive({ creditor_enterprise_id: "", debtor_name: c.debtor_name || "", debtor_kind: c.debtor_kind || "",
      origin: c.origin || "", amount_10k: c.amount_10k || "", disputed_10k: c.disputed_10k || "0.00", complex: !!c.complex });
    const state = reactive({ sending: false, error: "", fields: {} });
    const submit = async (event) => {
      event?.preventDefault();
      const fields = {};
      if (props.enterprises && !form.creditor_enterprise_id) fields.creditor_enterprise_id = "请选择债权企业";
      if (!form.debtor_name.trim()) fields.debtor_name = "请填写债务人";
      if (!form.debtor_kind) fields.debtor_kind = "请选择债务人类型";
      if (toCents(form.amount_10k) === null) fields.amount_10k = "万元，最多两位小数";
      if (toCents(form.disputed_10k) === null) fields.disputed_10k = "万元，最多两位小数";
      state.fields = fields;
      if (Object.keys(fields).length) return;
      const body = { debtor_name: form.debtor_name.trim(), debtor_kind: form.debtor_kind, origin: form.origin.trim(),
        amount_10k: form.amount_10k.trim(), disputed_10k: form.disputed_10k.trim() };
      if (props.enterprises) body.creditor_enterprise_id = Number(form.creditor_enterprise_id);
      if (props.mayFlagComplex) body.complex = form.complex;
      state.sending = true;
      state.error = "";
      try {
        await props.send(body);
        emit("close");
      } catch (failure) {
        state.error = failure.message;
        state.fields = Object.fromEntries(Object.entries(failure.fieldErrors || {}).map(([k, v]) => [k, [].concat(v).join("；")]));
      } finally {
        state.sending = false;
      }
    };
    const text = (key, caption, extra = {}) => h(TextField, { label: caption, modelValue: form[key], error: state.fields[key] || "",
      "onUpdate:modelValue": (v) => { form[key] = v; }, ...extra });
    return () => h(EP.ElDialog, { modelValue: true, title: props.title, width: "520px", appendToBody: true,
      "onUpdate:modelValue": (open) => { if (!open) emit("close"); } }, {
      default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: submit }, [
        props.enterprises ? h(SelectField, { label: "债权企业", required: true, modelValue: form.creditor_enterprise_id,
          options: props.enterprises.map((e) => ({ value: e.id, text: e.name })), error: state.fields.creditor_enterprise_id || "",
          "onUpdate:modelValue": (v) => { form.creditor_enterprise_id = v; } }) : null,
        text("debtor_name", "债务人", { required: true }),
        h(SelectField, { label: "债务人类型", required: true, modelValue: form.debtor_kind, options: options("debtor_kind"),
          error: state.fields.debtor_kind || "", "onUpdate:modelValue": (v) => { form.debtor_kind = v; } }),
        text("origin", "欠款来源", { multiline: true }),
        text("amount_10k", "欠款金额（万元）", { required: true, inputmode: "decimal" }),
        text("disputed_10k", "有分歧金额（万元）", { inputmode: "decimal" }),
        props.mayFlagComplex ? h("div", { class: "field" }, h("label", [
          h("input", { type: "checkbox", checked: form.complex, onChange: (e) => { form.complex = e.target.checked; } }),
          " 疑难复杂（纳入州专班挂牌督办）"])) : null,
        state.error ? h("p", { class: "error-box", role: "alert" }, state.error) : null,
      ]),
      footer: () => [h(EP.ElButton, { onClick: () => emit("close") }, () => "取消"),
        h(EP.ElButton, { type: "primary", loading: state.sending, onClick: submit }, () => "确定")],
    });
  },
});
