// The sale being rung up, as plain data: lines, the member, the quote the server gave for
// exactly these lines (or none, offline), and the sums the pay dialog needs.
export const MAX_QUANTITY = 999;

export function empty() {
  return { lines: [], member: null, guide_id: null, quote: null, selected: null, serial: 0 };
}

// One line per SKU (the server takes each SKU once): scanning it again adds a unit.
export function add(cart, item, quantity = 1) {
  const same = cart.lines.find((line) => line.sku_id === item.sku_id);
  if (same) {
    same.quantity = Math.min(MAX_QUANTITY, same.quantity + quantity);
    cart.selected = same.key;
    return same;
  }
  cart.serial += 1;
  const line = {
    key: `l${cart.serial}`,
    sku_id: item.sku_id,
    sku_code: item.sku_code,
    barcode: item.barcode,
    title: item.title,
    unit_price: item.unit_price,
    currency: item.currency,
    available_here: item.available_here,
    quantity: Math.min(MAX_QUANTITY, quantity),
    guide_id: cart.guide_id,
  };
  cart.lines.push(line);
  cart.selected = line.key;
  return line;
}

export const line = (cart, key) => cart.lines.find((l) => l.key === key) || null;
export const selected = (cart) => line(cart, cart.selected) || cart.lines[cart.lines.length - 1] || null;

export function setQuantity(cart, key, quantity) {
  const found = line(cart, key);
  if (!found || !Number.isInteger(quantity) || quantity < 0) return false;
  if (quantity === 0) return remove(cart, key);
  found.quantity = Math.min(MAX_QUANTITY, quantity);
  cart.selected = key;
  return true;
}

export function remove(cart, key) {
  cart.lines = cart.lines.filter((l) => l.key !== key);
  if (cart.selected === key) cart.selected = null;
  return true;
}

// What the quote depends on; a quote for another signature is stale.
export function signature(cart) {
  const lines = cart.lines.map((l) => [l.sku_id, l.quantity, l.guide_id]);
  return JSON.stringify([lines, cart.member ? cart.member.member_id : null]);
}

export function quoteBody(cart, storeId) {
  return {
    store_id: storeId,
    member_id: cart.member ? cart.member.member_id : null,
    lines: cart.lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity, guide_id: l.guide_id })),
    offer_keys: null,
    discount: 0,
  };
}

export const currentQuote = (cart) => (cart.quote && cart.quote.signature === signature(cart) ? cart.quote.body : null);

// The sums to take money for: the server's quote when there is one for these lines, else
// the list prices the device knows (no promotions: they need the server).
export function totals(cart) {
  const quote = currentQuote(cart);
  if (quote) {
    const byKey = cart.lines.map((l, i) => ({ key: l.key, ...quote.lines[i] }));
    return { quoted: true, lines: byKey, offers: quote.offers, subtotal: quote.subtotal, discount: quote.discount, total: quote.total, currency: quote.currency, points: quote.points_used || 0, pointsOff: quote.points_off || 0 };
  }
  const lines = cart.lines.map((l) => {
    const subtotal = l.unit_price * l.quantity;
    return { key: l.key, subtotal, discount: 0, total: subtotal, unit_price: l.unit_price };
  });
  const subtotal = lines.reduce((sum, l) => sum + l.subtotal, 0);
  const currency = cart.lines.length ? cart.lines[0].currency : "CNY";
  return { quoted: false, lines, offers: [], subtotal, discount: 0, total: subtotal, currency };
}

// The sale's lines as the server takes them, at the prices the till showed.
export function saleLines(cart) {
  const sums = totals(cart);
  return cart.lines.map((l, i) => ({
    sku_id: l.sku_id,
    quantity: l.quantity,
    guide_id: l.guide_id,
    unit_price: sums.quoted ? sums.lines[i].unit_price : l.unit_price,
  }));
}

export const count = (cart) => cart.lines.reduce((sum, l) => sum + l.quantity, 0);
