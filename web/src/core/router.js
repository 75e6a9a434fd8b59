// History-API routing over a table of routes. Each route names its screen module, loaded only when
// the route is first opened (the phone's first load carries no screen it does not show). New screens
// (the desk workbench) are added by adding rows to routes.js.
import { reactive } from "./vue.js";

export const route = reactive({ path: location.pathname, query: {}, params: {}, match: null });
let table = [];

function compile(path) {
  const names = [];
  const pattern = path.replace(/:([a-z_]+)/g, (_, name) => { names.push(name); return "([^/]+)"; });
  return { regex: new RegExp(`^${pattern}/?$`), names };
}

export function setRoutes(routes) {
  table = routes.map((r) => ({ ...r, ...compile(r.path) }));
  resolve();
}

function resolve() {
  const url = new URL(location.href);
  route.path = url.pathname;
  route.query = Object.fromEntries(url.searchParams);
  for (const r of table) {
    const found = r.regex.exec(url.pathname);
    if (found) {
      route.params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      route.match = r;
      return;
    }
  }
  route.params = {};
  route.match = table.find((r) => r.notFound) || null;
}

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"]({}, "", to);
  resolve();
  window.scrollTo(0, 0);
}

export function startRouter() {
  window.addEventListener("popstate", resolve);
  // Links inside the app change the screen without a reload.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link || link.target || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith("/app/") || url.pathname.startsWith("/app/s/")) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
