// The management forms: show only the fields the chosen price level uses.
// Everything works without it; the server ignores the fields a level does not use.
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector("input[name=level]:checked");
    if (!chosen) return;
    form.querySelectorAll("[data-level-field]").forEach(function (field) {
      var wanted = field.dataset.levelField.split(" ");
      field.hidden = wanted.indexOf(chosen.value) === -1;
    });
  }
  document.querySelectorAll("form[data-levels]").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "level") sync(form);
    });
  });
})();
