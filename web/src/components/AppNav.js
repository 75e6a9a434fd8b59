// The navigation of the signed-in role (the routes marked nav for it), always at hand at the bottom.
import { h, defineComponent } from "../core/vue.js";
import { route } from "../core/router.js";
import { navFor } from "../core/routes.js";
import { session } from "../core/session.js";

export default defineComponent({
  name: "AppNav",
  setup() {
    return () => h("nav", { class: "app-nav", "aria-label": "主导航" },
      navFor(session.user.role).map((r) => h("a", {
        href: r.path,
        class: "app-nav-link",
        "aria-current": route.path === r.path ? "page" : undefined,
      }, r.title)));
  },
});
