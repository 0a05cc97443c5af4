// The management forms: show only the fields that the chosen option uses (a price's level,
// a role's region or store). Everything works without it; the server ignores the rest.
(function () {
  "use strict";
  function chosen(form) {
    var name = form.dataset.switch;
    var checked = form.querySelector("input[name='" + name + "']:checked");
    if (checked) return checked.value;
    var select = form.querySelector("select[name='" + name + "']");
    return select ? select.value : "";
  }
  function sync(form) {
    var value = chosen(form);
    form.querySelectorAll("[data-when]").forEach(function (field) {
      field.hidden = field.dataset.when.split(" ").indexOf(value) === -1;
    });
  }
  document.querySelectorAll("form[data-switch]").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === form.dataset.switch) sync(form);
    });
  });
})();
