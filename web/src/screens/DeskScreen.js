// The desk roles' home until the workbench screens (问题台账, 待办任务, 日调度 …) are added to routes.js.
import { defineComponent, h } from "../core/vue.js";
import { session } from "../core/session.js";
import { label } from "../core/labels.js";

export default defineComponent({
  name: "DeskScreen",
  setup() {
    return () => h("section", { class: "card" }, [
      h("h2", `${session.user.name}（${label("role", session.user.role)}）`),
      h("p", "本版本的手机端面向联络员和企业用户；工作台（问题台账、待办任务、日调度等）请在电脑浏览器中使用。"),
      h("p", [h("a", { href: "/api/v1/docs" }, "接口文档")]),
    ]);
  },
});
