// The till's dialogs: opening and closing them, the member lookup and sign-up, the quantity.
import * as api from "./api.js";
import * as cartOps from "./cart.js";
import { $, $$, say } from "./dom.js";
import * as sell from "./sell.js";
import { state, storeId } from "./state.js";
import { errorText, t } from "./texts.js";
import * as views from "./views.js";

const openers = {};

export function register(name, opener) {
  openers[name] = opener;
}

export function open(name) {
  const dialog = $(`[data-dialog=${name}]`);
  if (!dialog || dialog.open) return;
  $$("dialog[open]").forEach((other) => other.close());
  if (openers[name] && openers[name](dialog) === false) return;
  // Chromium loses typed text in an input that a closed modal dialog hands focus back to:
  // the dialog must not remember the scan box (the till focuses it again itself).
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  dialog.showModal();
  // Selected before the dialog is handed back to the keyboard: a cashier who types at once
  // replaces the old value instead of appending to it.
  const field = dialog.querySelector("[data-select-on-open]");
  if (field) {
    field.focus();
    field.select();
  }
}

export function close(name) {
  const dialog = $(`[data-dialog=${name}]`);
  if (dialog && dialog.open) dialog.close();
}

export function init() {
  $$("dialog").forEach((dialog) => {
    dialog.addEventListener("close", () => views.focusView());
    dialog.addEventListener("click", (event) => {
      if (!event.target.closest("[data-close]")) return;
      dialog.close();
      views.focusView();
    });
  });
  $$("[data-open]").forEach((button) => button.addEventListener("click", () => open(button.dataset.open)));
  register("member", openMember);
  register("quantity", openQuantity);
  $("[data-form=member-find]").addEventListener("submit", findMember);
  $("[data-form=member-join]").addEventListener("submit", joinMember);
  $("[data-form=quantity]").addEventListener("submit", setQuantity);
}

// ---- member -----------------------------------------------------------------------------

const memberNote = (text, kind) => say($("[data-member-note]"), text, kind);

function openMember(dialog) {
  memberNote("");
  dialog.querySelector("[data-form=member-find]").reset();
  dialog.querySelector("[data-form=member-join]").reset();
  setTimeout(() => $("#pos-member-q").focus(), 0);
}

// A member number (what the member's QR code carries) is 10 digits; anything else is read
// as a phone number first. Not found one way, the other is tried.
async function lookUp(text) {
  const clean = text.replace(/[\s-]/g, "");
  const ways = /^\d{10}$/.test(clean) ? ["code", "phone"] : ["phone", "code"];
  for (const [i, way] of ways.entries()) {
    try {
      return await api.get(`/pos/members?${new URLSearchParams({ store_id: storeId(), [way]: clean })}`);
    } catch (error) {
      const another = error instanceof api.ApiError && [404, 422].includes(error.status);
      if (!another || i === ways.length - 1) throw error;
    }
  }
  return null;
}

async function findMember(event) {
  event.preventDefault();
  const text = event.target.elements.q.value.trim();
  if (!text) return;
  try {
    const member = await lookUp(text);
    sell.setMember(member);
    close("member");
  } catch (error) {
    memberNote(error.code === "member_not_found" ? t("member_not_found") : errorText(error), "error");
    const phone = /^\+?[\d\s-]{7,}$/.test(text) && !/^\d{10}$/.test(text);
    $("#pos-join-phone").value = phone ? text : "";
    if (phone) $("#pos-join-name").focus();
  }
}

async function joinMember(event) {
  event.preventDefault();
  const form = event.target;
  if (!form.elements.agree.checked) return memberNote(t("agree_first"), "error");
  const body = {
    store_id: storeId(),
    phone: form.elements.phone.value.trim(),
    guide_id: form.elements.guide.value ? Number(form.elements.guide.value) : null,
  };
  const name = form.elements.name.value.trim();
  if (name) body.name = name;
  try {
    const member = await api.post("/pos/members", body);
    sell.setMember(member);
    close("member");
    views.note(member.created ? t("member_joined") : t("member_already"), "success");
  } catch (error) {
    memberNote(errorText(error), "error");
  }
  return null;
}

// ---- quantity ---------------------------------------------------------------------------

function openQuantity(dialog) {
  const line = cartOps.selected(state.cart);
  if (!line) return false;
  dialog.dataset.line = line.key;
  $("[data-qty-line]").textContent = line.title;
  say($("[data-qty-note]"), "");
  const input = $("#pos-qty");
  input.value = line.quantity;
  return true;
}

function setQuantity(event) {
  event.preventDefault();
  const dialog = $("[data-dialog=quantity]");
  const quantity = Number(event.target.elements.quantity.value);
  if (!Number.isInteger(quantity) || quantity < 0 || quantity > cartOps.MAX_QUANTITY) {
    return say($("[data-qty-note]"), t("bad_quantity"), "error");
  }
  sell.setQuantity(dialog.dataset.line, quantity);
  dialog.close();
  return null;
}
