// 提交诉求: an enterprise files a problem for itself. Offline it waits in the queue.
import { toast } from "../core/toast.js";
import { defineComponent, h, reactive, ref, vant } from "../core/vue.js";
import { api, newKey } from "../core/api.js";
import { enqueue } from "../core/queue.js";
import { options } from "../core/labels.js";
import { session } from "../core/session.js";
import { navigate } from "../core/router.js";
import { refresh as refreshSync } from "../core/sync.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

export default defineComponent({
  name: "RequestScreen",
  setup() {
    const form = reactive({ category: "", title: "", description: "", scope: "county", urgency: "normal" });
    const errors = ref({});
    const message = ref("");
    const busy = ref(false);
    const key = newKey(); // one request, however many times the button is pressed

    const submit = async (event) => {
      event.preventDefault();
      const found = {};
      if (!form.category) found.category = "请选择问题类别";
      if (!form.title.trim()) found.title = "请填写问题标题";
      if (!form.description.trim()) found.description = "请填写问题描述";
      errors.value = found;
      message.value = Object.keys(found).length ? "请先补全标红的内容" : "";
      if (message.value) return;
      const body = { enterprise_id: session.user.enterprise.id, category: form.category, title: form.title.trim(),
                     description: form.description.trim(), scope: form.scope || "county", urgency: form.urgency || "normal" };
      busy.value = true;
      try {
        const created = await api.post("/problems", body, { key });
        toast("诉求已提交", "success");
        refreshSync();
        navigate(`/app/problems/${created.id}`, { replace: true });
      } catch (failure) {
        if (failure.offline) {
          await enqueue({ kind: "request", label: `诉求 ${body.title}`, path: "/problems", body, key });
          toast("已离线保存，联网后自动发送");
          navigate("/app/requests", { replace: true });
        } else {
          message.value = failure.message;
          errors.value = Object.fromEntries(Object.entries(failure.fieldErrors).map(([k, v]) => [k, [v].flat().join("；")]));
        }
      } finally {
        busy.value = false;
      }
    };
    const model = (field) => ({ modelValue: form[field], "onUpdate:modelValue": (v) => { form[field] = v; }, error: errors.value[field] || "" });

    return () => h("form", { class: "card", onSubmit: submit, novalidate: true }, [
      h(SelectField, { label: "问题类别", options: options("problem_category"), required: true, ...model("category") }),
      h(TextField, { label: "问题标题", required: true, maxlength: 200, ...model("title") }),
      h(TextField, { label: "问题描述", multiline: true, required: true, ...model("description") }),
      h(SelectField, { label: "问题范围", options: options("problem_scope"), required: true, ...model("scope") }),
      h(SelectField, { label: "紧急程度", options: options("urgency"), ...model("urgency") }),
      message.value ? h("p", { class: "error", role: "alert" }, message.value) : null,
      h(vant.Button, { type: "primary", block: true, nativeType: "submit", loading: busy.value, loadingText: "提交中…" }, () => "提交"),
    ]);
  },
});
