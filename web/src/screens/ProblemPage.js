// /app/problems/{id}: the phone's 问题详情 for liaisons and enterprise users, the desk's (with every
// workflow action) for the task forces, departments, leaders and admins. Only the screen the role
// uses is loaded.
import { defineComponent, h, shallowRef, watch } from "../core/vue.js";
import { session } from "../core/session.js";

const PHONE_ROLES = ["liaison", "enterprise"];

export default defineComponent({
  name: "ProblemPage",
  setup() {
    const screen = shallowRef(null);
    const failed = shallowRef("");
    watch(() => session.user?.role, async (role) => {
      if (!role) return;
      try {
        const module = PHONE_ROLES.includes(role) ? await import("./ProblemScreen.js") : await import("./DeskProblemScreen.js");
        screen.value = module.default;
      } catch {
        failed.value = "页面加载失败，请检查网络后重试";
      }
    }, { immediate: true });
    return () => (failed.value ? h("p", { class: "error", role: "alert" }, failed.value)
      : screen.value ? h(screen.value) : h("p", { class: "notice", "aria-busy": "true" }, "加载中…"));
  },
});
