/* Financing plan: recompute costs, resources and their gap per aid type as the user types.
   Amounts are French decimals ("1 234,56"); sums are kept in cents to stay exact. */
(function () {
  "use strict";

  var money = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });

  function parseCents(raw) {
    var cleaned = String(raw || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) { return null; }
    var parts = cleaned.split(".");
    var cents = (parts[1] || "").padEnd(2, "0");
    return parseInt(parts[0], 10) * 100 + parseInt(cents, 10);
  }

  function field(row, suffix) {
    return row.querySelector("[name$='-" + suffix + "']");
  }

  function sums(kind) {
    var totals = {};
    var table = document.querySelector("table[data-balance='" + kind + "']");
    if (!table) { return totals; }
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var aidType = field(row, "aid_type");
      var amount = field(row, "amount");
      var remove = field(row, "delete");
      if (!aidType || !amount || !aidType.value || (remove && remove.checked)) { return; }
      var cents = parseCents(amount.value);
      if (cents === null) { return; }
      totals[aidType.value] = (totals[aidType.value] || 0) + cents;
    });
    return totals;
  }

  function show(cell, cents) {
    if (cell) { cell.textContent = money.format(cents / 100); }
  }

  function refresh() {
    var balance = document.getElementById("balance-table");
    if (!balance) { return; }
    var costs = sums("costs");
    var resources = sums("resources");
    Array.prototype.forEach.call(balance.tBodies[0].rows, function (row) {
      var code = row.getAttribute("data-aid-type");
      var cost = costs[code] || 0;
      var resource = resources[code] || 0;
      show(row.querySelector("[data-total='costs']"), cost);
      show(row.querySelector("[data-total='resources']"), resource);
      show(row.querySelector("[data-total='balance']"), resource - cost);
      var status = row.querySelector("[data-total='status']");
      if (status) {
        var ok = resource === cost;
        status.textContent = ok ? "Équilibré" : "Non équilibré";
        status.className = ok ? "balance-ok" : "balance-ko";
      }
    });
  }

  document.addEventListener("input", refresh);
  document.addEventListener("change", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
