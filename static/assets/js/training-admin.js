// Class administration pages: rows added to and removed from the quota and
// course editors, class files uploaded with a progress bar (large files
// need the CSRF header a plain form cannot send), and the sign-in screen
// shown full screen. The pages work without it. Plain ES2017, no globals.
(function () {
  "use strict";

  var seq = 0;

  // ---------- editor rows ----------
  function wireRow(row) {
    row.querySelectorAll("[data-remove-row]").forEach(function (b) { b.hidden = false; });
    row.querySelectorAll(".field").forEach(function (f) {
      var label = f.querySelector("label");
      var input = f.querySelector("input, select");
      if (label && input && !input.id) {
        seq += 1;
        input.id = "ta-row-" + seq;
        label.setAttribute("for", input.id);
      }
    });
  }

  document.querySelectorAll(".ta-rows .ta-row").forEach(wireRow);
  document.querySelectorAll("[data-add-row]").forEach(function (btn) {
    var kind = btn.getAttribute("data-add-row");
    var tpl = document.getElementById("row-template-" + kind);
    var rows = btn.form && btn.form.querySelector('[data-rows="' + kind + '"]');
    if (!tpl || !rows) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var row = tpl.content.firstElementChild.cloneNode(true);
      rows.appendChild(row);
      wireRow(row);
      var first = row.querySelector("select, input");
      if (first) first.focus();
    });
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-remove-row]");
    if (!b) return;
    var row = b.closest(".ta-row");
    if (!row) return;
    // Clearing the row removes it on save; taking it out of the page too.
    row.querySelectorAll("select").forEach(function (s) { s.value = ""; });
    row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    row.remove();
  });

  // ---------- file upload ----------
  var root = document.getElementById("class-admin");
  var form = document.getElementById("file-form");
  if (root && form && window.FormData && window.XMLHttpRequest && window.College) {
    var maxMB = Number(root.getAttribute("data-max-mb")) || 20;
    var input = form.querySelector('input[type="file"]');
    var kind = form.querySelector('select[name="kind"]');
    var bar = form.querySelector(".upload-progress");
    var meter = bar && bar.querySelector("progress");
    var pct = bar && bar.querySelector(".progress-text");
    var err = form.querySelector("[data-upload-error]");
    var button = form.querySelector('button[type="submit"]');

    var fail = function (msg) {
      if (bar) bar.hidden = true;
      if (button) button.disabled = false;
      if (err) { err.textContent = msg; err.hidden = false; }
    };

    form.addEventListener("submit", function (e) {
      if (e.defaultPrevented || !input || !input.files || input.files.length === 0) return; // the server says what is missing
      e.preventDefault();
      if (err) err.hidden = true;
      var file = input.files[0];
      if (file.size > maxMB * 1048576) {
        fail("文件过大，不能超过 " + maxMB + " MB");
        return;
      }
      if (bar) { bar.hidden = false; if (meter) meter.value = 0; if (pct) pct.textContent = "0%"; }
      if (button) button.disabled = true;
      var body = new FormData();
      body.append("kind", kind ? kind.value : "");
      body.append("file", file, file.name);
      College.upload("POST", form.action + "?kind=" + encodeURIComponent(kind ? kind.value : ""), body, {
        maxMB: maxMB,
        onProgress: function (p) {
          if (meter) meter.value = p;
          if (pct) pct.textContent = p + "%";
        }
      }).then(function (r) {
        if (r.ok && r.data && r.data.redirect) {
          var next = new URL(r.data.redirect, location.href);
          if (next.pathname + next.search === location.pathname + location.search) {
            location.hash = next.hash;
            location.reload();
          } else {
            location.href = next.href;
          }
          return;
        }
        if (r.status === 401) { fail("登录已过期，请重新登录后再上传"); return; }
        fail(College.failureText(r) || "上传失败，请稍后重试");
      });
    });
  }

  // ---------- the sign-in screen ----------
  var screen = document.getElementById("signin-screen");
  var fs = document.querySelector("[data-fullscreen]");
  if (screen && fs && document.fullscreenEnabled) {
    fs.hidden = false;
    fs.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        screen.requestFullscreen().catch(function () {});
      }
    });
    document.addEventListener("fullscreenchange", function () {
      fs.textContent = document.fullscreenElement ? "退出全屏" : "全屏显示";
    });
  }
})();
