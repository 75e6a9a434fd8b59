// 对接会: the sessions of the caller's region (and those above and below it) with the invited needs and their
// outcomes; coordinators organise one (组织对接会) and record outcomes afterwards (登记成果).
import { computed, defineComponent, h, reactive, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label, options } from "../core/labels.js";
import { session } from "../core/session.js";
import { date, localDate } from "../core/format.js";
import { toast } from "../core/toast.js";
import { needSummary } from "../core/needs.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import InlineForm from "../components/InlineForm.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

const KINDS = { financing: ["financing"], labor: ["labor"], supply_sales: ["supply", "sales"] };

export default defineComponent({
  name: "SessionsScreen",
  setup() {
    const organiser = session.user.role === "coordinator";
    const rows = ref(null);
    const error = ref("");
    const creating = ref(false);
    const recording = ref(null); // [session, entry]
    const needs = ref([]);
    const institutions = ref([]);
    const form = reactive({ kind: "", title: "", held_on: localDate(), place: "", need_ids: [], institution_ids: [] });
    const formMessage = ref("");
    const load = () => api.get("/matching-sessions", { limit: 100 }).then((p) => { rows.value = p.items; }, (f) => { error.value = f.message; });
    load();
    const startCreating = async () => {
      creating.value = true;
      needs.value = await api.all("/needs", { status: "open,matched" });
      institutions.value = (await api.get("/institutions")).items;
    };
    const eligible = computed(() => needs.value.filter((n) => (KINDS[form.kind] || []).includes(n.kind)));
    const toggle = (list, id) => { const i = list.indexOf(id); if (i >= 0) list.splice(i, 1); else list.push(id); };
    const create = async (event) => {
      event.preventDefault();
      formMessage.value = "";
      if (!form.kind || !form.title.trim() || !form.held_on || !form.place.trim() || !form.need_ids.length) {
        formMessage.value = "请填写类型、名称、日期、地点，并至少邀请一项需求";
        return;
      }
      try {
        await api.post("/matching-sessions", { ...form, title: form.title.trim(), place: form.place.trim() });
        toast("对接会已创建，邀请已发送", "success");
        creating.value = false;
        await load();
      } catch (failure) {
        formMessage.value = failure.message;
      }
    };
    const outcomeForm = ([s, entry]) => h(InlineForm, { title: `登记成果：${entry.need.enterprise_name}`, onCancel: () => { recording.value = null; },
      onDone: () => { recording.value = null; load(); },
      fields: [
        { name: "result", label: "结果", type: "select", required: true, options: options("outcome_result") },
        { name: "amount_10k", label: "金额（万元）", type: "number" },
        ...(entry.need.kind === "labor" ? [{ name: "placed", label: "到岗人数", type: "number" }] : []),
        { name: "note", label: "说明", type: "textarea" }],
      send: (v) => {
        const body = { need_id: entry.need_id, result: v.result };
        if (v.amount_10k !== "") body.amount_10k = Number(v.amount_10k);
        if (v.placed !== undefined && v.placed !== "") body.placed = Number(v.placed);
        if (v.note) body.note = v.note;
        return api.post(`/matching-sessions/${s.id}/outcomes`, body);
      } });
    const set = (key) => (v) => { form[key] = v; if (key === "kind") form.need_ids = []; };
    return () => h(DeskPage, { title: "对接会" }, {
      tools: () => (organiser ? h(EP.ElButton, { type: "primary", onClick: startCreating }, () => "组织对接会") : null),
      default: () => [
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        creating.value ? h("form", { class: "card", novalidate: true, onSubmit: create, "aria-label": "组织对接会" }, [
          h("h3", "组织对接会"),
          h(SelectField, { label: "类型", required: true, options: options("session_kind"), modelValue: form.kind, "onUpdate:modelValue": set("kind") }),
          h(TextField, { label: "名称", required: true, modelValue: form.title, "onUpdate:modelValue": set("title") }),
          h(TextField, { label: "日期", type: "date", required: true, modelValue: form.held_on, "onUpdate:modelValue": set("held_on") }),
          h(TextField, { label: "地点", required: true, modelValue: form.place, "onUpdate:modelValue": set("place") }),
          h("fieldset", [h("legend", "邀请需求"), eligible.value.length ? eligible.value.map((n) => h("label", { key: n.id, class: "check" }, [
            h("input", { type: "checkbox", checked: form.need_ids.includes(n.id), onChange: () => toggle(form.need_ids, n.id) }),
            ` ${n.enterprise_name}：${needSummary(n)}`])) : h("p", { class: "muted" }, form.kind ? "没有可邀请的需求" : "请先选择类型")]),
          h("fieldset", [h("legend", "邀请金融机构"), institutions.value.map((i) => h("label", { key: i.id, class: "check" }, [
            h("input", { type: "checkbox", checked: form.institution_ids.includes(i.id), onChange: () => toggle(form.institution_ids, i.id) }),
            ` ${i.name}`]))]),
          formMessage.value ? h("p", { class: "error-box", role: "alert" }, formMessage.value) : null,
          h("div", { class: "form-buttons" }, [
            h(EP.ElButton, { type: "primary", nativeType: "submit" }, () => "确定"),
            h(EP.ElButton, { onClick: () => { creating.value = false; } }, () => "取消")]),
        ]) : null,
        recording.value ? outcomeForm(recording.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : rows.value.length === 0
          ? h("p", { class: "notice" }, "还没有对接会。")
          : h("ul", { class: "plain", "aria-label": "对接会列表" }, rows.value.map((s) => h("li", { key: s.id, class: "card" }, [
            h("h3", `${s.title}（${label("session_kind", s.kind)}）`),
            h("p", `${date(s.held_on)} · ${s.place} · ${s.region_name} · 组织：${s.organiser_name || "—"}`),
            h("table", { class: "ledger" }, [
              h("caption", { class: "visually-hidden" }, `${s.title}的受邀需求`),
              h("thead", h("tr", ["企业", "需求", "结果", "金额（万元）", "到岗", "说明", "操作"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", s.needs.map((entry) => h("tr", { key: entry.need_id }, [
                h("td", entry.need.enterprise_name), h("td", label("need_kind", entry.need.kind)),
                h("td", entry.result ? label("outcome_result", entry.result) : "待登记"), h("td", entry.amount_10k ?? "—"),
                h("td", entry.placed ?? "—"), h("td", entry.note || "—"),
                h("td", organiser && !entry.result && session.user.region?.id === s.region_id
                  ? h(EP.ElButton, { size: "small", "aria-label": `登记成果 ${entry.need.enterprise_name}`, onClick: () => { recording.value = [s, entry]; } },
                    () => "登记成果") : null),
              ]))),
            ]),
          ]))),
      ],
    });
  },
});
