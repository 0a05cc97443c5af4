// The pay dialog: mixed tenders against the total, change for cash, and the sale itself,
// which is kept on the device first and then sent (or left pending when the network is down).
import * as cartOps from "./cart.js";
import * as dialogs from "./dialogs.js";
import { $, $$, fill, h, say } from "./dom.js";
import { format, parse, toInput } from "./money.js";
import * as queue from "./queue.js";
import * as receipt from "./receipt.js";
import * as sell from "./sell.js";
import { locale, state } from "./state.js";
import * as tenders from "./tenders.js";
import { errorText, methodName, t } from "./texts.js";

let rows = [];
let serial = 0;
let total = 0;
let busy = false;

const money = (fen) => format(fen, "CNY", locale());
const payNote = (text, kind) => say($("[data-pay-note]"), text, kind);
// What the non-cash tenders leave for cash to pay.
const leftForCash = () => Math.max(0, total - rows.filter((r) => r.method !== "cash").reduce((sum, r) => sum + (r.amount || 0), 0));

// Until the cashier types what they received, cash follows what the other tenders leave.
function effective() {
  return rows.map((row) => (row.method === "cash" && row.auto ? { ...row, tendered: leftForCash() } : row));
}

// The member as the tenders see them: points the quote already spends inside the best
// combination are not there to tender again (a point tenders 1 fen: pos/rules.py).
function tenderingMember() {
  const member = state.cart.member;
  if (!member) return member;
  const spent = cartOps.totals(state.cart).points || 0;
  return { ...member, points_value: Math.max(0, member.points_value - spent) };
}

const current = () => tenders.settle(total, effective(), tenderingMember());

export function init() {
  dialogs.register("pay", () => {
    if (!state.cart.lines.length) return false;
    start();
    return true;
  });
  $$("[data-add-tender]").forEach((button) =>
    button.addEventListener("click", () => addTender(button.dataset.addTender)));
  $("[data-tenders]").addEventListener("input", onInput);
  $("[data-tenders]").addEventListener("click", onClick);
  $("[data-handover]").addEventListener("change", onHandover);
  $("[data-ship-address]").addEventListener("input", summarise);
  $("[data-form=pay]").addEventListener("submit", submit);
}

// How the goods leave: taken now, or (online only) shipped from wherever has them (the
// endless aisle) or collected later at this store.
const handover = () => $("[data-handover] input[name=handover]:checked").value;

function onHandover() {
  const method = handover();
  $("[data-ship-address]").hidden = method !== "ship";
  $("[data-handover-hint]").hidden = method !== "ship";
  summarise();
}

function shipAddress() {
  const form = $("[data-form=pay]").elements;
  const value = (name) => form[name].value.trim();
  return { name: value("ship_name"), phone: value("ship_phone"), city: value("ship_city"), line1: value("ship_line1") };
}

function delivery() {
  const method = handover();
  if (method === "ship") return { method, address: shipAddress() };
  return { method };
}

function handoverProblem() {
  if (handover() !== "ship") return null;
  const address = shipAddress();
  return address.name && address.phone.length >= 3 && address.line1 ? null : "address_needed";
}

function resetHandover() {
  const form = $("[data-form=pay]");
  form.querySelector("input[name=handover][value=carry_out]").checked = true;
  ["ship_name", "ship_phone", "ship_city", "ship_line1"].forEach((name) => { form.elements[name].value = ""; });
  $$("[data-handover] [data-online-only]").forEach((input) => { input.disabled = !state.online; });
  onHandover();
}

async function start() {
  payNote("");
  rows = [];
  resetHandover();
  total = cartOps.totals(state.cart).total;
  await sell.quoted();
  total = cartOps.totals(state.cart).total;
  addTender("cash");
}

function addTender(method) {
  if (method === "cash" && rows.some((row) => row.method === "cash")) return;
  const member = tenderingMember();
  let amount = leftForCash();
  if (method === "points") amount = Math.min(amount, member ? member.points_value : 0);
  if (method === "store_credit") amount = Math.min(amount, member ? member.store_credit : 0);
  serial += 1;
  rows.push(method === "cash" ? { id: serial, method, auto: true } : { id: serial, method, amount });
  render();
  const row = $(`[data-tender="${serial}"] input`);
  if (row) row.select();
}

function field(row, name, label, value, attrs = {}) {
  const id = `tender-${row.id}-${name}`;
  return h("span", { class: "pos-tender__field" },
    h("label", { class: "pos-tender__label", for: id, text: label }),
    h("input", { class: "input", id, name, value, autocomplete: "off", ...attrs }));
}

function tenderRow(row) {
  const amount = (name, label, value) => field(row, name, label, toInput(value), { inputmode: "decimal" });
  const parts = [];
  if (row.method === "cash") {
    parts.push(amount("tendered", t("received"), row.auto ? leftForCash() : row.tendered));
    parts.push(h("span", { class: "pos-quick", "data-quick-cash": true }));
  } else {
    parts.push(amount("amount", t("amount"), row.amount));
  }
  if (row.method === "card") parts.push(field(row, "reference", t("card_reference"), row.reference || ""));
  if (row.method === "payment_code") {
    parts.push(field(row, "code", t("payment_code_scan"), row.code || "", { inputmode: "numeric", maxlength: 24 }));
  }
  return h("li", { class: "pos-tender", dataset: { tender: row.id, method: row.method } },
    h("span", { class: "pos-tender__method", text: methodName(row.method) }),
    h("span", { class: "pos-tender__fields" }, parts),
    h("button", { class: "pos-line__remove", type: "button", dataset: { drop: row.id }, "aria-label": t("remove_tender", { method: methodName(row.method) }), text: "×" }));
}

