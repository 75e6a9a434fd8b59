// 登录: signed in already, go home.
import { defineComponent, h } from "../core/vue.js";
import { navigate, route } from "../core/router.js";
import { HOMES } from "../core/routes.js";
import { session } from "../core/session.js";
import LoginForm from "../components/LoginForm.js";

const home = (user) => (route.query.next?.startsWith("/app/") ? route.query.next : HOMES[user.role] || "/app/");

export default defineComponent({
  name: "LoginScreen",
  setup() {
    if (session.user && session.access) navigate(home(session.user), { replace: true });
    return () => h(LoginForm, { onSignedIn: (user) => navigate(home(user), { replace: true }) });
  },
});
