// 共性问题: problems of several enterprises grouped under one joint solution — the groups of the caller's
// region with their linked problems, a new group from problem numbers or ids, and 统一办结 (every linked
// problem in progress that the caller's task force holds is resolved with the same result).
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { session } from "../core/session.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import TextField from "../components/TextField.js";
import NoteDialog from "../components/NoteDialog.js";

export default defineComponent({
  name: "CommonProblemsScreen",
  setup() {
    const rows = ref(null);
    const error = ref("");
    const creating = ref(false);
    const resolving = ref(null);
    const form = ref({ title: "", description: "", ids: "" });
    const formMessage = ref("");
    const canAct = session.user.role === "coordinator";

    const load = async () => {
      try {
        rows.value = await api.all("/common-problems");
      } catch (failure) {
        error.value = failure.message;
        rows.value = rows.value || [];
      }
    };
    load();

    const create = async () => {
      formMessage.value = "";
      const ids = form.value.ids.split(/[,，\s]+/).filter(Boolean).map(Number);
      if (!form.value.title.trim() || !ids.length || ids.some((n) => !Number.isInteger(n) || n < 1)) {
        formMessage.value = "请填写名称，并填写至少一个问题 ID（数字，逗号分隔）";
        return;
      }
      try {
        await api.post("/common-problems", { title: form.value.title.trim(), description: form.value.description.trim(), problem_ids: ids });
        toast("已新建共性问题", "success");
        creating.value = false;
        form.value = { title: "", description: "", ids: "" };
        await load();
      } catch (failure) {
        formMessage.value = failure.message;
      }
    };
    const resolve = async (common, resolution) => {
      await api.post(`/common-problems/${common.id}/resolve`, { resolution });
      toast(`已统一办结：${common.title}`, "success");
      await load();
    };
    const set = (key) => (v) => { form.value = { ...form.value, [key]: v }; };

    return () => h(DeskPage, { title: "共性问题" }, {
      tools: () => (canAct ? h(EP.ElButton, { type: "primary", onClick: () => { creating.value = true; } }, () => "新建共性问题") : null),
      default: () => [
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 6, animated: true }) : h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, "共性问题列表"),
          h("thead", h("tr", ["名称", "说明", "区划", "关联问题", "办结", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((c) => h("tr", { key: c.id }, [
            h("td", c.title), h("td", c.description || "—"), h("td", c.region_name),
            h("td", h("ul", { class: "plain" }, c.problem_ids.map((id) => h("li", { key: id }, h("a", { href: `/app/problems/${id}` }, `问题 ${id}`))))),
            h("td", c.resolved_at ? `${shortDateTime(c.resolved_at)}：${c.resolution}` : "未办结"),
            h("td", canAct && !c.resolved_at ? h(EP.ElButton, { size: "small", "aria-label": `统一办结 ${c.title}`, onClick: () => { resolving.value = c; } },
              () => "统一办结") : null),
          ]))),
        ]),
        rows.value?.length === 0 ? h("p", { class: "notice" }, "还没有共性问题。") : null,
        resolving.value ? h(NoteDialog, { title: "统一办结", caption: "办理结果", required: true,
          send: (text) => resolve(resolving.value, text), onClose: () => { resolving.value = null; } }) : null,
        creating.value ? h(EP.ElDialog, { modelValue: true, title: "新建共性问题", width: "520px", appendToBody: true,
          "onUpdate:modelValue": (open) => { if (!open) creating.value = false; } }, {
          default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: (e) => { e.preventDefault(); create(); } }, [
            h(TextField, { label: "名称", required: true, modelValue: form.value.title, "onUpdate:modelValue": set("title") }),
            h(TextField, { label: "说明", multiline: true, modelValue: form.value.description, "onUpdate:modelValue": set("description") }),
            h(TextField, { label: "关联问题 ID", required: true, hint: "问题详情地址中的数字，多个用逗号分隔", modelValue: form.value.ids,
              "onUpdate:modelValue": set("ids") }),
            formMessage.value ? h("p", { class: "error-box", role: "alert" }, formMessage.value) : null,
          ]),
          footer: () => [h(EP.ElButton, { onClick: () => { creating.value = false; } }, () => "取消"),
            h(EP.ElButton, { type: "primary", onClick: create }, () => "确定")],
        }) : null,
      ],
    });
  },
});
