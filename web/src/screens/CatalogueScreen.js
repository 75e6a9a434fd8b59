// 供需目录: the prefecture's open supply and sales needs (product, quantity, dates, enterprise, county — no money,
// no contacts), searchable; an enterprise (or its liaison) offers 意向对接 on another's entry.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label, options } from "../core/labels.js";
import { session } from "../core/session.js";
import { toast } from "../core/toast.js";
import InlineForm from "../components/InlineForm.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

const OTHER = { supply: "sales", sales: "supply" };

export default defineComponent({
  name: "CatalogueScreen",
  setup() {
    const role = session.user.role;
    const acts = role === "enterprise" || role === "liaison";
    const q = ref("");
    const kind = ref("");
    const items = ref(null);
    const message = ref("");
    const open = ref(null);
    const done = ref(new Set());
    const mine = ref([]);
    const enterprises = ref([]);
    const load = () => api.get("/needs/catalogue", { q: q.value, kind: kind.value, limit: 100 })
      .then((page) => { items.value = page.items; }, (f) => { message.value = f.message; });
    load();
    if (acts) {
      api.all("/needs", { status: "open", kind: "supply,sales" }).then((list) => { mine.value = list; });
      if (role === "liaison") api.all("/enterprises", { assigned_to_me: true }).then((list) => { enterprises.value = list; });
    }
    const own = (entry) => (role === "enterprise" ? entry.enterprise_id === session.user.enterprise?.id : false);
    const fields = (entry) => [
      ...(role === "liaison" ? [{ name: "enterprise_id", label: "代表企业", type: "select", required: true,
        options: enterprises.value.filter((e) => e.id !== entry.enterprise_id).map((e) => ({ value: e.id, text: e.name })) }] : []),
      { name: "own_need_id", label: "本企业相对的需求（可选）", type: "select",
        options: mine.value.filter((n) => n.kind === OTHER[entry.kind] && n.enterprise_id !== entry.enterprise_id)
          .map((n) => ({ value: n.id, text: `${label("need_kind", n.kind)}：${n.details.product}（${n.enterprise_name}）` })) },
      { name: "note", label: "留言", type: "textarea" },
    ];
    const send = (entry) => async (values) => {
      const body = { note: values.note };
      if (values.own_need_id) body.own_need_id = Number(values.own_need_id);
      if (values.enterprise_id) body.enterprise_id = Number(values.enterprise_id);
      await api.post(`/needs/${entry.id}/interest`, body);
      done.value = new Set([...done.value, entry.id]);
      toast("已提出意向，等待对方确认", "success");
    };
    const search = (event) => { event.preventDefault(); load(); };
    return () => h("section", [
      h("form", { class: "card search-row", role: "search", onSubmit: search }, [
        h(TextField, { label: "搜索", type: "search", modelValue: q.value, "onUpdate:modelValue": (v) => { q.value = v; },
          hint: "产品或企业名称" }),
        h(SelectField, { label: "类型", options: options("need_kind").filter((o) => o.value === "supply" || o.value === "sales"),
          placeholder: "全部", modelValue: kind.value, "onUpdate:modelValue": (v) => { kind.value = v; load(); } }),
        h("button", { type: "submit", class: "button-link primary" }, "查询"),
      ]),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      items.value === null ? h("p", { class: "muted" }, "正在加载…") : items.value.length === 0
        ? h("p", { class: "card muted" }, "目录中没有符合条件的需求。")
        : h("ul", { class: "plain", "aria-label": "供需目录" }, items.value.map((entry) => h("li", { key: entry.id, class: "card" }, [
          h("h3", `${label("need_kind", entry.kind)}：${entry.product}`),
          h("p", `${entry.quantity} ${entry.unit}${entry.by_date ? ` · ${entry.by_date} 前` : ""}${entry.from_date ? ` · ${entry.from_date} 起` : ""}`),
          h("p", { class: "muted" }, `${entry.enterprise_name} · ${entry.region_name} · ${label("industry", entry.industry)}`),
          acts && !own(entry) ? (done.value.has(entry.id) ? h("p", { class: "status" }, "已提出意向")
            : open.value === entry.id
              ? h(InlineForm, { title: `意向对接：${entry.product}`, fields: fields(entry), send: send(entry),
                onDone: () => { open.value = null; }, onCancel: () => { open.value = null; } })
              : h("button", { type: "button", class: "button-link", "aria-label": `意向对接 ${entry.product}（${entry.enterprise_name}）`,
                onClick: () => { open.value = entry.id; } }, "意向对接")) : null,
        ]))),
    ]);
  },
});
