// 满意 / 基本满意 / 不满意 on a resolved problem (不满意 needs a reason). A liaison's 回访 also says
// how the enterprise was asked (电话回访 / 上门回访). Offline, the answer waits in the queue.
import { toast } from "../core/toast.js";
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { options } from "../core/labels.js";
import { api, newKey } from "../core/api.js";
import { enqueue } from "../core/queue.js";
import TextField from "./TextField.js";
import SelectField from "./SelectField.js";

export default defineComponent({
  name: "FeedbackForm",
  props: { problem: { type: Object, required: true }, liaison: Boolean, etag: { type: String, default: null } },
  emits: ["done"],
  setup(props, { emit }) {
    const comment = ref("");
    const method = ref("phone");
    const error = ref("");
    const busy = ref(false);

    const rate = async (rating) => {
      error.value = "";
      if (rating === "unsatisfied" && !comment.value.trim()) {
        error.value = "选择不满意时请填写原因";
        return;
      }
      const body = { rating };
      if (comment.value.trim()) body.comment = comment.value.trim();
      if (props.liaison) body.method = method.value;
      const key = newKey();
      const path = `/problems/${props.problem.id}/feedback`;
      busy.value = true;
      try {
        await api.post(path, body, { key, ifMatch: props.etag });
        toast("评价已提交", "success");
        emit("done");
      } catch (failure) {
        if (failure.offline) {
          await enqueue({ kind: "request", label: `评价 ${props.problem.title}`, path, body, key });
          toast("已离线保存，联网后自动发送");
          emit("done");
        } else {
          error.value = failure.message;
        }
      } finally {
        busy.value = false;
      }
    };

    return () => h("div", { class: "card feedback" }, [
      h("h3", props.liaison ? "回访评价" : "对办理结果的评价"),
      props.liaison ? h(SelectField, { label: "回访方式", options: options("feedback_method").filter((o) => o.value !== "self"),
                                        modelValue: method.value, "onUpdate:modelValue": (v) => { method.value = v; } }) : null,
      h(TextField, { label: "意见或不满意的原因", multiline: true, modelValue: comment.value,
                     "onUpdate:modelValue": (v) => { comment.value = v; } }),
      error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
      h("div", { class: "button-row" }, [
        h(vant.Button, { type: "primary", disabled: busy.value, onClick: () => rate("satisfied") }, () => "满意"),
        h(vant.Button, { type: "primary", plain: true, disabled: busy.value, onClick: () => rate("basically_satisfied") }, () => "基本满意"),
        h(vant.Button, { type: "danger", plain: true, disabled: busy.value, onClick: () => rate("unsatisfied") }, () => "不满意"),
      ]),
    ]);
  },
});
