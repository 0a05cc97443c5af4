// Beyond selling: handing over a pickup by its code, and taking back an order of any channel.
// Both need the server (they move stock and money that other channels see at once).
import * as api from "./api.js";
import { $, fill, h, say } from "./dom.js";
import { format } from "./money.js";
import { locale, state } from "./state.js";
import { errorText, methodName, t } from "./texts.js";

let order = null;
const money = (fen) => format(fen, order ? order.currency : "CNY", locale());

export function init() {
  $("[data-form=pickup]").addEventListener("submit", handOver);
  $("[data-form=return-find]").addEventListener("submit", findOrder);
  $("[data-form=return]").addEventListener("submit", takeBack);
}

async function handOver(event) {
  event.preventDefault();
  const form = event.target;
  const note = (text, kind) => say($("[data-pickup-note]"), text, kind);
  const code = form.elements.code.value.trim();
  if (!code) return null;
  if (!/^\d{6}$/.test(code)) return note(t("pickup_code_format"), "error");
  try {
    await api.post("/pos/pickups/handover", { shift_id: state.shift.id, pickup_code: code });
    note(t("handed_over", { code }), "success");
    form.reset();
  } catch (error) {
    note(errorText(error), "error");
  }
  return null;
}

async function findOrder(event) {
  event.preventDefault();
  const note = (text, kind) => say($("[data-return-note]"), text, kind);
  const number = event.target.elements.number.value.trim();
  if (!number) return;
  $("[data-form=return]").hidden = true;
  try {
    order = await api.get(`/pos/orders-to-return?${new URLSearchParams({ number })}`);
    note("");
    drawOrder();
  } catch (error) {
    note(errorText(error), "error");
  }
}

function drawOrder() {
  const form = $("[data-form=return]");
  form.hidden = false;
  $("[data-return-title]").textContent = t("return_of", { number: order.number, total: money(order.total) });
  fill($("[data-return-lines]"), order.lines.map((line) => {
    const left = line.quantity - line.refunded_quantity;
    const id = `return-${line.id}`;
    return h("li", { class: "pos-return-line" },
      h("span", { class: "pos-line__main" },
        h("span", { class: "pos-line__title", text: line.title }),
        h("span", { class: "pos-line__meta", text: t("bought_of", { quantity: line.quantity, total: money(line.total), left }) })),
      h("label", { class: "sr-only", for: id, text: t("units_back", { title: line.title }) }),
      h("input", { class: "input input--qty", id, type: "number", min: 0, max: left, step: 1, value: 0, inputmode: "numeric", disabled: left <= 0, dataset: { orderLine: line.id } }));
  }));
  const first = form.querySelector("input:not([disabled])");
  if (first) first.select();
}

async function takeBack(event) {
  event.preventDefault();
  const form = event.target;
  const note = (text, kind) => say($("[data-return-note]"), text, kind);
  const lines = [...form.querySelectorAll("[data-order-line]")]
    .map((input) => ({ order_line_id: Number(input.dataset.orderLine), quantity: Number(input.value) }))
    .filter((line) => line.quantity > 0);
  if (!lines.length) return note(t("return_nothing"), "error");
  if (lines.some((line) => !Number.isInteger(line.quantity))) return note(t("bad_quantity"), "error");
  const body = { shift_id: state.shift.id, order_id: order.id, kind: "return", lines, reason: form.elements.reason.value.trim() };
  try {
    const done = await api.post("/pos/returns", body);
    const back = (done.tenders || []).map((tender) => `${methodName(tender.method)} ${money(tender.amount)}`).join(" · ");
    note(t("returned", { number: order.number, refund: back || money(0) }), "success");
    form.hidden = true;
    $("[data-form=return-find]").reset();
  } catch (error) {
    note(errorText(error), "error");
  }
  return null;
}
