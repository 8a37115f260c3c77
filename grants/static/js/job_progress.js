// Polls a background job's JSON status and updates the progress shown on the page.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var labels = { queued: "En attente", running: "En cours", done: "Terminée", failed: "En échec" };
  function update(status) {
    box.querySelector("[data-job-state]").textContent = labels[status.state] || status.state;
    box.querySelector("[data-job-done]").textContent = status.done;
    box.querySelector("[data-job-total]").textContent = status.total || 0;
    var bar = box.querySelector("progress");
    bar.max = status.total || 1;
    bar.value = status.total ? status.done : (status.state === "done" ? 1 : 0);
    if (status.state === "queued" || status.state === "running") { window.setTimeout(poll, 1500); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(update)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
