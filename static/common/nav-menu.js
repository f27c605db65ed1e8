// The signed-in menu: a <details> open on wide screens (its summary hidden by CSS) and
// folded behind "Menu" on narrow ones. Without JavaScript it simply stays open.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 48rem)");
  var menus = document.querySelectorAll("details.nav-menu");
  function fold() {
    for (var i = 0; i < menus.length; i += 1) { menus[i].open = !narrow.matches; }
  }
  fold();
  narrow.addEventListener("change", fold);
})();
