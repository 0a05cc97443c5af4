// The receipt: shown after each sale and printable on an 80 mm roll (css/pos.css's print
// rules show only ``[data-print]``). A sale the server has taken prints the server's
// receipt; a pending one prints what the device knows, marked as not yet sent.
import * as api from "./api.js";
import * as dialogs from "./dialogs.js";
import { $, fill, h } from "./dom.js";
import { format, when } from "./money.js";
import { guideName, locale, state } from "./state.js";
import { methodName, t } from "./texts.js";

let shownModel = null;

export function init() {
  $("[data-print-receipt]").addEventListener("click", () => window.print());
}

function fromSale(sale) {
  const v = sale.view;
  const result = sale.result || null;
  return {
    status: sale.status,
    pending: sale.status === "pending",
    number: (result && result.order_number) || sale.client_id.slice(0, 8).toUpperCase(),
    time: sale.device_time,
    cashier: state.config.staff.name,
    register: state.register ? state.register.code : "",
    lines: v.lines.map((l) => ({ ...l, guide: guideName(l.guide_id) })),
    discounts: v.offers, subtotal: v.subtotal, discount: v.discount, total: v.total,
    currency: v.currency, change: v.change, member: v.member,
    tenders: v.tenders,
    join_url: null,
  };
}

function fromServer(r) {
  return {
    status: "synced", pending: false, number: r.order.number, time: r.device_time || r.order.created_at,
    cashier: r.cashier ? r.cashier.name : "", register: r.till ? r.till.code : "",
    lines: r.lines.map((l) => ({ ...l, guide: l.guide ? l.guide.name : "" })),
    discounts: r.discounts.map((d) => (d.source === "points" && r.points_used
      ? { ...d, name: t("points_pay", { points: r.points_used, amount: format(d.amount, r.currency, locale()) }) }
      : d)),
    subtotal: r.subtotal, discount: r.discount, total: r.total,
    currency: r.currency, change: r.change, member: r.member, tenders: r.tenders, join_url: r.join_url,
  };
}

function qr(model) {
  if (model.join_url) {
    return h("img", { class: "receipt__qr", alt: t("join_qr_alt"), src: `/pos/qr.svg?data=${encodeURIComponent(model.join_url)}` });
  }
  const kept = $("template[data-join-qr]");
  const box = h("div", { class: "receipt__qr", role: "img", "aria-label": t("join_qr_alt") });
  if (kept) box.append(kept.content.cloneNode(true));
  return box;
}

function row(label, value, cls = "") {
  return h("div", { class: `receipt__row ${cls}` }, h("span", { text: label }), h("span", { text: value }));
}

function build(model) {
  const money = (fen) => format(fen, model.currency, locale());
  return h("article", { class: "receipt" },
    h("header", { class: "receipt__head" },
      h("strong", { class: "receipt__store", text: state.config.store.name }),
      h("span", { text: when(model.time, locale(), state.config.store.tz) }),
      h("span", { text: `${t("receipt_no")} ${model.number}` }),
      h("span", { text: [model.register, model.cashier].filter(Boolean).join(" · ") }),
      model.pending ? h("strong", { class: "receipt__pending", text: t("receipt_pending") }) : null),
    h("ul", { class: "receipt__lines" }, model.lines.map((l) =>
      h("li", {},
        h("span", { class: "receipt__title", text: l.title }),
        row(`${l.quantity} × ${money(l.unit_price)}`, money(l.total)),
        l.guide ? h("span", { class: "receipt__guide", text: t("served_by_name", { name: l.guide }) }) : null))),
    h("div", { class: "receipt__sums" },
      row(t("subtotal"), money(model.subtotal)),
      (model.discounts || []).map((d) => row(d.name, `−${money(d.amount)}`)),
      row(t("total"), money(model.total), "receipt__row--total"),
      model.tenders.map((tender) => row(methodName(tender.method), money(tender.tendered || tender.amount))),
      model.change ? row(t("change"), money(model.change), "receipt__row--total") : null),
    model.member ? h("p", { class: "receipt__member", text: t("receipt_member", { no: model.member.member_no, points: model.member.points }) }) : null,
    h("footer", { class: "receipt__foot" }, qr(model), h("span", { text: t("join_hint") }), h("span", { text: t("thanks") })));
}

// The receipt on screen, and the same in the page's print area: printing the till (the
// button or the browser's own print) prints the receipt last shown.
function draw(model) {
  shownModel = model;
  fill($("[data-receipt]"), build(model));
  fill($("[data-print]"), build(model));
  const change = $("[data-receipt-change]");
  change.hidden = !model.change;
  change.textContent = t("give_change", { amount: format(model.change, model.currency, locale()) });
  const status = $("[data-receipt-status]");
  const tones = { pending: "neutral", synced: "success" };
  status.className = `badge badge--${tones[model.status] || "danger"}`;
  status.textContent = t(`status_${model.status}`);
}

// Shows the receipt of a device sale, then the server's version of it when there is one.
export async function show(sale) {
  draw(fromSale(sale));
  dialogs.open("receipt");
  const saleId = sale.result && sale.result.sale_id;
  if (!saleId) return;
  try {
    const server = await api.get(`/pos/sales/${saleId}/receipt`);
    if (shownModel && shownModel.number === server.order.number) draw(fromServer(server));
  } catch (error) {
    // the device's receipt stays shown
  }
}
