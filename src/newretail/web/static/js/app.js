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
  // Back-forward cache restores a submitted form: make it usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      var button = form.querySelector("[data-busy]");
      if (button) button.removeAttribute("aria-busy");
    });
  });
})();
