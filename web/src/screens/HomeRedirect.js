// /app/: each role lands on its home; signed out, the sign-in screen.
import { defineComponent, h } from "../core/vue.js";
import { navigate } from "../core/router.js";
import { HOMES } from "../core/routes.js";
import { session } from "../core/session.js";

export default defineComponent({
  name: "HomeRedirect",
  setup() {
    navigate(session.user ? HOMES[session.user.role] || "/app/login" : "/app/login", { replace: true });
    return () => h("p", { class: "notice" }, "正在打开…");
  },
});
