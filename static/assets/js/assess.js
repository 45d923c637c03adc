// The form builder's running total of the rating items' weights.
(function () {
  "use strict";
  var form = document.getElementById("form-builder");
  var out = document.getElementById("weight-total");
  if (!form || !out) return;
  function update() {
    var total = 0;
    form.querySelectorAll(".as-row-edit").forEach(function (row) {
      var kind = row.querySelector(".as-kind");
      var w = row.querySelector(".as-weight-input");
      if (kind && w && kind.value === "rating") {
        var n = parseFloat(w.value);
        if (!isNaN(n)) total += n;
      }
    });
    out.textContent = String(Math.round(total * 100) / 100);
    out.classList.toggle("as-off", total !== 100);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
