// The till's words in the cashier's language, handed over by the page (see web/pos_texts.py).
let words = {};
let errors = {};

export function init(config) {
  words = config.texts || {};
  errors = config.errors || {};
}

// ``t("paid_with", {method: "现金"})`` fills ``%(method)s`` placeholders.
export function t(key, params = {}) {
  const text = words[key] || key;
  return text.replace(/%\((\w+)\)[sd]/g, (_, name) => (name in params ? String(params[name]) : ""));
}

// A refusal from the API in words: known codes are translated, else the server's detail.
export function errorText(error) {
  if (error && error.code && errors[error.code]) return errors[error.code];
  if (error && error.code === "network_down") return t("network_down");
  return (error && (error.message || error.detail)) || t("something_wrong");
}

export const methodName = (method) => t(`method_${method}`);
