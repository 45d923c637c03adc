// Small page helpers, no dependencies:
// <form data-confirm="..."> asks the user to confirm before submitting;
// <button data-print hidden> prints the page (the browser menu prints it
// too; the button is a shortcut); an open navigation menu closes when
// another opens, on a click elsewhere and on Escape.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var f = e.target;
    var msg = f && f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }

  var menus = document.querySelectorAll(".nav-menu details");
  function closeMenus(except) {
    for (var j = 0; j < menus.length; j++) {
      if (menus[j] !== except) menus[j].open = false;
    }
  }
  for (var k = 0; k < menus.length; k++) {
    menus[k].addEventListener("toggle", function (e) {
      if (e.target.open) closeMenus(e.target);
    });
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".nav-menu")) closeMenus(null);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") closeMenus(null);
  });
})();
