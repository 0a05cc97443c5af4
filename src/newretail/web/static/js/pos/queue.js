// The device's sales: each one is written to IndexedDB before anything is sent, shown as
// pending, and marked synced (or in conflict) once the server has answered for it. The
// server takes each client id once, so sending a sale again (a lost answer, a restart, two
// tabs) never doubles it.
import * as api from "./api.js";
import * as idb from "./idb.js";

const BATCH = 200;
const listeners = new Set();
// Sales being sent one by one right now: a sync meanwhile leaves them alone.
const sending = new Set();
let running = null;

export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The device's clock with its offset, as the server wants it ("2026-12-14T03:12:45+08:00").
export function deviceTime(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

export function onChange(listener) {
  listeners.add(listener);
}

function changed() {
  listeners.forEach((listener) => listener());
}

export async function all() {
  const sales = await idb.all("sales");
  return sales.sort((a, b) => b.created_at - a.created_at);
}

export async function pending() {
  const sales = await idb.byIndex("sales", "status", "pending");
  return sales.sort((a, b) => a.created_at - b.created_at);
}

export async function record(sale) {
  await idb.put("sales", { ...sale, status: "pending", result: null, conflict: null });
  changed();
}

// The device's copy of a sale the server has answered for: synced, or in conflict (as the
// conflict stands now: a manager may have settled it since).
async function settle(clientId, sale, reused = false) {
  const kept = await idb.get("sales", clientId);
  if (!kept) return null;
  let updated = { ...kept, status: "synced", result: sale, conflict: null };
  if (sale.status === "conflict") updated = { ...updated, status: "conflict", conflict: sale.conflict };
  // The server took this id for another sale: this one was never placed.
  if (reused) updated = { ...updated, status: "rejected", result: null, conflict: { code: "client_id_reused", detail: "" } };
  await idb.put("sales", updated);
  return updated;
}

// Conflicts as they stand on the server now (the manager's settlement shows on the device).
export async function refreshConflicts(limit = 20) {
  const open = (await all()).filter((sale) => sale.status === "conflict" && sale.conflict && sale.conflict.status !== "settled");
  for (const sale of open.slice(0, limit)) {
    await settle(sale.client_id, await api.get(`/pos/orders/${sale.client_id}`));
  }
  if (open.length) changed();
}

async function reject(clientId, error) {
  const kept = await idb.get("sales", clientId);
  if (!kept) return;
  const conflict = { code: error.code || "invalid_input", detail: error.message };
  await idb.put("sales", { ...kept, status: "rejected", conflict });
}

// A refusal that no retry will change (the server wrote nothing); other failures leave
// the sale pending for the next sync.
export const refused = (error) =>
  error instanceof api.ApiError && error.status >= 400 && error.status < 500 &&
  ![401, 403, 408, 429].includes(error.status);

// Sends one sale at once (the till is online): the stored sale, synced; or throws the
// refusal after dropping the sale (nothing was written); or null when it stays pending.
export async function send(sale) {
  sending.add(sale.client_id);
  try {
    const answer = await api.post("/pos/orders", sale.body);
    const updated = await settle(sale.client_id, answer);
    changed();
    return updated;
  } catch (error) {
    if (!refused(error)) return null;
    await idb.remove("sales", sale.client_id);
    changed();
    throw error;
  } finally {
    sending.delete(sale.client_id);
  }
}

async function sendBatch(registerId, sales) {
  try {
    const answer = await api.post("/pos/sync", { register_id: registerId, sales: sales.map((s) => s.body) });
    for (const result of answer.results) {
      await settle(result.client_id, result.sale, result.status === "client_id_reused");
    }
  } catch (error) {
    if (!(error instanceof api.ApiError && error.status === 422)) throw error;
    if (sales.length === 1) return reject(sales[0].client_id, error);
    // One malformed sale refuses its whole batch: send them one by one to find it.
    for (const sale of sales) await sendBatch(registerId, [sale]);
  }
  return null;
}

async function syncAll() {
  const queue = (await pending()).filter((sale) => !sending.has(sale.client_id));
  const registers = [...new Set(queue.map((sale) => sale.register_id))];
  for (const registerId of registers) {
    const mine = queue.filter((sale) => sale.register_id === registerId);
    for (let start = 0; start < mine.length; start += BATCH) {
      await sendBatch(registerId, mine.slice(start, start + BATCH));
    }
  }
  return queue.length;
}

// Sends every pending sale, oldest first; one sync at a time. Resolves to the number sent;
// rejects with api.NetworkDown while the device is cut off.
export function sync() {
  if (!running) {
    running = syncAll().finally(() => {
      running = null;
      changed();
    });
  }
  return running;
}

// Sent sales are kept a while for their receipts, then dropped; pending ones and conflicts
// stay until they are settled.
export async function prune(days = 7) {
  const before = Date.now() - days * 24 * 3600 * 1000;
  const old = (await idb.all("sales")).filter((sale) => sale.status === "synced" && sale.created_at < before);
  for (const sale of old) await idb.remove("sales", sale.client_id);
  return old.length;
}
