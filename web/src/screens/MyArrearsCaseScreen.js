// 清欠案件 (phone): the case, its plan, repayments and timeline; once cleared, the creditor (its user, or its
// liaison recording a 回访) presses 确认销号.
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { route } from "../core/router.js";
import { session } from "../core/session.js";
import { options } from "../core/labels.js";
import { toast } from "../core/toast.js";
import ArrearsFacts from "../components/ArrearsFacts.js";
import ArrearsTimeline from "../components/ArrearsTimeline.js";
import SelectField from "../components/SelectField.js";
import TextField from "../components/TextField.js";

export default defineComponent({
  name: "MyArrearsCaseScreen",
  setup() {
    const id = Number(route.params.id);
    const item = ref(null);
    const error = ref("");
    const confirming = ref(false);
    const method = ref("phone");
    const comment = ref("");
    const busy = ref(false);
    const liaison = session.user.role === "liaison";
    const load = () => api.get(`/arrears/${id}`).then((d) => { item.value = d; }, (f) => { error.value = f.message; });
    load();
    const confirm = async () => {
      busy.value = true;
      error.value = "";
      const body = comment.value.trim() ? { comment: comment.value.trim() } : {};
      if (liaison) body.method = method.value;
      try {
        item.value = await api.post(`/arrears/${id}/confirm`, body, { ifMatch: `"${item.value.version}"` });
        confirming.value = false;
        toast("已确认销号", "success");
      } catch (failure) {
        error.value = failure.message;
        if ([409, 412].includes(failure.status)) await load();
      } finally {
        busy.value = false;
      }
    };
    return () => {
      const c = item.value;
      if (!c) return error.value ? h("p", { class: "error", role: "alert" }, error.value) : h(vant.Skeleton, { title: true, row: 6 });
      return h("section", { class: "arrears-case" }, [
        h("h2", `${c.debtor_name} 欠款`),
        error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
        h(ArrearsFacts, { item: c }),
        c.allowed_actions.includes("confirm") && !confirming.value
          ? h("div", { class: "button-row" }, h(vant.Button, { type: "primary", block: true, onClick: () => { confirming.value = true; } }, () => "确认销号"))
          : null,
        confirming.value ? h("div", { class: "card", role: "group", "aria-label": "确认销号" }, [
          h("p", liaison ? "请先向企业回访，确认欠款已全部到账。" : "确认欠款已全部到账后销号。"),
          liaison ? h(SelectField, { label: "回访方式", options: options("feedback_method").filter((o) => o.value !== "self"),
            modelValue: method.value, "onUpdate:modelValue": (v) => { method.value = v; } }) : null,
          h(TextField, { label: liaison ? "回访情况" : "说明", multiline: true, modelValue: comment.value,
            "onUpdate:modelValue": (v) => { comment.value = v; } }),
          h("div", { class: "button-row" }, [
            h(vant.Button, { type: "primary", disabled: busy.value, onClick: confirm }, () => "确定"),
            h(vant.Button, { plain: true, onClick: () => { confirming.value = false; } }, () => "取消"),
          ]),
        ]) : null,
        h("h3", "办理过程"),
        h(ArrearsTimeline, { events: c.events }),
      ]);
    };
  },
});
