import { defineComponent, h } from "../core/vue.js";

export default defineComponent({
  name: "NotFoundScreen",
  setup() {
    return () => h("section", { class: "card" }, [
      h("h2", "页面不存在"),
      h("p", [h("a", { href: "/app/" }, "返回首页")]),
    ]);
  },
});
