// Mixed tenders against a total, in fen. Cash is what the cashier received: it pays what the
// other tenders leave and the rest is change, so only cash ever gives change (one cash
// tender at most). A sale may be submitted only when the tenders cover the total exactly.
export const METHODS = ["cash", "card", "payment_code", "store_credit", "points"];
// Tenders the server must check at once (a wallet charge, a member's balance).
export const ONLINE_ONLY = new Set(["payment_code", "store_credit", "points"]);
export const MEMBER_ONLY = new Set(["store_credit", "points"]);

// {rows, paid, due, change, covered, problem}; ``problem`` names what is wrong, if anything.
export function settle(total, tenders, member = null) {
  const others = tenders.filter((t) => t.method !== "cash");
  const othersPaid = others.reduce((sum, t) => sum + (t.amount || 0), 0);
  const cash = tenders.find((t) => t.method === "cash");
  const cashAmount = cash ? Math.max(0, Math.min(cash.tendered || 0, total - othersPaid)) : 0;
  const change = cash ? Math.max(0, (cash.tendered || 0) - cashAmount) : 0;
  const rows = tenders.map((t) =>
    t.method === "cash" ? { ...t, amount: cashAmount, change } : { ...t, change: 0 },
  );
  const paid = othersPaid + cashAmount;
  return { rows, paid, due: Math.max(0, total - paid), change, covered: paid === total && total > 0, problem: problem(total, rows, othersPaid, member) };
}

function problem(total, rows, othersPaid, member) {
  if (rows.some((t) => t.method !== "cash" && !(t.amount > 0))) return "tender_amount";
  if (rows.some((t) => t.method === "cash" && !(t.tendered > 0))) return "tender_amount";
  if (othersPaid > total) return "payment_over";
  if (rows.some((t) => MEMBER_ONLY.has(t.method)) && !member) return "member_required";
  const sum = (method) => rows.filter((t) => t.method === method).reduce((s, t) => s + t.amount, 0);
  if (member && sum("points") > member.points_value) return "points_insufficient";
  if (member && sum("store_credit") > member.store_credit) return "store_credit_insufficient";
  if (rows.some((t) => t.method === "payment_code" && !/^\d{16,24}$/.test(t.code || ""))) return "payment_code_missing";
  return null;
}

// The tenders as the server takes them (zero cash rows dropped).
export function body(settled) {
  return settled.rows
    .filter((t) => t.amount > 0)
    .map((t) => {
      const out = { method: t.method, amount: t.amount };
      if (t.method === "cash") out.tendered = t.tendered;
      if (t.method === "card" && t.reference) out.reference = t.reference;
      if (t.method === "payment_code") out.code = t.code;
      return out;
    });
}

// Cash amounts a cashier is likely handed for ``due``: exact, then round notes above it.
export function quickCash(due) {
  const options = [due];
  for (const note of [1000, 5000, 10000]) {
    const up = Math.ceil(due / note) * note;
    if (up > due && !options.includes(up)) options.push(up);
  }
  return options.slice(0, 4);
}
