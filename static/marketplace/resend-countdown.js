// The code page's "Send a new code": disabled, with the seconds left, until the bank will
// send one (data-resend-in, counted from the page's load, so the computer's clock does
// not matter). Without JavaScript the button stays usable and the page says how long to wait.
(function () {
  "use strict";
  var form = document.querySelector("form.resend[data-resend-in]");
  if (!form) { return; }
  var button = form.querySelector("button");
  var note = form.querySelector(".resend-wait");
  var left = parseInt(form.dataset.resendIn, 10);
  var text = form.dataset.countdown;
  if (!button || !note || !(left > 0)) { return; }
  var until = Date.now() + left * 1000;
  function tick() {
    left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      button.disabled = false;
      note.hidden = true;
      return;
    }
    button.disabled = true;
    note.textContent = text.replace("{seconds}", String(left));
    window.setTimeout(tick, 250);
  }
  tick();
})();
