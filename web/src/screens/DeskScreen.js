// The home of the desk roles whose own screens need endpoints the API does not have yet
// (institutions' 融资需求, the auditor's log): who is signed in, and the screens they can use.
import { defineComponent, h } from "../core/vue.js";
import { session } from "../core/session.js";
import { label } from "../core/labels.js";
import { navFor } from "../core/routes.js";

export default defineComponent({
  name: "DeskScreen",
  setup() {
    return () => {
      const others = navFor(session.user.role).filter((r) => r.path !== "/app/desk");
      return h("section", { class: "card" }, [
        h("h2", `${session.user.name}（${label("role", session.user.role)}）`),
        others.length
          ? h("p", ["可使用：", ...others.flatMap((r, i) => [i ? "、" : "", h("a", { href: r.path }, r.title)])])
          : h("p", "此角色的工作台页面将随相应接口一同提供。"),
        h("p", [h("a", { href: "/api/v1/docs" }, "接口文档")]),
      ]);
    };
  },
});
