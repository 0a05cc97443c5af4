// The till's service worker (served at /pos/sw.js, which prepends CACHE, SHELL and ASSETS).
// It keeps the till's page and static files so that the till opens and sells without a
// network: the page network-first (a fresh one whenever the server answers), the static
// files from the cache of this release. API calls are never cached: the till's script
// keeps its own data in IndexedDB.
/* global CACHE, SHELL, ASSETS */

// The till's page as the signed-in cashier sees it (the page that registered this worker
// was just served, so this is a fresh copy of it); not a redirect to the login page.
async function keepShell(cache) {
  try {
    const response = await fetch(SHELL, { cache: "reload", credentials: "same-origin" });
    if (response.ok && !response.redirected) await cache.put(SHELL, response);
  } catch (error) {
    // kept on the next visit online instead
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        Promise.all([
          cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))),
          keepShell(cache),
        ]),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("pos-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function shell(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Only the till itself is kept: not a redirect to the login page, not an error page.
    if (response.ok && !response.redirected && new URL(response.url).pathname === SHELL) {
      await cache.put(SHELL, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(SHELL);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) event.respondWith(shell(request));
  else if (url.pathname.startsWith("/static/")) event.respondWith(asset(request));
});
