// Polls the payment's status while it is not final, and reloads the page when it changes.
(function () {
  "use strict";
  var box = document.getElementById("payment-status");
  if (!box || box.dataset.final === "true") { return; }
  var shown = box.querySelector("[data-status]").dataset.status;
  var delay = 1000;
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.status !== shown) { window.location.reload(); return; }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
