// Entry point: restore the session, start the router, the offline queue and the service worker,
// then mount the shell.
import { Vue, vant } from "./core/vue.js";
import { restore } from "./core/session.js";
import { setRoutes, startRouter } from "./core/router.js";
import { ROUTES } from "./core/routes.js";
import { load as loadQueue, flush, watchNetwork } from "./core/queue.js";
import App from "./components/App.js";
import { appUpdate } from "./core/update.js";

restore();
setRoutes(ROUTES);
startRouter();
watchNetwork();
loadQueue().then(flush).catch(() => {});

const app = Vue.createApp(App);
app.use(vant);
app.mount("#app");

if ("serviceWorker" in navigator) {
  // A new deployment: the new worker takes over (skipWaiting, clients.claim) and the shell offers a reload.
  // The first worker taking control of a first visit is no update.
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (controlled) appUpdate.ready = true;
    controlled = true;
  });
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
}
