// What every part of the till shares: the page's configuration, the open shift, the store's
// registers and guides, the sale being rung up, and whether the network answers.
import * as cartOps from "./cart.js";
import * as idb from "./idb.js";

export const state = {
  config: null,
  online: navigator.onLine,
  registers: [],
  register: null,
  shift: null,
  guides: [],
  cart: cartOps.empty(),
  view: "loading",
};

const key = (name) => `${name}:${state.config.store.id}`;

export async function loadKept() {
  const kept = (await idb.get("kv", key("till"))) || {};
  state.register = kept.register || null;
  state.shift = kept.shift || null;
  state.guides = kept.guides || [];
  state.registers = kept.registers || [];
  const cart = await idb.get("kv", key("cart"));
  if (cart) state.cart = cart;
}

export async function keep() {
  const { register, shift, guides, registers } = state;
  await idb.put("kv", { register, shift, guides, registers }, key("till"));
}

export async function keepCart() {
  await idb.put("kv", state.cart, key("cart"));
}

export const storeId = () => state.config.store.id;
export const locale = () => state.config.locale;

export function guideName(id) {
  const guide = state.guides.find((g) => g.id === id);
  return guide ? guide.name : "";
}
