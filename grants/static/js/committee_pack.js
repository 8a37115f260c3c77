// Fetches the committee pack's progress block again while it is being generated.
(function () {
  "use strict";
  var box = document.getElementById("pack-status");
  if (!box) { return; }
  var url = box.getAttribute("data-fragment-url");
  function active() { return box.querySelector("[data-pack-active]") !== null; }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        if (active()) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  if (active()) { window.setTimeout(poll, 1500); }
})();
