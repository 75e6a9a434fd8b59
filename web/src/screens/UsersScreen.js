// 用户管理 (admin): the accounts with their role and binding, search and role filter, a new account,
// unlocking a locked one, disabling and enabling (PATCH with the ETag of the account just read).
import { defineComponent, h, ref } from "../core/vue.js";
import { api } from "../core/api.js";
import { cursorList } from "../core/pages.js";
import { route, navigate } from "../core/router.js";
import { labels, label, options } from "../core/labels.js";
import { shortDateTime } from "../core/format.js";
import { toast } from "../core/toast.js";
import DeskPage, { EP } from "../components/DeskPage.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

const EMPTY = { username: "", name: "", password: "", role: "", region_id: "" };

export default defineComponent({
  name: "UsersScreen",
  setup() {
    const q = route.query.q || "";
    const role = route.query.role || "";
    const { rows, total, cursor, error, load } = cursorList(
      "/users", () => ({ q: q || undefined, role: role || undefined, limit: 50 }));
    const search = ref(q);
    const creating = ref(false);
    const form = ref({ ...EMPTY });
    const formErrors = ref({});
    const formMessage = ref("");

    load();
    const apply = (change) => {
      const params = new URLSearchParams(Object.entries({ q, role, ...change }).filter(([, v]) => v));
      navigate(`/app/users${params.toString() ? `?${params}` : ""}`);
    };

    const create = async () => {
      formMessage.value = "";
      const body = Object.fromEntries(Object.entries(form.value).filter(([, v]) => v !== ""));
      if (body.region_id) body.region_id = Number(body.region_id);
      try {
        await api.post("/users", body);
        toast(`已创建账号 ${body.username}`, "success");
        creating.value = false;
        form.value = { ...EMPTY };
        await load();
      } catch (failure) {
        formMessage.value = failure.message;
        formErrors.value = Object.fromEntries(Object.entries(failure.fieldErrors || {}).map(([k, v]) => [k, [].concat(v).join("；")]));
      }
    };
    const unlock = async (user) => {
      try {
        await api.post(`/users/${user.id}/unlock`, {});
        toast(`已解锁 ${user.username}`, "success");
        await load();
      } catch (failure) { toast(failure.message, "error", 6000); }
    };
    const setActive = async (user, active) => {
      try {
        await api.get(`/users/${user.id}`); // the ETag this change is based on
        await api.patch(`/users/${user.id}`, { is_active: active });
        toast(active ? `已启用 ${user.username}` : `已停用 ${user.username}`, "success");
        await load();
      } catch (failure) { toast(failure.message, "error", 6000); }
    };
    const field = (name, caption, extra = {}) => h(TextField, { label: caption, modelValue: form.value[name], error: formErrors.value[name]?.toString() || "",
      "onUpdate:modelValue": (v) => { form.value = { ...form.value, [name]: v }; }, ...extra });

    return () => h(DeskPage, { title: "用户管理" }, {
      tools: () => h("div", { class: "desk-tools" }, [
        h("span", { class: "count", role: "status" }, total.value === null ? "" : `共 ${total.value} 个账号`),
        h(EP.ElButton, { type: "primary", onClick: () => { creating.value = true; } }, () => "新建用户"),
      ]),
      default: () => [
        h("div", { class: "filters", role: "search", "aria-label": "筛选账号" }, [
          h("form", { class: "field", onSubmit: (e) => { e.preventDefault(); apply({ q: search.value.trim() }); } }, [
            h("label", { for: "users-search" }, "搜索"),
            h("input", { id: "users-search", type: "search", value: search.value, placeholder: "用户名或姓名", onInput: (e) => { search.value = e.target.value; } }),
          ]),
          h(SelectField, { label: "角色", modelValue: role, options: options("role"), placeholder: "全部", "onUpdate:modelValue": (v) => apply({ role: v }) }),
        ]),
        error.value ? h("p", { class: "error-box", role: "alert" }, error.value) : null,
        rows.value === null ? h(EP.ElSkeleton, { rows: 8, animated: true }) : h("table", { class: "ledger" }, [
          h("caption", { class: "visually-hidden" }, "账号列表"),
          h("thead", h("tr", ["用户名", "姓名", "角色", "区划", "单位或企业", "状态", "创建时间", "操作"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", rows.value.map((u) => h("tr", { key: u.id }, [
            h("td", u.username), h("td", u.name), h("td", label("role", u.role)), h("td", u.region_name || "—"),
            h("td", u.department_name || u.enterprise_name || "—"),
            h("td", [u.is_active ? "启用" : "已停用", u.locked_until && new Date(u.locked_until) > new Date() ? h("span", { class: "overdue" }, " 已锁定") : null,
              u.mfa_enabled ? h("span", { class: "muted" }, " · 动态验证码") : null]),
            h("td", shortDateTime(u.created_at)),
            h("td", h("div", { class: "action-bar" }, [
              u.locked_until ? h(EP.ElButton, { size: "small", "aria-label": `解锁 ${u.username}`, onClick: () => unlock(u) }, () => "解锁") : null,
              h(EP.ElButton, { size: "small", "aria-label": `${u.is_active ? "停用" : "启用"} ${u.username}`, onClick: () => setActive(u, !u.is_active) },
                () => (u.is_active ? "停用" : "启用")),
            ])),
          ]))),
        ]),
        cursor.value ? h("div", { class: "pager" }, h(EP.ElButton, { onClick: () => load(true) }, () => "加载更多")) : null,
        creating.value ? h(EP.ElDialog, { modelValue: true, title: "新建用户", width: "520px", appendToBody: true,
          "onUpdate:modelValue": (open) => { if (!open) creating.value = false; } }, {
          default: () => h("form", { class: "desk-form", novalidate: true, onSubmit: (e) => { e.preventDefault(); create(); } }, [
            field("username", "用户名", { required: true, autocomplete: "off" }),
            field("name", "姓名", { required: true }),
            field("password", "初始密码", { required: true, type: "password", autocomplete: "new-password" }),
            h(SelectField, { label: "角色", required: true, modelValue: form.value.role, options: options("role"), error: formErrors.value.role?.toString() || "",
              "onUpdate:modelValue": (v) => { form.value = { ...form.value, role: v }; } }),
            h(SelectField, { label: "所属区划", modelValue: form.value.region_id, options: labels.regions.map((r) => ({ value: r.id, text: r.name })),
              error: formErrors.value.region_id?.toString() || "", "onUpdate:modelValue": (v) => { form.value = { ...form.value, region_id: v }; } }),
            formMessage.value ? h("p", { class: "error-box", role: "alert" }, formMessage.value) : null,
          ]),
          footer: () => [h(EP.ElButton, { onClick: () => { creating.value = false; } }, () => "取消"),
            h(EP.ElButton, { type: "primary", onClick: create }, () => "确定")],
        }) : null,
      ],
    });
  },
});
