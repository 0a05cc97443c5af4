// The sales this device holds: pending ones waiting for the network, those the server took,
// and conflicts (a sale the server could not place as the till made it), which the cashier
// must see and a manager settles. Also the store's open conflicts, when the server answers.
import * as api from "./api.js";
import { $, fill, h } from "./dom.js";
import { format, when } from "./money.js";
import * as queue from "./queue.js";
import * as receipt from "./receipt.js";
import { locale, state, storeId } from "./state.js";
import { errorText, t } from "./texts.js";
import * as views from "./views.js";

const SHOWN = 50;
const TONES = { pending: "neutral", synced: "success", conflict: "danger", rejected: "danger", settled: "neutral" };

export function init() {
  $("[data-sync-now]").addEventListener("click", syncNow);
  queue.onChange(refresh);
  views.onShow((view) => {
    if (view !== "sales") return;
    refresh();
    storeConflicts();
    queue.refreshConflicts().catch(() => {});
  });
}

export async function syncNow() {
  const box = $("[data-sync-state]");
  try {
    const sent = await queue.sync();
    box.textContent = sent ? t("sync_done", { count: sent }) : t("sync_nothing");
  } catch (error) {
    box.textContent = error instanceof api.NetworkDown ? t("sync_offline") : errorText(error);
  }
}

const settled = (sale) => sale.status === "conflict" && sale.conflict && sale.conflict.status === "settled";
const shownStatus = (sale) => (settled(sale) ? "settled" : sale.status);

function saleItem(sale) {
  const money = (fen) => format(fen, sale.view.currency, locale());
  const conflict = sale.conflict;
  return h("li", { class: `pos-sale pos-sale--${sale.status}`, dataset: { clientId: sale.client_id, status: sale.status } },
    h("span", { class: "pos-sale__main" },
      h("span", { class: "pos-sale__title", text: (sale.result && sale.result.order_number) || sale.client_id.slice(0, 8).toUpperCase() }),
      h("span", { class: "pos-sale__meta", text: `${when(sale.created_at, locale(), state.config.store.tz, "medium")} · ${t("items_count", { count: sale.view.lines.reduce((n, l) => n + l.quantity, 0) })}` }),
      conflict ? h("span", { class: "pos-sale__conflict", text: errorText(conflict) }) : null),
    h("span", { class: "pos-sale__total", text: money(sale.view.total) }),
    h("span", { class: `badge badge--${TONES[shownStatus(sale)]}`, text: t(`status_${shownStatus(sale)}`) }),
    h("button", { class: "btn btn--ghost btn--sm", type: "button", onclick: () => receipt.show(sale), text: t("receipt") }));
}

export async function refresh() {
  const sales = await queue.all();
  const pending = sales.filter((s) => s.status === "pending").length;
  const conflicts = sales.filter((s) => (s.status === "conflict" && !settled(s)) || s.status === "rejected").length;
  views.setPending(pending, conflicts);
  if (state.view !== "sales") return;
  fill($("[data-sales]"), sales.slice(0, SHOWN).map(saleItem));
  $("[data-sales-empty]").hidden = sales.length > 0;
}

async function storeConflicts() {
  const box = $("[data-store-conflicts]");
  try {
    const found = await api.get(`/pos/conflicts?${new URLSearchParams({ store_id: storeId(), status: "open" })}`);
    box.hidden = !found.items.length;
    fill($("[data-conflict-list]"), found.items.map((c) =>
      h("li", { class: "pos-sale pos-sale--conflict" },
        h("span", { class: "pos-sale__main" },
          h("span", { class: "pos-sale__title", text: c.client_id.slice(0, 8).toUpperCase() }),
          h("span", { class: "pos-sale__conflict", text: errorText(c) })),
        h("span", { class: "badge badge--danger", text: t("status_conflict") }))));
  } catch (error) {
    box.hidden = true;
  }
}
