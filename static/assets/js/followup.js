// Follow-up pages: uploads of 述学讲学 materials with a progress bar
// (College.upload of api.js), and copy buttons for questionnaire links.
// Plain ES2017; the forms still work without it.
(function () {
  "use strict";

  document.querySelectorAll("form[data-fu-upload]").forEach(function (form) {
    var maxMB = Number(form.getAttribute("data-max-mb")) || 20;
    var status = form.querySelector(".fu-upload-status");
    var bar = form.querySelector("progress");
    var button = form.querySelector("button[type=submit]");
    var input = form.querySelector("input[type=file]");
    function show(text, isError) {
      if (!status) return;
      status.textContent = text || "";
      status.hidden = !text;
      status.classList.toggle("is-error", !!isError);
    }
    form.addEventListener("submit", function (e) {
      if (!window.FormData || !window.XMLHttpRequest || !window.College) return;
      e.preventDefault();
      var file = input && input.files && input.files[0];
      if (!file) { show("请选择要上传的文件", true); return; }
      if (file.size > maxMB * 1024 * 1024) { show("文件过大，不能超过 " + maxMB + " MB", true); return; }
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) button.disabled = true;
      show("正在上传…");
      var body = new FormData();
      body.append("file", file, file.name);
      College.upload("POST", form.action, body, {
        maxMB: maxMB,
        onProgress: function (p) { if (bar) bar.value = p; }
      }).then(function (r) {
        if (r.ok && r.data && r.data.redirect) {
          var next = new URL(r.data.redirect, window.location.href);
          if (next.pathname === window.location.pathname) {
            window.location.hash = next.hash;
            window.location.reload(); // a hash change alone would not load the page again
          } else {
            window.location.assign(next.href);
          }
          return;
        }
        if (button) button.disabled = false;
        if (bar) bar.hidden = true;
        show(College.failureText(r) || "上传失败，请稍后重试", true);
      });
    });
  });

  // A submit button may ask for confirmation of its own (app.js asks for forms).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
  }, true);

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-copy]");
    if (!b) return;
    var input = document.getElementById(b.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () { b.textContent = "已复制"; setTimeout(function () { b.textContent = "复制"; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
