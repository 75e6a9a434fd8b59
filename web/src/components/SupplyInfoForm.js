// 补充材料: the answer to the task force's question while the problem waits for it.
import { toast } from "../core/toast.js";
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import TextField from "./TextField.js";

export default defineComponent({
  name: "SupplyInfoForm",
  props: { problem: { type: Object, required: true }, etag: { type: String, default: null } },
  emits: ["done"],
  setup(props, { emit }) {
    const answer = ref("");
    const error = ref("");
    const submit = async (event) => {
      event.preventDefault();
      if (!answer.value.trim()) {
        error.value = "请填写补充的内容";
        return;
      }
      try {
        await api.post(`/problems/${props.problem.id}/supply_info`, { answer: answer.value.trim() }, { ifMatch: props.etag });
        toast("已补充", "success");
        emit("done");
      } catch (failure) {
        error.value = failure.message;
      }
    };
    return () => h("form", { class: "card", onSubmit: submit, novalidate: true }, [
      h("h3", "补充材料"),
      h(TextField, { label: "补充内容", multiline: true, required: true, modelValue: answer.value, "onUpdate:modelValue": (v) => { answer.value = v; } }),
      error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
      h(vant.Button, { type: "primary", block: true, nativeType: "submit" }, () => "补充材料"),
    ]);
  },
});
