// 月度报表: the enterprise files (or replaces, with If-Match) a month's status report; past months below.
import { toast } from "../core/toast.js";
import { defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { options, label } from "../core/labels.js";
import { session } from "../core/session.js";
import { month } from "../core/format.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

export default defineComponent({
  name: "MonthlyReportScreen",
  setup() {
    const enterpriseId = session.user.enterprise.id;
    const base = `/enterprises/${enterpriseId}/status-reports`;
    const reports = ref([]);
    const form = reactive({ period: month(), operating_status: "", employees: "", revenue_10k: "", capacity_pct: "", note: "" });
    const message = ref("");
    const busy = ref(false);

    const load = async () => {
      try {
        reports.value = await api.all(base);
      } catch (failure) {
        message.value = failure.message;
      }
    };
    load();

    const submit = async (event) => {
      event.preventDefault();
      message.value = "";
      if (!/^\d{4}-\d{2}$/.test(form.period) || !form.operating_status || form.employees === "") {
        message.value = "请填写月份、经营状态和在岗人数";
        return;
      }
      const body = { operating_status: form.operating_status, employees: Number(form.employees), note: form.note.trim() };
      if (form.revenue_10k !== "") body.revenue_10k = Number(form.revenue_10k);
      if (form.capacity_pct !== "") body.capacity_pct = Number(form.capacity_pct);
      const existing = reports.value.find((r) => r.period === form.period);
      busy.value = true;
      try {
        await api.put(`${base}/${form.period}`, body, { ifMatch: existing ? `"${existing.version}"` : undefined });
        toast(existing ? "报表已更新" : "报表已提交", "success");
        await load();
      } catch (failure) {
        message.value = failure.message;
        if (failure.status === 412) await load();
      } finally {
        busy.value = false;
      }
    };
    const model = (field) => ({ modelValue: form[field], "onUpdate:modelValue": (v) => { form[field] = v; } });

    return () => h("section", [
      h("form", { class: "card", onSubmit: submit, novalidate: true }, [
        h("h2", "填报月度经营情况"),
        h(TextField, { label: "月份", type: "month", required: true, ...model("period") }),
        h(SelectField, { label: "经营状态", options: options("operating_status"), required: true, ...model("operating_status") }),
        h(TextField, { label: "在岗人数", type: "number", min: 0, inputmode: "numeric", required: true, ...model("employees") }),
        h(TextField, { label: "营业收入（万元）", type: "number", min: 0, step: "0.01", inputmode: "decimal", ...model("revenue_10k") }),
        h(TextField, { label: "产能利用率（%）", type: "number", min: 0, max: 100, step: "0.1", inputmode: "decimal", ...model("capacity_pct") }),
        h(TextField, { label: "备注", multiline: true, ...model("note") }),
        message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
        h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value }, () => "提交报表"),
      ]),
      h("div", { class: "card" }, [
        h("h3", "已填报"),
        reports.value.length ? h("table", { class: "table" }, [
          h("thead", [h("tr", ["月份", "经营状态", "在岗人数", "营业收入（万元）", "产能利用率"].map((t) => h("th", { scope: "col" }, t)))]),
          h("tbody", reports.value.map((r) => h("tr", { key: r.period }, [
            h("th", { scope: "row" }, r.period), h("td", label("operating_status", r.operating_status)), h("td", r.employees),
            h("td", r.revenue_10k ?? "—"), h("td", r.capacity_pct === null || r.capacity_pct === undefined ? "—" : `${r.capacity_pct}%`),
          ]))),
        ]) : h("p", { class: "muted" }, "尚未填报"),
      ]),
    ]);
  },
});
