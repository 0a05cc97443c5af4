// Drawing the sale: its lines (quantity stepper, serving guide, totals), the member card and
// the sums, from the cart and its quote.
import * as cartOps from "./cart.js";
import { $, $$, fill, h } from "./dom.js";
import { format } from "./money.js";
import { locale, state } from "./state.js";
import { t } from "./texts.js";

const money = (fen) => format(fen, "CNY", locale());

function guideOptions(selected) {
  return [
    h("option", { value: "", text: t("no_guide") }),
    ...state.guides.map((g) => h("option", { value: g.id, selected: g.id === selected, text: g.name })),
  ];
}

export function fillGuideSelects() {
  $$("[data-default-guide], [data-guide-select]").forEach((select) => {
    const value = select.matches("[data-default-guide]") ? state.cart.guide_id : null;
    fill(select, guideOptions(value));
  });
}

function lineItem(line, sums) {
  const sum = sums.lines.find((l) => l.key === line.key) || { total: 0, discount: 0 };
  const id = `guide-${line.key}`;
  return h("li", { class: `pos-line${state.cart.selected === line.key ? " pos-line--selected" : ""}`, dataset: { line: line.key, sku: line.sku_id } },
    h("div", { class: "pos-line__main" },
      h("span", { class: "pos-line__title", text: line.title }),
      h("span", { class: "pos-line__meta", text: [line.sku_code, line.barcode, money(line.unit_price)].filter(Boolean).join(" · ") }),
      h("span", { class: "pos-line__guide" },
        h("label", { class: "sr-only", for: id, text: t("served_by") }),
        h("select", { class: "input input--sm", id, "data-line-guide": true }, guideOptions(line.guide_id)))),
    h("div", { class: "pos-stepper", role: "group", "aria-label": t("quantity_of", { title: line.title }) },
      h("button", { class: "pos-stepper__btn", type: "button", dataset: { act: "minus" }, "aria-label": t("one_less"), text: "−" }),
      h("span", { class: "pos-stepper__qty", "data-qty": true, text: line.quantity }),
      h("button", { class: "pos-stepper__btn", type: "button", dataset: { act: "plus" }, "aria-label": t("one_more"), text: "+" })),
    h("div", { class: "pos-line__sum" },
      h("span", { class: "pos-line__total", text: money(sum.total) }),
      sum.discount ? h("span", { class: "pos-line__discount", text: `−${money(sum.discount)}` }) : null),
    h("button", { class: "pos-line__remove", type: "button", dataset: { act: "remove" }, "aria-label": t("remove_line", { title: line.title }), text: "×" }));
}

function renderMember() {
  const member = state.cart.member;
  $("[data-member-none]").hidden = Boolean(member);
  $("[data-member-found]").hidden = !member;
  if (!member) return;
  const initial = $("[data-member-initial]");
  initial.hidden = !member.name;
  initial.textContent = (member.name || "").slice(0, 1);
  $("[data-member-name]").textContent = member.name || member.phone || member.member_no;
  $("[data-member-meta]").textContent = [
    t("member_no", { no: member.member_no }),
    member.name ? member.phone : "",
    t("points_count", { count: member.points }),
    member.store_credit ? t("store_credit_of", { amount: money(member.store_credit) }) : "",
  ].filter(Boolean).join(" · ");
}

function renderSums(sums) {
  const empty = !state.cart.lines.length;
  // An empty sale owes nothing: ¥0.00, dimmed, rather than a dash that reads as a bar.
  $("[data-subtotal]").textContent = money(empty ? 0 : sums.subtotal);
  const total = $("[data-total]");
  total.textContent = money(empty ? 0 : sums.total);
  total.classList.toggle("is-nothing", empty);
  const rows = sums.offers.map((offer) =>
    h("li", { class: "pos-offer" }, h("span", { text: offer.name }), h("span", { class: "pos-offer__amount", text: `−${money(offer.amount)}` })));
  if (sums.pointsOff) {
    rows.push(h("li", { class: "pos-offer", dataset: { testid: "points-used" } },
      h("span", { text: t("points_pay", { points: sums.points, amount: money(sums.pointsOff) }) }),
      h("span", { class: "pos-offer__amount", text: `−${money(sums.pointsOff)}` })));
  }
  fill($("[data-offers]"), rows);
  let status = "";
  if (!empty && !sums.quoted) status = state.online ? t("quoting") : t("offline_prices");
  $("[data-quote-state]").textContent = status;
  $("[data-pay]").disabled = empty;
  $$("[data-needs-lines]").forEach((button) => {
    button.disabled = empty;
  });
}

export function render() {
  const sums = cartOps.totals(state.cart);
  fill($("[data-lines]"), state.cart.lines.map((line) => lineItem(line, sums)));
  $("[data-cart-empty]").hidden = state.cart.lines.length > 0;
  $("[data-cart-count]").textContent = cartOps.count(state.cart);
  renderMember();
  renderSums(sums);
}
