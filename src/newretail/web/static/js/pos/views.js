// Which part of the till is showing, and the bar's signs: network and unsent sales.
import { $, $$, say } from "./dom.js";
import { state } from "./state.js";
import { t } from "./texts.js";

const FOCUS = {
  open: "#pos-float",
  sell: "#pos-scan",
  pickups: "#pos-pickup-code",
  returns: "#pos-return-number",
};
const shown = new Set();

// ``listener(view)`` runs each time ``view`` is shown (to load what it lists).
export function onShow(listener) {
  shown.add(listener);
}

export function shiftOpen() {
  return Boolean(state.shift && state.shift.status === "open");
}

export function show(view) {
  const wanted = !shiftOpen() && ["sell", "pickups", "returns"].includes(view) ? "open" : view;
  state.view = wanted;
  document.body.dataset.view = wanted;
  $$("[data-view-of]").forEach((section) => {
    section.hidden = section.dataset.viewOf !== wanted;
  });
  $$(".pos-tab").forEach((tab) => {
    const current = tab.dataset.go === wanted;
    tab.classList.toggle("pos-tab--active", current);
    if (current) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
    tab.disabled = tab.hasAttribute("data-needs-shift") && !shiftOpen();
  });
  shown.forEach((listener) => listener(wanted));
  focusView();
}

export function focusView() {
  const target = FOCUS[state.view] && $(FOCUS[state.view]);
  if (target && !document.querySelector("dialog[open]")) target.focus({ preventScroll: true });
}

export function note(text, kind = "info") {
  say($("[data-note]"), text, kind);
}

export function setOnline(online) {
  if (state.online === online && $("[data-net]").dataset.known) return;
  state.online = online;
  const badge = $("[data-net]");
  badge.dataset.known = "1";
  badge.textContent = online ? t("online") : t("offline");
  badge.className = `pos-net pos-net--${online ? "online" : "offline"}`;
  document.body.classList.toggle("is-offline", !online);
}

export function setPending(count, conflicts) {
  const button = $("[data-pending]");
  button.hidden = count === 0 && conflicts === 0;
  const parts = [];
  if (count) parts.push(t("pending_count", { count }));
  if (conflicts) parts.push(t("conflict_count", { count: conflicts }));
  button.textContent = parts.join(" · ");
  button.classList.toggle("pos-pending--conflict", conflicts > 0);
}

export function shiftLabel(text) {
  $("[data-shift-label]").textContent = text;
}
