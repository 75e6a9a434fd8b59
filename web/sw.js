// Service worker of 联企通: keeps the shell so the app opens offline, and replaces it when a new
// deployment changes the version (this file's bytes change with it, so the browser installs the new
// worker, which stores the new assets and removes the old cache). API calls always go to the network:
// offline data lives in IndexedDB, written by the app itself.
const VERSION = "__VERSION__";
const CACHE = `lqt-shell-${VERSION}`;
const PRECACHE = __PRECACHE__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("lqt-shell-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The network first, so a new deployment shows at once; the stored shell when offline.
    event.respondWith(fetch(request).catch(() => caches.match("/app/", { cacheName: CACHE })));
    return;
  }
  if (url.pathname.startsWith("/app/s/")) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
