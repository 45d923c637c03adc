// Small page helpers, no dependencies:
// <form data-confirm="..."> asks the user to confirm before submitting;
// <button data-print hidden> prints the page (the browser menu prints it
// too; the button is a shortcut).
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
})();
