// 节假日 (admin): the year's statutory holidays and make-up working days (调休) that deadlines count
// with; add or change a day, remove one.
import { defineComponent, h, ref } from "../core/vue.js";
import { api, send } from "../core/api.js";
import { route, navigate } from "../core/router.js";
import { date as formatDate } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

const KINDS = [{ value: "false", text: "法定节假日" }, { value: "true", text: "调休上班日" }];

export default defineComponent({
  name: "HolidaysScreen",
  setup() {
    const thisYear = new Date().getFullYear();
    const year = Number(route.query.year) || thisYear;
    const rows = ref(null);
    const error = ref("");
    const day = ref("");
    const kind = ref("false");
    const note = ref("");
    const formError = ref("");
    const load = async () => {
      try {
        rows.value = (await api.get("/calendar", { year })).items;
      } catch (failure) {
        error.value = failure.message;
        rows.value = rows.value || [];
      }
    };
    load();
    const save = async (event) => {
      event.preventDefault();
      formError.value = "";
      if (!day.value) {
        formError.value = "请选择日期";
        return;
      }
      try {
        await api.put(`/calendar/${day.value}`, { is_workday: kind.value === "true", note: note.value.trim() });
        toast(`已保存 ${formatDate(day.value)}`, "success");
        day.value = "";
        note.value = "";
        await load();
      } catch (failure) {
        formError.value = failure.message;
      }
    };
    const remove = async (row) => {
      try {
        await send("DELETE", `/calendar/${row.day}`);
        toast(`已删除 ${formatDate(row.day)}`, "success");
        await load();
      } catch (failure) { toast(failure.message, "error", 6000); }
    };
    const years = [thisYear - 1, thisYear, thisYear + 1].map((y) => ({ value: y, text: `${y}年` }));
    return () => h(DeskPage, { title: "节假日" }, {
      tools: () => h("div", { class: "desk-tools" }, [
        h(SelectField, { label: "年份", modelValue: year, options: years, placeholder: "请选择", "onUpdate:modelValue": (v) => navigate(`/app/holidays?year=${v}`) }),
      ]),
      default: () => [
        h("form", { class: "filters desk-form", onSubmit: save, novalidate: true, "aria-label": "新增或修改" }, [
          h(TextField, { label: "日期", type: "date", required: true, modelValue: day.value, "onUpdate:modelValue": (v) => { day.value = v; } }),
          h(SelectField, { label: "类型", required: true, modelValue: kind.value, options: KINDS, "onUpdate:modelValue": (v) => { kind.value = v; } }),
          h(TextField, { label: "名称", modelValue: note.value, hint: "如 春节、国庆节调休", "onUpdate:modelValue": (v) => { note.value = v; } }),
          h("div", { class: "field" }, h(EP.ElButton, { type: "primary", nativeType: "submit" }, () => "保存")),
        ]),
        formError.value ? h("p", { class: "error-box", role: "alert" }, formError.value) : null,
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 8, animated: true }) : h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, `${year}年节假日与调休`),
          h("thead", h("tr", ["日期", "类型", "名称", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((r) => h("tr", { key: r.day }, [
            h("td", formatDate(r.day)), h("td", r.is_workday ? "调休上班日" : "法定节假日"), h("td", r.note || "—"),
            h("td", h(EP.ElButton, { size: "small", "aria-label": `删除 ${formatDate(r.day)}`, onClick: () => remove(r) }, () => "删除")),
          ]))),
        ]),
        rows.value?.length === 0 ? h("p", { class: "notice" }, `${year}年没有登记节假日。`) : null,
      ],
    });
  },
});
