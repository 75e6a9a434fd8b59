// Entry point: restore the session, start the router, the offline queue and the service worker,
// then mount the shell.
import { Vue, vant } from "./core/vue.js";
import { restore } from "./core/session.js";
import { setRoutes, startRouter } from "./core/router.js";
import { ROUTES } from "./core/routes.js";
import { load as loadQueue, flush, watchNetwork } from "./core/queue.js";
import App from "./components/App.js";

restore();
setRoutes(ROUTES);
startRouter();
watchNetwork();
loadQueue().then(flush).catch(() => {});

const app = Vue.createApp(App);
app.use(vant);
app.mount("#app");

if ("serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
}
