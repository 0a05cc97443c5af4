// Shifts: open one on a register with a cash float, see it, close it with what was counted
// per method, and read the report (expected against counted). The till refuses to close
// while it holds sales the server has not taken.
import * as api from "./api.js";
import { $, fill, h, say } from "./dom.js";
import { format, parse, when } from "./money.js";
import * as queue from "./queue.js";
import { keep, locale, state, storeId } from "./state.js";
import { errorText, methodName, t } from "./texts.js";
import * as views from "./views.js";

const COUNTED = ["cash", "card", "payment_code"];
const money = (fen) => format(fen, "CNY", locale());

export function init() {
  $("[data-form=open]").addEventListener("submit", openShift);
  $("[data-form=register]").addEventListener("submit", addRegister);
  $("[data-form=close]").addEventListener("submit", closeShift);
  views.onShow((view) => {
    if (view === "open") drawRegisters();
    if (view === "shift") drawShift();
  });
}

// The store's registers and this till's open shift, from the server (or as kept, offline).
export async function refresh() {
  try {
    const found = await api.get(`/pos/registers?${new URLSearchParams({ store_id: storeId() })}`);
    state.registers = found.items.filter((r) => r.active);
    const kept = state.register && state.registers.find((r) => r.id === state.register.id);
    state.register = kept || (state.registers.length === 1 ? state.registers[0] : null);
    const openId = state.register ? state.register.open_shift_id : null;
    state.shift = openId ? await api.get(`/pos/shifts/${openId}`) : null;
    const guides = await api.get(`/pos/guides?${new URLSearchParams({ store_id: storeId() })}`);
    state.guides = guides.items;
    await keep();
  } catch (error) {
    if (!(error instanceof api.NetworkDown)) views.note(errorText(error), "error");
  }
  label();
}

export function label() {
  if (!views.shiftOpen()) return views.shiftLabel(t("no_shift"));
  return views.shiftLabel(t("shift_label", { register: state.register.name || state.register.code, id: state.shift.id }));
}

function drawRegisters() {
  const select = $("[data-registers]");
  fill(select, state.registers.map((r) =>
    h("option", { value: r.id, selected: state.register && r.id === state.register.id, text: `${r.code} · ${r.name}` })));
  const none = !state.registers.length;
  $("[data-no-registers]").hidden = !none;
  $("[data-form=open] [type=submit]").disabled = none;
  $("[data-form=register]").hidden = !state.config.manager;
}

async function openShift(event) {
  event.preventDefault();
  const form = event.target;
  const note = (text, kind) => say($("[data-open-note]"), text, kind);
  const float = parse(form.elements.float.value || "0");
  if (Number.isNaN(float)) return note(t("bad_amount"), "error");
  const register = state.registers.find((r) => String(r.id) === form.elements.register.value);
  if (!register) return note(t("pick_register"), "error");
  try {
    state.shift = await api.post("/pos/shifts", { register_id: register.id, opening_float: float });
  } catch (error) {
    if (error.code !== "shift_already_open" || !register.open_shift_id) return note(errorText(error), "error");
    state.shift = await api.get(`/pos/shifts/${register.open_shift_id}`);
  }
  state.register = { ...register, open_shift_id: state.shift.id };
  await keep();
  label();
  form.reset();
  views.show("sell");
  return null;
}

async function addRegister(event) {
  event.preventDefault();
  const form = event.target;
  const body = { store_id: storeId(), code: form.elements.code.value.trim(), name: form.elements.name.value.trim() };
  try {
    const made = await api.post("/pos/registers", body);
    state.registers.push(made);
    state.register = made;
    await keep();
    form.reset();
    drawRegisters();
  } catch (error) {
    say($("[data-open-note]"), errorText(error), "error");
  }
}

function fact(label, value) {
  return h("div", {}, h("dt", { text: label }), h("dd", { text: value }));
}

function drawFacts(shift) {
  if (!shift) return fill($("[data-shift-facts]"), fact(t("status"), t("no_shift")));
  return fill($("[data-shift-facts]"),
    fact(t("register"), state.register ? `${state.register.code} · ${state.register.name}` : ""),
    fact(t("opened_at"), when(shift.opened_at, locale(), state.config.store.tz)),
    fact(t("opening_float"), money(shift.opening_float)),
    fact(t("status"), shift.status === "open" ? t("shift_open") : t("shift_closed")));
}

async function drawShift() {
  const shift = state.shift;
  $("[data-form=close]").hidden = !views.shiftOpen();
  drawFacts(shift);
  if (!shift) return null;
  const unsent = (await queue.pending()).length;
  say($("[data-close-note]"), unsent ? t("close_unsynced", { count: unsent }) : "", "error");
  if (shift.status === "open") await loadReport(false);
  return null;
}

async function loadReport(closed) {
  try {
    drawReport(await api.get(`/pos/shifts/${state.shift.id}/report`), closed);
  } catch (error) {
    if (!(error instanceof api.NetworkDown)) say($("[data-close-note]"), errorText(error), "error");
  }
}

async function closeShift(event) {
  event.preventDefault();
  const form = event.target;
  const note = (text, kind) => say($("[data-close-note]"), text, kind);
  const unsent = await queue.pending();
  if (unsent.length) return note(t("close_unsynced", { count: unsent.length }), "error");
  const counted = {};
  for (const method of COUNTED) {
    const fen = parse(form.elements[method].value || "0");
    if (Number.isNaN(fen)) return note(t("bad_amount"), "error");
    counted[method] = fen;
  }
  const body = { counted, pending_client_ids: [], pending_count: 0, note: "" };
  try {
    const report = await api.post(`/pos/shifts/${state.shift.id}/close`, body);
    state.shift = report.shift;
    state.register = { ...state.register, open_shift_id: null };
    await keep();
    label();
    form.reset();
    note("");
    views.show("shift");
    drawReport(report, true);
  } catch (error) {
    note(errorText(error), "error");
  }
  return null;
}

function cell(label, value, cls = "num") {
  return h("td", { class: cls, "data-label": label, text: value });
}

function drawReport(report, closed) {
  const box = $("[data-report]");
  box.hidden = false;
  const amount = (fen) => (fen === null || fen === undefined ? "—" : money(fen));
  const badge = $("[data-report-balance]");
  const tone = report.balanced ? "success" : "danger";
  badge.className = `badge badge--${closed ? tone : "neutral"}`;
  badge.textContent = closed ? (report.balanced ? t("balanced") : t("not_balanced")) : t("shift_open");
  fill($("[data-report-facts]"),
    fact(t("sales_count"), String(report.sales_count)),
    fact(t("sales_total"), money(report.sales_total)),
    fact(t("refunds_total"), money(report.refunds_total)),
    fact(t("change_given"), money(report.change_given)));
  fill($("[data-report-rows]"), report.methods.map((m) =>
    h("tr", { dataset: { method: m.method } },
      h("td", { class: "table__strong table__lead", text: methodName(m.method) }),
      cell(t("taken"), money(m.taken)), cell(t("change_given"), money(m.change)),
      cell(t("refunded"), money(m.refunded)), cell(t("expected"), money(m.expected)),
      cell(t("counted"), amount(m.counted)),
      cell(t("difference"), amount(m.difference), `num${m.difference ? " danger" : ""}`))));
  $("[data-after-close]").hidden = !closed;
}
