// 用工需求: open labor needs in the caller's region with each post's placed/asked, and 登记招聘 per need.
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { localDate } from "../core/format.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import InlineForm from "../components/InlineForm.js";

export default defineComponent({
  name: "LaborScreen",
  setup() {
    const rows = ref(null);
    const error = ref("");
    const placing = ref(null);
    const load = () => api.all("/needs", { kind: "labor", status: "open,matched" })
      .then((items) => { rows.value = items; }, (f) => { error.value = f.message; });
    load();
    const form = (n) => h(InlineForm, { title: `登记招聘：${n.enterprise_name}`, onCancel: () => { placing.value = null; },
      onDone: () => { placing.value = null; load(); },
      fields: [
        { name: "post_index", label: "岗位", type: "select", required: true,
          options: n.details.posts.map((p, i) => ({ value: i, text: `${p.title}（已招 ${p.placed}/${p.count}）` })) },
        { name: "placed", label: "到岗人数", type: "number", required: true },
        { name: "placed_on", label: "到岗日期", type: "date", required: true, value: localDate() }],
      send: (v) => api.post(`/needs/${n.id}/placements`, { post_index: Number(v.post_index), placed: Number(v.placed), placed_on: v.placed_on }) });
    return () => h(DeskPage, { title: "用工需求" }, {
      default: () => {
        if (error.value) return h("p", { class: "error-box", role: "alert" }, error.value);
        if (rows.value === null) return h(EP.ElSkeleton, { rows: 6, animated: true });
        return [
          h("table", { class: "ledger" }, [
            h("caption", { class: "visually-hidden" }, "用工需求列表"),
            h("thead", h("tr", ["企业", "县区", "岗位（已招/需招）", "最晚到岗", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", rows.value.map((n) => h("tr", { key: n.id }, [
              h("td", h("a", { href: `/app/needs/${n.id}` }, n.enterprise_name)), h("td", n.region_name),
              h("td", n.details.posts.map((p) => `${p.title} ${p.placed}/${p.count}`).join("，")),
              h("td", n.details.start_by || "—"), h("td", label("need_status", n.status)),
              h("td", h(EP.ElButton, { size: "small", type: "primary", "aria-label": `登记招聘 ${n.enterprise_name}`,
                onClick: () => { placing.value = n; } }, () => "登记招聘")),
            ]))),
          ]),
          rows.value.length === 0 ? h("p", { class: "notice" }, "暂无待招聘的用工需求。") : null,
          placing.value ? form(placing.value) : null,
        ];
      },
    });
  },
});
