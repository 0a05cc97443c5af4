// Finding what the cashier scans: the POS API when online, else what the device has kept.
// Every SKU looked up is kept in IndexedDB, and the store's whole pos catalog is loaded in
// the background, so that the till can go on selling through an outage.
import * as api from "./api.js";
import * as idb from "./idb.js";

const SEARCH_LIMIT = 20;
const PAGE = 200;

function kept(item) {
  return { ...item, kept_at: Date.now() };
}

async function remember(items) {
  if (items.length) await idb.putMany("products", items.map(kept));
}

// ``{item, offline}``; item null when the device does not know the barcode offline. Throws
// the API's refusal (unknown_barcode) when online.
export async function byBarcode(storeId, barcode) {
  try {
    const query = new URLSearchParams({ store_id: storeId, barcode });
    const answer = await api.get(`/pos/products?${query}`);
    await remember(answer.items);
    return { item: answer.items[0] || null, offline: false };
  } catch (error) {
    if (!(error instanceof api.NetworkDown)) throw error;
    const found = await idb.byIndex("products", "barcode", barcode);
    return { item: found[0] || null, offline: true };
  }
}

function matches(item, words) {
  const text = `${item.title} ${item.sku_code} ${item.barcode || ""}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

export async function search(storeId, q) {
  try {
    const query = new URLSearchParams({ store_id: storeId, q, limit: SEARCH_LIMIT });
    const answer = await api.get(`/pos/products?${query}`);
    await remember(answer.items);
    return { items: answer.items, offline: false };
  } catch (error) {
    if (!(error instanceof api.NetworkDown)) throw error;
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const items = (await idb.all("products")).filter((item) => matches(item, words));
    return { items: items.slice(0, SEARCH_LIMIT), offline: true };
  }
}

function fromCatalog(entry) {
  const value = (name) => (entry.fields[name] ? entry.fields[name].value : null);
  const title = value("title") || entry.sku_code;
  return {
    sku_id: entry.sku_id,
    product_id: entry.product_id,
    sku_code: entry.sku_code,
    barcode: entry.barcode,
    title: `${title} (${entry.sku_code})`,
    unit_price: value("price"),
    currency: entry.currency,
    sellable: entry.sellable,
    available_here: null,
  };
}

const FRESH_MS = 30 * 60 * 1000;

// The store's sellable pos catalog into the device, page by page (quietly gives up offline);
// a catalog loaded in the last half hour is fresh enough. Only a load that reached the last
// page is recorded as done: one cut short is tried again on the next start, rather than
// taken for the whole catalog for half an hour.
export async function preload(storeId) {
  const last = await idb.get("kv", `catalog:${storeId}`);
  if (last && last.count && Date.now() - last.at < FRESH_MS) return last.count;
  let cursor = null;
  let count = 0;
  try {
    do {
      const query = new URLSearchParams({ channel: "pos", sellable_only: "true", limit: PAGE });
      if (cursor) query.set("cursor", cursor);
      const page = await api.get(`/stores/${storeId}/catalog?${query}`);
      const items = page.items.map(fromCatalog);
      count += await idb.putMany("products", items.map(kept));
      cursor = page.next_cursor;
    } while (cursor);
  } catch (error) {
    if (!(error instanceof api.NetworkDown || error instanceof api.ApiError)) throw error;
    return count;
  }
  await idb.put("kv", { at: Date.now(), count }, `catalog:${storeId}`);
  return count;
}
