// Shows the seller his net and the platform's commission while he types the price. The
// same rule as commission/split.py, in integer kopecks: the percent rounded half-up, raised
// to the minimum, capped at the amount. The server's split is the one that counts.
(function () {
  "use strict";
  var box = document.getElementById("price-split");
  var input = document.getElementById("id_price");
  if (!box || !input) { return; }
  var percent = box.dataset.percent.split(".");
  var hundredths = parseInt(percent[0], 10) * 100 + parseInt(((percent[1] || "") + "00").slice(0, 2), 10);
  var minimum = parseInt(box.dataset.minimum, 10);
  var russian = box.dataset.language.indexOf("ru") === 0;

  function kopecks(text) {
    var plain = text.replace(/[\s\u00a0]/g, "").replace(",", ".");
    var match = /^([0-9]{1,12})(?:\.([0-9]{1,2}))?$/.exec(plain);
    if (!match) { return null; }
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }

  function rub(amount) {
    var whole = Math.floor(amount / 100).toString();
    var cents = ("0" + (amount % 100)).slice(-2);
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, russian ? "\u00a0" : ",");
    return grouped + (russian ? "," : ".") + cents + "\u00a0\u20bd";
  }

  function show() {
    var amount = kopecks(input.value);
    if (amount === null || amount <= 0) { box.hidden = true; return; }
    var commission = Math.floor((amount * hundredths + 5000) / 10000);
    commission = Math.min(Math.max(commission, minimum), amount);
    var net = amount - commission;
    box.textContent = net > 0
      ? box.dataset.template.replace("{net}", rub(net)).replace("{commission}", rub(commission))
      : box.dataset.tooLow;
    box.hidden = false;
  }

  input.addEventListener("input", show);
  show();
})();
