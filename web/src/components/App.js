// The shell: header (title, 待同步 count, network state, 退出登录), the current screen, the navigation.
// Signed out, a protected screen shows the sign-in form; when the session ends while a screen is
// open, the sign-in form covers it, so what the user typed stays.
import { h, computed, defineComponent, shallowRef, watch, vant } from "../core/vue.js";
import { route, navigate } from "../core/router.js";
import { HOMES } from "../core/routes.js";
import { session, signOut } from "../core/session.js";
import { queue, pendingCount, flush } from "../core/queue.js";
import { loadLabels } from "../core/labels.js";
import { toasts } from "../core/toast.js";
import { appUpdate } from "../core/update.js";
import AppNav from "./AppNav.js";
import LoginForm from "./LoginForm.js";

export default defineComponent({
  name: "App",
  setup() {
    const screen = shallowRef(null);
    const screenFor = shallowRef(null); // the route the loaded screen belongs to (never shown on another)
    const loading = shallowRef(false);
    const failed = shallowRef(null);
    loadLabels();

    const allowed = computed(() => {
      const match = route.match;
      if (!match) return false;
      if (match.public || match.home) return true;
      return Boolean(session.user) && (!match.roles || match.roles.includes(session.user.role));
    });

    watch(() => route.match, async (match) => {
      if (!match) return;
      document.title = `${match.title} - 联企通`;
      loading.value = true;
      failed.value = null;
      try {
        const loaded = (await match.load()).default;
        if (route.match !== match) return; // another screen was asked for meanwhile
        screen.value = loaded;
        screenFor.value = match;
      } catch {
        failed.value = "页面加载失败，请检查网络后重试";
      } finally {
        loading.value = false;
      }
    }, { immediate: true });

    watch(() => session.user?.id, (id) => {
      if (!id) return;
      loadLabels(); // read again with the token if the anonymous read was refused
      flush();
    });

    const onSignedIn = (user) => {
      flush();
      const match = route.match;
      if (!match || match.public || match.home || (match.roles && !match.roles.includes(user.role))) {
        navigate(route.query.next && route.query.next.startsWith("/app/") ? route.query.next : HOMES[user.role] || "/app/",
                 { replace: true });
      }
    };

    const logout = async () => {
      const revoking = signOut(); // the session is forgotten at once, the server told after
      navigate("/app/login", { replace: true });
      await revoking.catch(() => {}); // offline: the tokens expire on their own
    };

    const header = () => h("header", { class: "app-header" }, [
      h("h1", { class: "app-title" }, route.match?.title || "联企通"),
      !queue.online ? h("span", { class: "net-state", role: "status" }, "离线") : null,
      session.user && pendingCount() > 0
        ? h("a", { href: "/app/queue", class: "queue-badge", "aria-live": "polite" }, `待同步 ${pendingCount()} 条`)
        : null,
      session.user ? h("a", { href: "/app/profile", class: "profile-link" }, "我的设置") : null,
      session.user ? h(vant.Button, { size: "small", plain: true, class: "logout", onClick: logout }, () => "退出登录") : null,
    ]);

    return () => {
      const match = route.match;
      let body;
      if (!failed.value && (!screen.value || screenFor.value !== match)) body = h(vant.Loading, { class: "screen-loading", vertical: true }, () => "加载中…");
      else if (failed.value) body = h("p", { class: "error", role: "alert" }, failed.value);
      else if (!allowed.value && !session.user) body = h(LoginForm, { onSignedIn });
      else if (!allowed.value) body = h("p", { class: "notice" }, "当前账号不能使用此页面。");
      else if (screen.value) body = h(screen.value, { key: route.path + JSON.stringify(route.query) });
      const showNav = session.user && !(match?.public && !session.user);
      return h("div", { class: ["app", showNav ? "with-nav" : ""] }, [
        header(),
        appUpdate.ready ? h("p", { class: "update", role: "status" }, ["联企通已更新。",
          h("button", { type: "button", class: "link-button update-button", onClick: () => location.reload() }, "刷新页面")]) : null,
        h("main", { class: "app-main", id: "main" }, [body]),
        showNav ? h(AppNav) : null,
        h("div", { class: "toasts", role: "status", "aria-live": "polite" },
          toasts.items.map((t) => h("p", { key: t.id, class: ["toast", `toast-${t.kind}`] }, t.text))),
        session.expired && session.user && !session.access
          ? h("div", { class: "overlay", role: "dialog", "aria-modal": "true", "aria-label": "重新登录" }, [
            h("div", { class: "overlay-card" }, [
              h("p", { class: "notice" }, "登录已失效，请重新登录；已填写的内容会保留。"),
              h(LoginForm, { username: session.user.username, onSignedIn: () => flush() }),
            ]),
          ])
          : null,
      ]);
    };
  },
});
