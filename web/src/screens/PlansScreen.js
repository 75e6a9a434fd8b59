// 一企一策: an enterprise's plan (situation, measures with their department and date, contingency), its
// versions, editing (a save is version n+1, sent with If-Match = the version read) and approval.
import { defineComponent, h, ref, shallowRef } from "../core/vue.js";
import { api, etagOf } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { session } from "../core/session.js";
import { label, options } from "../core/labels.js";
import { date as formatDate, dateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

export default defineComponent({
  name: "PlansScreen",
  setup() {
    const enterpriseId = Number(route.query.enterprise) || null;
    const versionAsked = Number(route.query.version) || null;
    const enterprises = shallowRef(null);
    const departments = shallowRef([]);
    const plan = ref(null);
    const versions = ref([]);
    const error = ref("");
    const missing = ref(false);
    const editing = ref(null);
    const editError = ref("");
    const path = `/enterprises/${enterpriseId}/plan`;
    const canAct = session.user.role === "coordinator";

    api.all("/enterprises").then((list) => { enterprises.value = list; }, (f) => { error.value = f.message; enterprises.value = []; });
    api.all("/departments").then((list) => { departments.value = list; }, () => {});
    const load = async () => {
      if (!enterpriseId) return;
      try {
        plan.value = versionAsked ? await api.get(`${path}/versions/${versionAsked}`) : await api.get(path);
        if (versionAsked) await api.get(path).catch(() => {}); // the current version's ETag for a save
        versions.value = (await api.get(`${path}/versions`, { limit: 50 })).items;
        missing.value = false;
      } catch (failure) {
        if (failure.status === 404) missing.value = true;
        else error.value = failure.message;
      }
    };
    load();

    // Only the enterprise's own county task force approves, and never the plan's own author.
    const mayApprove = () => {
      const enterprise = enterprises.value?.find((e) => e.id === enterpriseId);
      return Boolean(enterprise) && session.user.region?.id === enterprise.region_id && plan.value.created_by_id !== session.user.id;
    };
    const departmentName = (id) => departments.value.find((d) => d.id === id)?.name || "—";
    const startEdit = () => {
      const p = plan.value || {};
      editing.value = { situation: p.situation || "", contingency: p.contingency || "",
        measures: (p.measures || []).map((m) => ({ ...m, responsible_department: m.responsible_department ?? "", due_date: m.due_date || "" })) };
      editError.value = "";
    };
    const save = async () => {
      const body = {
        situation: editing.value.situation.trim(), contingency: editing.value.contingency.trim(),
        measures: editing.value.measures.filter((m) => m.content.trim()).map((m) => ({
          content: m.content.trim(), status: m.status || "planned",
          responsible_department: m.responsible_department ? Number(m.responsible_department) : null, due_date: m.due_date || null })),
      };
      try {
        const etag = etagOf(path);
        await api.put(path, body, etag ? { ifMatch: etag } : {});
        toast("已保存为新版本", "success");
        editing.value = null;
        if (versionAsked) navigate(`/app/plans?enterprise=${enterpriseId}`);
        else await load();
      } catch (failure) {
        editError.value = failure.message;
        if (failure.status === 412 || failure.status === 409) await load();
      }
    };
    const approve = async () => {
      try {
        await api.post(`${path}/approve`, {}, { ifMatch: etagOf(path) });
        toast("已审批通过", "success");
        await load();
      } catch (failure) {
        toast(failure.message, "error", 6000);
        await load();
      }
    };
    const setMeasure = (i, key, value) => {
      const measures = editing.value.measures.map((m, j) => (j === i ? { ...m, [key]: value } : m));
      editing.value = { ...editing.value, measures };
    };

    const view = (p) => [
      h("p", { class: "meta" }, [
        h("strong", `第 ${p.version} 版`), h("span", { class: "tag" }, label("plan_status", p.status)),
        h("span", { class: "muted" }, `${p.created_by_name || ""} · ${dateTime(p.created_at)}`),
        p.approved_by_name ? h("span", `审批：${p.approved_by_name} ${dateTime(p.approved_at)}`) : null,
      ]),
      h("h3", "企业现状"), h("p", p.situation || "—"),
      h("h3", "帮扶措施"),
      h("table", { class: "ledger" }, [
        h("caption", { class: "visually-hidden" }, "帮扶措施"),
        h("thead", h("tr", ["措施", "责任部门", "完成时限", "进度"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", (p.measures || []).map((m, i) => h("tr", { key: i }, [
          h("td", m.content), h("td", departmentName(m.responsible_department)), h("td", m.due_date ? formatDate(m.due_date) : "—"),
          h("td", label("measure_status", m.status))]))),
      ]),
      h("h3", "应急预案"), h("p", p.contingency || "—"),
    ];

    const editor = () => h("form", { class: "desk-form", novalidate: true, onSubmit: (e) => { e.preventDefault(); save(); } }, [
      h(TextField, { label: "企业现状", multiline: true, modelValue: editing.value.situation, "onUpdate:modelValue": (v) => { editing.value = { ...editing.value, situation: v }; } }),
      h("fieldset", { class: "problem-block" }, [
        h("legend", "帮扶措施"),
        ...editing.value.measures.map((m, i) => h("div", { class: "filters", key: i }, [
          h(TextField, { label: `措施 ${i + 1}`, modelValue: m.content, "onUpdate:modelValue": (v) => setMeasure(i, "content", v) }),
          h(SelectField, { label: `措施 ${i + 1} 责任部门`, modelValue: m.responsible_department, options: departments.value.map((d) => ({ value: d.id, text: d.name })),
            placeholder: "未指定", "onUpdate:modelValue": (v) => setMeasure(i, "responsible_department", v) }),
          h(TextField, { label: `措施 ${i + 1} 完成时限`, type: "date", modelValue: m.due_date, "onUpdate:modelValue": (v) => setMeasure(i, "due_date", v) }),
          h(SelectField, { label: `措施 ${i + 1} 进度`, modelValue: m.status || "planned", options: options("measure_status"),
            "onUpdate:modelValue": (v) => setMeasure(i, "status", v) }),
          h("div", { class: "field" }, h("button", { type: "button", class: "link-button", onClick: () => {
            editing.value = { ...editing.value, measures: editing.value.measures.filter((_, j) => j !== i) };
          } }, `删除措施 ${i + 1}`)),
        ])),
        h(EP.ElButton, { onClick: () => { editing.value = { ...editing.value, measures: [...editing.value.measures, { content: "", responsible_department: "", due_date: "", status: "planned" }] }; } },
          () => "添加措施"),
      ]),
      h(TextField, { label: "应急预案", multiline: true, modelValue: editing.value.contingency, "onUpdate:modelValue": (v) => { editing.value = { ...editing.value, contingency: v }; } }),
      editError.value ? h("p", { class: "error-box", role: "alert" }, editError.value) : null,
      h("div", { class: "action-bar" }, [
        h(EP.ElButton, { type: "primary", nativeType: "submit" }, () => "保存"),
        h(EP.ElButton, { onClick: () => { editing.value = null; } }, () => "取消"),
      ]),
    ]);

    return () => h(DeskPage, { title: "一企一策" }, {
      tools: () => h("div", { class: "desk-tools" }, [
        enterprises.value === null ? null : h(SelectField, { label: "企业", modelValue: enterpriseId || "", placeholder: "请选择企业",
          options: enterprises.value.map((e) => ({ value: e.id, text: e.name })),
          "onUpdate:modelValue": (v) => navigate(v ? `/app/plans?enterprise=${v}` : "/app/plans") }),
      ]),
      default: () => {
        if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
        if (!enterpriseId) return h("p", { class: "notice" }, "请选择企业，查看和编辑它的一企一策。");
        if (missing.value) {
          return [h("p", { class: "notice" }, "这家企业还没有一企一策。"),
            canAct && !editing.value ? h(EP.ElButton, { type: "primary", onClick: startEdit }, () => "制定一企一策") : null,
            editing.value ? editor() : null];
        }
        if (!plan.value) return h(EP.ElSkeleton, { rows: 8, animated: true });
        const current = versions.value[0]?.version === plan.value.version;
        return h("div", { class: "detail-grid" }, [
          h("div", { class: "desk-card" }, [
            editing.value ? editor() : view(plan.value),
            !editing.value && canAct ? h("div", { class: "action-bar" }, [
              h(EP.ElButton, { onClick: startEdit }, () => (current ? "编辑" : "以此版本为基础编辑")),
              current && plan.value.status !== "approved" && mayApprove() ? h(EP.ElButton, { type: "primary", onClick: approve }, () => "审批通过") : null,
            ]) : null,
          ]),
          h("div", { class: "desk-card" }, [
            h("h3", "历史版本"),
            h("ol", { class: "plain" }, versions.value.map((v) => h("li", { key: v.version }, [
              h("a", { href: `/app/plans?enterprise=${enterpriseId}&version=${v.version}`,
                "aria-current": v.version === plan.value.version ? "true" : undefined }, `第 ${v.version} 版`),
              ` · ${label("plan_status", v.status)} · ${dateTime(v.created_at)}`,
            ]))),
          ]),
        ]);
      },
    });
  },
});
