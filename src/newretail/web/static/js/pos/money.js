// Money in fen, shown the way the server shows it (babel's currency format for the locale).
const formats = new Map();

export function format(fen, currency = "CNY", locale = "zh_Hans_CN") {
  const tag = locale.startsWith("zh") ? "zh-CN" : "en";
  const key = `${tag}:${currency}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(tag, { style: "currency", currency }));
  }
  return formats.get(key).format((fen || 0) / 100);
}

// What the cashier typed ("12", "12.5", "12.50") in fen; NaN when it is not an amount.
export function parse(text) {
  const clean = String(text ?? "").trim().replace(/[,，\s¥]/g, "");
  if (!/^\d+(\.\d{0,2})?$/.test(clean)) return NaN;
  const [whole, part = ""] = clean.split(".");
  return Number(whole) * 100 + Number((part + "00").slice(0, 2));
}

export const toInput = (fen) => ((fen || 0) / 100).toFixed(2);

// A moment on the store's wall clock, in the cashier's language.
export function when(value, locale = "zh_Hans_CN", timeZone = "Asia/Shanghai", timeStyle = "short") {
  const tag = locale.startsWith("zh") ? "zh-CN" : "en";
  return new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle, timeZone }).format(new Date(value));
}
