// The till: boots from the page's configuration, registers the service worker, restores what
// the device kept (shift, cart, unsent sales), and keeps sending sales whenever the network
// answers. The parts: sell (scan, lines, quote), dialogs (member, quantity), pay, receipt,
// shift (open, close, report), counter (pickups, returns), sales (the device's queue).
import * as api from "./api.js";
import * as catalog from "./catalog.js";
import { render, fillGuideSelects } from "./cartview.js";
import * as counter from "./counter.js";
import * as dialogs from "./dialogs.js";
import { $, $$ } from "./dom.js";
import * as pay from "./pay.js";
import * as queue from "./queue.js";
import * as receipt from "./receipt.js";
import * as sales from "./sales.js";
import * as sell from "./sell.js";
import * as shift from "./shift.js";
import { loadKept, state } from "./state.js";
import * as texts from "./texts.js";
import * as views from "./views.js";

const SYNC_EVERY_MS = 15_000;
const KEYS = { F2: "member", F4: "quantity", F8: "pay" };

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(state.config.worker, { scope: state.config.scope });
  } catch (error) {
    views.note(texts.t("no_offline_mode"), "error");
  }
}

function typing(target) {
  return target.closest("input, select, textarea, [contenteditable]");
}

function onKey(event) {
  const dialog = KEYS[event.key];
  if (dialog) {
    if (state.view !== "sell") return;
    event.preventDefault();
    dialogs.open(dialog);
    return;
  }
  // A keyboard-wedge scanner types wherever the focus is: send it to the scan box.
  const printable = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
  if (printable && state.view === "sell" && !typing(event.target) && !document.querySelector("dialog[open]")) {
    event.preventDefault();
    const scan = $("#pos-scan");
    scan.focus();
    scan.value += event.key;
  }
}

function wire() {
  sell.init();
  dialogs.init();
  pay.init();
  receipt.init();
  shift.init();
  counter.init();
  sales.init();
  $$("[data-go]").forEach((button) => button.addEventListener("click", () => views.show(button.dataset.go)));
  document.addEventListener("keydown", onKey);
  $$("select[data-autosubmit]").forEach((select) => select.addEventListener("change", () => select.form.submit()));
  $("[data-logout]").addEventListener("submit", confirmLogout);
  api.onReach((reached) => {
    views.setOnline(reached);
    if (reached && !document.hidden) trySync();
  });
  window.addEventListener("online", () => trySync());
  window.addEventListener("offline", () => views.setOnline(false));
  setInterval(trySync, SYNC_EVERY_MS);
}

// Unsent sales stay on this device (and are sent after the next sign-in here): say so.
async function confirmLogout(event) {
  const form = event.target;
  if (form.dataset.confirmed) return;
  event.preventDefault();
  const count = (await queue.pending()).length;
  if (count && !window.confirm(texts.t("logout_unsent", { count }))) return;
  form.dataset.confirmed = "1";
  form.submit();
}

let syncing = false;

// Sends the queue if it holds anything; quietly waits for the next chance when cut off.
async function trySync() {
  if (syncing) return;
  syncing = true;
  try {
    if ((await queue.pending()).length) await queue.sync();
  } catch (error) {
    if (!(error instanceof api.NetworkDown)) views.note(texts.errorText(error), "error");
  } finally {
    syncing = false;
  }
}

async function boot() {
  state.config = JSON.parse($("#pos-config").textContent);
  texts.init(state.config);
  api.configure({ csrf: state.config.csrf });
  views.setOnline(navigator.onLine);
  wire();
  registerWorker();
  await loadKept();
  await shift.refresh();
  fillGuideSelects();
  render();
  await sales.refresh();
  views.show(views.shiftOpen() ? "sell" : "open");
  document.body.dataset.ready = "1";
  trySync();
  queue.prune();
  catalog.preload(state.config.store.id);
}

boot();
