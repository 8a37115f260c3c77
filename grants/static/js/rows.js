/* Row tables: "Ajouter une ligne" adds a blank row in place (cloning the last one) instead of
   a round trip to the server. Without JavaScript the button submits and the server adds it. */
(function () {
  "use strict";

  function rowIndex(row, prefix) {
    var field = row.querySelector("[name^='" + prefix + "-']");
    if (!field) { return -1; }
    var match = field.name.slice(prefix.length + 1).match(/^(\d+)-/);
    return match ? parseInt(match[1], 10) : -1;
  }

  function renumber(element, prefix, from, to) {
    var oldPart = prefix + "-" + from + "-";
    var newPart = prefix + "-" + to + "-";
    ["name", "id", "for"].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (value && value.indexOf(oldPart) === 0) {
        element.setAttribute(attribute, newPart + value.slice(oldPart.length));
      }
    });
  }

  function clear(row) {
    row.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    row.querySelectorAll(".has-error").forEach(function (node) { node.classList.remove("has-error"); });
    row.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = false;
      } else {
        input.value = "";
      }
    });
    row.querySelectorAll("select").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) { option.selected = false; });
      if (!select.multiple) { select.selectedIndex = 0; }
    });
  }

  function addRow(button) {
    var table = document.getElementById(button.getAttribute("data-add-row"));
    if (!table) { return false; }
    var prefix = table.getAttribute("data-rows-prefix");
    var rows = table.tBodies[0].rows;
    var last = rows[rows.length - 1];
    if (!last) { return false; }
    var next = 0;
    Array.prototype.forEach.call(rows, function (row) {
      next = Math.max(next, rowIndex(row, prefix) + 1);
    });
    var from = rowIndex(last, prefix);
    var copy = last.cloneNode(true);
    copy.querySelectorAll("[name], [id], [for]").forEach(function (node) {
      renumber(node, prefix, from, next);
    });
    clear(copy);
    var number = copy.querySelector(".row-number");
    if (number) { number.textContent = String(rows.length + 1); }
    table.tBodies[0].appendChild(copy);
    var first = copy.querySelector("input, select");
    if (first) { first.focus(); }
    copy.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add-row]");
    if (button && addRow(button)) {
      event.preventDefault();
    }
  });
})();
