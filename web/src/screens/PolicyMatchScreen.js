// 不来即享, without signing in: describe the business, see the policies it can enjoy and why.
import { computed, defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { labels, loadLabels, options } from "../core/labels.js";
import { session } from "../core/session.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";
import PolicyList from "../components/PolicyList.js";

export default defineComponent({
  name: "PolicyMatchScreen",
  setup() {
    loadLabels();
    const form = reactive({ entity_type: "", scale: "", industry: "", region_id: "", employees: "" });
    const result = ref(null);
    const message = ref("");
    const busy = ref(false);
    const regionOptions = computed(() => labels.regions.filter((r) => r.level === "county")
      .map((r) => ({ value: r.id, text: r.name })));

    const submit = async (event) => {
      event.preventDefault();
      message.value = "";
      if (!form.entity_type || !form.scale || !form.industry || !form.region_id) {
        message.value = "请选择主体类型、企业规模、所属行业和所在县区";
        return;
      }
      const body = { entity_type: form.entity_type, scale: form.scale, industry: form.industry, region_id: Number(form.region_id) };
      if (form.employees !== "") body.employees = Number(form.employees);
      busy.value = true;
      try {
        result.value = await api.post("/policies/match", body, { auth: false });
      } catch (failure) {
        message.value = failure.message;
      } finally {
        busy.value = false;
      }
    };
    const model = (field) => ({ modelValue: form[field], "onUpdate:modelValue": (v) => { form[field] = v; } });

    return () => h("section", [
      h("form", { class: "card", onSubmit: submit, novalidate: true }, [
        h("h2", "不来即享：查一查能享受哪些惠企政策"),
        labels.error && !labels.ready ? h("p", { class: "error", role: "alert" }, `选项暂时无法加载：${labels.error}`) : null,
        h(SelectField, { label: "主体类型", options: options("entity_type"), required: true, ...model("entity_type") }),
        h(SelectField, { label: "企业规模", options: options("scale"), required: true, ...model("scale") }),
        h(SelectField, { label: "所属行业", options: options("industry"), required: true, ...model("industry") }),
        h(SelectField, { label: "所在县区", options: regionOptions.value, required: true, ...model("region_id") }),
        h(TextField, { label: "从业人数", type: "number", min: 0, inputmode: "numeric", ...model("employees") }),
        message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
        h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value }, () => "查询可享政策"),
        session.user ? null : h("p", { class: "hint" }, [h("a", { href: "/app/login" }, "已有账号？登录")]),
      ]),
      result.value ? h(PolicyList, { result: result.value }) : null,
    ]);
  },
});
