// A little behaviour on top of server-rendered pages; everything works without it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    if (close) {
      var box = close.closest("[data-flash]");
      if (box) box.remove();
    }
  });
  // Copy a share link: select the field and put its text on the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    var done = function () {
      button.textContent = button.dataset.copied || button.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
  // Prevent double submits: mark the clicked form busy once it is on its way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    var button = form.querySelector("[data-busy]");
    if (button) button.setAttribute("aria-busy", "true");
  });
  // A select marked data-autosubmit sends its form once a value is picked (the brand picker);
  // the form's button is only for pages without scripts.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form && select.form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () {
      if (!select.value || !select.form) return;
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    });
  });
  // A choice marked data-total (checkout's discount combinations) shows its amount wherever
  // the page shows the total to pay (data-shows-total).
  document.addEventListener("change", function (event) {
    var input = event.target.closest("input[data-total]");
    if (!input || !input.checked) return;
    document.querySelectorAll("[data-shows-total]").forEach(function (shown) {
      shown.textContent = input.dataset.total;
    });
  });
  // Back-forward cache restores a submitted form: make it usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      var button = form.querySelector("[data-busy]");
      if (button) button.removeAttribute("aria-busy");
    });
  });
})();
