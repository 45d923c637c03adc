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

  // 再加 3 项: blank rating rows, numbered like the server's; blank rows
  // are not saved.
  var add = document.getElementById("builder-add");
  var count = form.querySelector('input[name="rows"]');
  var list = form.querySelector(".as-rows");
  if (!add || !count || !list) return;
  var max = parseInt(add.getAttribute("data-max"), 10) || 60;
  function blankRow(from, n) {
    var row = from.cloneNode(true);
    row.setAttribute("data-kind", "rating");
    row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    row.querySelectorAll("[id],[for],[name]").forEach(function (el) {
      ["id", "for"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.replace(/-\d+$/, "-" + n));
      });
      var name = el.getAttribute("name");
      if (name) el.setAttribute("name", name.replace(/_\d+$/, "_" + n));
    });
    row.querySelectorAll("input[type=text], input[type=number], textarea").forEach(function (el) { el.value = ""; });
    row.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = false; });
    var kind = row.querySelector(".as-kind");
    if (kind) kind.value = "rating";
    var no = row.querySelector(".as-row-no");
    if (no) no.textContent = "第 " + (n + 1) + " 项";
    return row;
  }
  add.hidden = false;
  add.addEventListener("click", function () {
    for (var k = 0; k < 3; k++) {
      var rows = list.querySelectorAll(".as-row-edit");
      if (!rows.length || rows.length >= max) break;
      list.appendChild(blankRow(rows[rows.length - 1], rows.length));
      count.value = String(rows.length + 1);
    }
    add.disabled = list.querySelectorAll(".as-row-edit").length >= max;
    update();
  });
})();
