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
  // A chosen picture's name next to the field's button.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("file-pick__input")) return;
    var name = input.parentElement.querySelector("[data-file-name]");
    if (name && input.files && input.files.length) name.textContent = input.files[0].name;
  });
})();
