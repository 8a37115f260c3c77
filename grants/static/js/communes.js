/* Section C: commune suggestions in a <datalist> and "Ajouter une commune" without a round trip.
   The form works without this script: the server resolves names and codes, and the add button
   redisplays the form with one more input. */
(function () {
  "use strict";
  var box = document.querySelector("[data-communes]");
  if (!box) { return; }
  var url = box.getAttribute("data-communes-url");
  var max = parseInt(box.getAttribute("data-communes-max"), 10) || 20;
  var list = document.getElementById("communes-suggestions");
  var timer = null;
  var lastQuery = "";

  function fill(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (commune) {
      var option = document.createElement("option");
      option.value = commune.label;
      option.textContent = commune.name + " — département " + commune.departement;
      list.appendChild(option);
    });
  }

  function lookup(query) {
    if (query.length < 2 || query === lastQuery) { return; }
    lastQuery = query;
    fetch(url + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(fill)
      .catch(function () { /* suggestions are a convenience: ignore network errors */ });
  }

  box.addEventListener("input", function (event) {
    if (!event.target.hasAttribute("data-commune")) { return; }
    var query = event.target.value.trim();
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { lookup(query); }, 200);
  });

  var add = box.querySelector("[data-add-commune]");
  if (!add) { return; }
  add.addEventListener("click", function (event) {
    var rows = box.querySelectorAll("[data-commune-row]");
    if (rows.length === 0 || rows.length >= max) { return; }
    event.preventDefault();
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    var input = row.querySelector("input");
    var label = row.querySelector("label");
    var id = input.id.replace(/-\d+$/, "-" + rows.length);
    input.id = id;
    input.name = id;
    input.value = "";
    input.setAttribute("aria-invalid", "false");
    input.setAttribute("aria-describedby", "communes-hint");
    label.htmlFor = id;
    label.textContent = "Commune n° " + (rows.length + 1);
    row.classList.remove("has-error");
    row.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    last.parentNode.insertBefore(row, last.nextSibling);
    input.focus();
    if (rows.length + 1 >= max) { add.hidden = true; }
  });
})();
