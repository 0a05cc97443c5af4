/*
 * The cloud store's first-party event script: a few events of what a visitor does on the
 * store's pages, sent in batches to this site's own /api/v1/events/batch.
 *
 * - The visitor is an anonymous id kept in this site's localStorage and a first-party
 *   cookie (nr_aid); nothing is sent to any other site.
 * - The page says what happened through data attributes: an element with
 *   data-nr-view="<event name>" is sent once when the page loads, a form with
 *   data-nr-submit="<event name>" when it is submitted; data-nr-props holds the event's
 *   properties as JSON.
 * - Events are queued and sent every few seconds, and with navigator.sendBeacon when the
 *   page is hidden or left, so that leaving the page loses nothing.
 * - The script tag carries the page token (data-token): it lets this page send anonymous
 *   events for its own store, and nothing else.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.token || !window.JSON) return;
  var endpoint = script.dataset.endpoint || "/api/v1/events/batch";
  var token = script.dataset.token;
  var queue = [];
  var FLUSH_MS = 4000;
  var MAX_QUEUE = 20;
  var COOKIE = "nr_aid";

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function readCookie(name) {
    var found = document.cookie.split("; ").filter(function (c) {
      return c.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }

  function anonymousId() {
    var id = null;
    try { id = window.localStorage.getItem(COOKIE); } catch (e) { id = null; }
    id = id || readCookie(COOKIE) || randomId();
    try { window.localStorage.setItem(COOKIE, id); } catch (e) { /* private mode */ }
    document.cookie = COOKIE + "=" + encodeURIComponent(id) +
      "; Max-Age=" + 60 * 60 * 24 * 365 + "; Path=/; SameSite=Lax";
    return id;
  }

  var visitor = anonymousId();

  function props(el) {
    try { return JSON.parse(el.dataset.nrProps || "{}"); } catch (e) { return {}; }
  }

  function track(name, properties) {
    var now = new Date().toISOString();
    queue.push({
      messageId: randomId(),
      event: name,
      anonymousId: visitor,
      channel: "web",
      timestamp: now,
      properties: properties || {},
      context: { page: location.pathname }
    });
    if (queue.length >= MAX_QUEUE) flush(false);
  }

  function flush(leaving) {
    if (!queue.length) return;
    var batch = queue.splice(0, queue.length);
    var body = JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: token });
    if (leaving && navigator.sendBeacon) {
      navigator.sendBeacon(endpoint, new Blob([body], { type: "application/json" }));
      return;
    }
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: body,
      keepalive: true,
      credentials: "same-origin"
    }).catch(function () {
      queue = batch.concat(queue);  // offline: try again with the next flush
    });
  }

  document.querySelectorAll("[data-nr-view]").forEach(function (el) {
    track(el.dataset.nrView, props(el));
  });
  document.querySelectorAll("form[data-nr-submit]").forEach(function (form) {
    form.addEventListener("submit", function () {
      track(form.dataset.nrSubmit, props(form));
      flush(true);
    });
  });
  setInterval(function () { flush(false); }, FLUSH_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });
  window.addEventListener("pagehide", function () { flush(true); });
  window.nrTrack = track;
})();
