// 我的清欠 (phone): the arrears owed to the enterprise (its user) or to the liaison's enterprises, with what
// remains; a cleared case says it waits for 确认销号.
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { label } from "../core/labels.js";
import { wan } from "../core/money.js";

export default defineComponent({
  name: "MyArrearsScreen",
  setup() {
    const rows = ref(null);
    const error = ref("");
    api.all("/arrears").then((items) => { rows.value = items; }, (f) => { error.value = f.message; rows.value = []; });
    return () => h("section", [
      error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
      rows.value === null ? h(vant.Skeleton, { title: true, row: 4 }) : null,
      rows.value?.length === 0 ? h(vant.Empty, { description: "没有登记的拖欠账款" }) : null,
      h("ul", { class: "list", "aria-label": "我的清欠" }, (rows.value || []).map((c) => h("li", { class: "list-item", key: c.id }, [
        h("div", { class: "list-main" }, [
          h("a", { href: `/app/my-arrears/${c.id}`, class: "list-title" }, `${c.debtor_name} 欠款`),
          h("p", { class: "meta" }, [
            h("span", { class: "tag" }, label("arrears_status", c.status)),
            h("span", c.creditor_name),
            h("span", `剩余 ${wan(c.remaining_10k)}`),
            c.status === "cleared" ? h("span", { class: "overdue" }, "待确认销号") : null,
          ]),
        ]),
      ]))),
    ]);
  },
});