function render() {
  fill($("[data-tenders]"), rows.map(tenderRow));
  summarise();
}

function blocked(method) {
  const member = tenderingMember();
  if (tenders.MEMBER_ONLY.has(method) && !member) return true;
  if (method === "points" && !(member.points_value > 0)) return true;
  if (method === "store_credit" && !(member.store_credit > 0)) return true;
  if (tenders.ONLINE_ONLY.has(method) && !state.online) return true;
  return method === "cash" && rows.some((row) => row.method === "cash");
}

// The cash row's figures that follow the other tenders: the quick amounts, and what was
// received while the cashier has not typed it.
function followCash() {
  const row = rows.find((r) => r.method === "cash");
  const box = $("[data-quick-cash]");
  if (!row || !box) return;
  const quick = tenders.quickCash(leftForCash());
  if (box.dataset.for !== quick.join()) {
    box.dataset.for = quick.join();
    fill(box, quick.map((fen) => h("button", { class: "btn btn--secondary btn--sm", type: "button", dataset: { quick: fen }, text: money(fen) })));
  }
  const input = $(`[data-tender="${row.id}"] input[name=tendered]`);
  if (row.auto && input) input.value = toInput(leftForCash());
}

function summarise() {
  followCash();
  const settled = current();
  $("[data-pay-total]").textContent = money(total);
  const sums = cartOps.totals(state.cart);
  const points = $("[data-pay-points]");
  points.hidden = !sums.pointsOff;
  points.textContent = sums.pointsOff ? t("points_pay", { points: sums.points, amount: money(sums.pointsOff) }) : "";
  $("[data-pay-due]").textContent = money(settled.due);
  $("[data-pay-change]").textContent = money(settled.change);
  $(".pos-pay__change").classList.toggle("pos-pay__change--some", settled.change > 0);
  $$("[data-add-tender]").forEach((button) => {
    button.disabled = blocked(button.dataset.addTender);
  });
  const unaddressed = handoverProblem();
  const ready = settled.covered && !settled.problem && !unaddressed && !busy;
  $("[data-pay-submit]").disabled = !ready;
  if (settled.problem) payNote(t(`tender_${settled.problem}`), "error");
  else if (settled.covered && unaddressed) payNote(t(unaddressed), "info");
  else if (!settled.covered) payNote(t("still_due", { amount: money(settled.due) }), "info");
  else payNote("");
}

function onInput(event) {
  const row = rows.find((r) => String(r.id) === event.target.closest("[data-tender]").dataset.tender);
  const { name, value } = event.target;
  if (name === "tendered" || name === "amount") row[name] = parse(value) || 0;
  else row[name] = value.trim();
  if (name === "tendered") row.auto = false;
  summarise();
}

function onClick(event) {
  const drop = event.target.closest("[data-drop]");
  if (drop) {
    rows = rows.filter((row) => String(row.id) !== drop.dataset.drop);
    render();
    return;
  }
  const quick = event.target.closest("[data-quick]");
  if (quick) {
    const row = rows.find((r) => r.method === "cash");
    row.tendered = Number(quick.dataset.quick);
    row.auto = false;
    render();
  }
}

// The sale as it is kept on the device: the server's body and what the receipt shows.
function buildSale(settled) {
  const sums = cartOps.totals(state.cart);
  const quote = cartOps.currentQuote(state.cart);
  const clientId = queue.newClientId();
  const now = new Date();
  const member = state.cart.member;
  const body = {
    client_id: clientId,
    device_time: queue.deviceTime(now),
    shift_id: state.shift.id,
    member_id: member ? member.member_id : null,
    lines: cartOps.saleLines(state.cart),
    offer_keys: quote ? quote.offers.map((offer) => offer.key) : [],
    // Exactly the points the quote used (none offline: the device prices without them).
    points: quote ? quote.points_used || 0 : 0,
    discount: 0,
    total: sums.total,
    delivery: delivery(),
    tenders: tenders.body(settled),
    note: "",
  };
  const view = {
    lines: state.cart.lines.map((line, i) => ({
      title: line.title, quantity: line.quantity, unit_price: body.lines[i].unit_price,
      discount: sums.lines[i].discount, total: sums.lines[i].total, guide_id: line.guide_id,
    })),
    offers: sums.pointsOff
      ? [...sums.offers, { key: "points", name: t("points_pay", { points: sums.points, amount: money(sums.pointsOff) }), source: "points", amount: sums.pointsOff }]
      : sums.offers,
    subtotal: sums.subtotal, discount: sums.discount, total: sums.total,
    currency: sums.currency, quoted: sums.quoted, change: settled.change,
    tenders: settled.rows.filter((row) => row.amount > 0).map(({ method, amount, tendered, change }) => ({ method, amount, tendered, change })),
    member: member ? { member_no: member.member_no, phone: member.phone, name: member.name, points: member.points } : null,
  };
  return { client_id: clientId, created_at: now.getTime(), device_time: body.device_time, register_id: state.register.id, shift_id: state.shift.id, body, view };
}

async function submit(event) {
  event.preventDefault();
  const settled = current();
  if (busy || !settled.covered || settled.problem || handoverProblem()) return;
  busy = true;
  summarise();
  const sale = buildSale(settled);
  try {
    await queue.record(sale);
    const sent = state.online ? await queue.send(sale) : null;
    dialogs.close("pay");
    sell.clear();
    receipt.show(sent || { ...sale, status: "pending" });
    if (!sent) queue.sync().catch(() => {});
  } catch (error) {
    payNote(errorText(error), "error");
    if (error.code === "price_changed") sell.changed();
  } finally {
    busy = false;
    summarise();
  }
}
