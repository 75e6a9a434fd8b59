// The one-time feedback link (/app/feedback/{token}), without an account: the problem and its
// resolution, 满意 / 基本满意 / 不满意. A used, expired or unknown link says so.
import { defineComponent, h, ref, vant } from "../core/vue.js";
import { api } from "../core/api.js";
import { route } from "../core/router.js";
import TextField from "../components/TextField.js";

export default defineComponent({
  name: "FeedbackLinkScreen",
  setup() {
    const path = `/public/feedback/${encodeURIComponent(route.params.token)}`;
    const item = ref(null);
    const state = ref("loading");
    const comment = ref("");
    const error = ref("");
    const invalid = (failure) => (failure.status === 410 ? failure.message : "链接无效或已过期");

    api.get(path, undefined, { auth: false }).then((data) => { item.value = data; state.value = "open"; },
      (failure) => { error.value = failure.offline ? failure.message : invalid(failure); state.value = "invalid"; });

    const rate = async (rating) => {
      error.value = "";
      if (rating === "unsatisfied" && !comment.value.trim()) {
        error.value = "选择不满意时请填写原因";
        return;
      }
      try {
        await api.post(path, { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) }, { auth: false });
        state.value = "done";
      } catch (failure) {
        error.value = failure.message;
      }
    };

    return () => {
      if (state.value === "loading") return h(vant.Loading, { vertical: true }, () => "加载中…");
      if (state.value === "invalid") return h("section", { class: "card" }, [h("h2", "评价办理结果"), h("p", { class: "error", role: "alert" }, error.value)]);
      if (state.value === "done") return h("section", { class: "card" }, [h("h2", "感谢您的评价"), h("p", "您的评价已记录。")]);
      const p = item.value;
      return h("section", { class: "card" }, [
        h("h2", p.title),
        h("p", { class: "muted" }, `${p.number} · ${p.enterprise_name || ""}`),
        h("h3", "办理结果"),
        h("p", p.resolution),
        h(TextField, { label: "意见或不满意的原因", multiline: true, modelValue: comment.value, "onUpdate:modelValue": (v) => { comment.value = v; } }),
        error.value ? h("p", { class: "error", role: "alert" }, error.value) : null,
        h("div", { class: "button-row" }, [
          h(vant.Button, { type: "primary", onClick: () => rate("satisfied") }, () => "满意"),
          h(vant.Button, { type: "primary", plain: true, onClick: () => rate("basically_satisfied") }, () => "基本满意"),
          h(vant.Button, { type: "danger", plain: true, onClick: () => rate("unsatisfied") }, () => "不满意"),
        ]),
      ]);
    };
  },
});
