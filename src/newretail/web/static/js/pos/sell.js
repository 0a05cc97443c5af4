// Ringing up a sale: the scan box, search results, the lines with their quantity and serving
// guide, the member, and the server's quote (promotions and coupons) for exactly these lines.
import * as api from "./api.js";
import * as cartOps from "./cart.js";
import * as catalog from "./catalog.js";
import { render } from "./cartview.js";
import { $, fill, h, say } from "./dom.js";
import { format } from "./money.js";
import { keepCart, locale, state, storeId } from "./state.js";
import { errorText, t } from "./texts.js";
import * as views from "./views.js";

const QUOTE_DELAY_MS = 200;
const BARCODE = /^[0-9A-Za-z-]{6,32}$/;
const MULTIPLY = /^(\d{1,3})\s*[*xX×]\s*(\S+)$/;
let quoteTimer = null;
let quoting = 0;

const money = (fen) => format(fen, "CNY", locale());
const scanNote = (text, kind) => say($("[data-scan-note]"), text, kind);

export function init() {
  $("[data-form=scan]").addEventListener("submit", onScan);
  $("[data-close-results]").addEventListener("click", closeResults);
  $("[data-lines]").addEventListener("click", onLineClick);
  $("[data-lines]").addEventListener("change", onLineChange);
  $("[data-default-guide]").addEventListener("change", (event) => {
    state.cart.guide_id = event.target.value ? Number(event.target.value) : null;
    keepCart();
  });
  $("[data-clear-cart]").addEventListener("click", () => {
    if (!state.cart.lines.length || window.confirm(t("clear_confirm"))) clear();
  });
  $("[data-member-clear]").addEventListener("click", () => setMember(null));
}

function parseScan(text) {
  const many = MULTIPLY.exec(text);
  return many ? { quantity: Number(many[1]), code: many[2] } : { quantity: 1, code: text };
}

async function onScan(event) {
  event.preventDefault();
  const input = event.target.elements.q;
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const { quantity, code } = parseScan(text);
  if (quantity < 1) return scanNote(t("bad_quantity"), "error");
  if (BARCODE.test(code) && /\d{6,}/.test(code)) return scanBarcode(code, quantity);
  return searchFor(text);
}

async function scanBarcode(barcode, quantity) {
  try {
    const { item, offline } = await catalog.byBarcode(storeId(), barcode);
    if (!item) return scanNote(t("not_in_offline_catalog", { barcode }), "error");
    addItem(item, quantity, offline);
  } catch (error) {
    const unknown = error.code === "unknown_barcode";
    scanNote(unknown ? t("unknown_barcode", { barcode }) : errorText(error), "error");
  }
  return null;
}

function addItem(item, quantity, offline = false) {
  if (item.sellable === false) return scanNote(t("not_sold_here", { title: item.title }), "error");
  const line = cartOps.add(state.cart, item, quantity);
  scanNote(offline ? t("added_offline", { title: item.title }) : t("added", { title: line.title }), "success");
  closeResults();
  changed();
  return line;
}

async function searchFor(q) {
  try {
    const { items } = await catalog.search(storeId(), q);
    if (!items.length) return scanNote(t("nothing_found", { q }), "error");
    if (items.length === 1) return addItem(items[0], 1);
    showResults(q, items);
  } catch (error) {
    scanNote(errorText(error), "error");
  }
  return null;
}

function showResults(q, items) {
  $("[data-results-title]").textContent = t("results_for", { q, count: items.length });
  fill(
    $("[data-results-list]"),
    items.map((item) =>
      h("li", {},
        h("button", { class: "pos-result", type: "button", disabled: item.sellable === false, onclick: () => addItem(item, 1) },
          h("span", { class: "pos-result__title", text: item.title }),
          h("span", { class: "pos-result__meta", text: [item.barcode, item.available_here === null || item.available_here === undefined ? "" : t("in_stock", { count: item.available_here })].filter(Boolean).join(" · ") }),
          h("span", { class: "pos-result__price", text: money(item.unit_price) }))),
    ),
  );
  $("[data-results]").hidden = false;
  const first = $("[data-results-list] button:not([disabled])");
  if (first) first.focus();
}

function closeResults() {
  $("[data-results]").hidden = true;
  views.focusView();
}

function onLineClick(event) {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const key = button.closest("[data-line]").dataset.line;
  const line = cartOps.line(state.cart, key);
  if (button.dataset.act === "plus") cartOps.setQuantity(state.cart, key, line.quantity + 1);
  if (button.dataset.act === "minus") cartOps.setQuantity(state.cart, key, line.quantity - 1);
  if (button.dataset.act === "remove") cartOps.remove(state.cart, key);
  changed();
}

function onLineChange(event) {
  const key = event.target.closest("[data-line]").dataset.line;
  if (event.target.matches("[data-line-guide]")) {
    const line = cartOps.line(state.cart, key);
    line.guide_id = event.target.value ? Number(event.target.value) : null;
    changed();
  }
}

export function setQuantity(key, quantity) {
  const done = cartOps.setQuantity(state.cart, key, quantity);
  if (done) changed();
  return done;
}

export function setMember(member) {
  state.cart.member = member;
  changed();
}

export function clear() {
  const guide = state.cart.guide_id;
  state.cart = { ...cartOps.empty(), guide_id: guide };
  scanNote("");
  changed();
}

// After every change: keep the cart on the device, draw it, ask for a fresh quote.
export function changed() {
  keepCart();
  render();
  scheduleQuote();
}

function scheduleQuote() {
  clearTimeout(quoteTimer);
  if (!state.cart.lines.length) return;
  quoteTimer = setTimeout(quote, QUOTE_DELAY_MS);
}

async function quote() {
  const ticket = ++quoting;
  const signature = cartOps.signature(state.cart);
  $("[data-quote-state]").textContent = t("quoting");
  try {
    const body = await api.post("/pos/quote", cartOps.quoteBody(state.cart, storeId()));
    if (ticket !== quoting) return;
    state.cart.quote = { signature, body };
    keepCart();
  } catch (error) {
    if (ticket !== quoting) return;
    state.cart.quote = null;
    if (!(error instanceof api.NetworkDown)) scanNote(errorText(error), "error");
  }
  render();
}

// Resolves once the quote for the current lines is in (or failed): the pay dialog waits.
export async function quoted() {
  if (!state.cart.lines.length || cartOps.currentQuote(state.cart)) return;
  clearTimeout(quoteTimer);
  await quote();
}
