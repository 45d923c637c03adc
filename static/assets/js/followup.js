// Follow-up pages: uploads of 述学讲学 materials with a progress bar (the
// CSRF token goes in a header, so that large files need not be read before
// the check), and copy buttons for questionnaire links. Plain ES2017; the
// forms still work without it.
(function () {
  "use strict";

  function errorText(status, data, maxMB) {
    var err = (data && data.error) || {};
    if (err.fields) {
      var k = Object.keys(err.fields);
      if (k.length) return err.fields[k[0]];
    }
    if (err.message) return err.message;
    switch (status) {
      case 0: return "网络连接失败，请检查网络后重试";
      case 401: return "登录已过期，请重新登录";
      case 413: return "文件过大，不能超过 " + maxMB + " MB";
      case 415: return "不支持的文件类型";
      default: return "上传失败（" + status + "），请稍后重试";
    }
  }

  document.querySelectorAll("form[data-fu-upload]").forEach(function (form) {
    var csrf = form.getAttribute("data-csrf") || "";
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
      if (!window.FormData || !window.XMLHttpRequest) return;
      e.preventDefault();
      var file = input && input.files && input.files[0];
      if (!file) { show("请选择要上传的文件", true); return; }
      if (file.size > maxMB * 1024 * 1024) { show("文件过大，不能超过 " + maxMB + " MB", true); return; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) button.disabled = true;
      show("正在上传…");
      xhr.upload.onprogress = function (ev) {
        if (bar && ev.lengthComputable) bar.value = ev.loaded / ev.total * 100;
      };
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        if (xhr.status >= 200 && xhr.status < 300 && data && data.redirect) {
          var next = new URL(data.redirect, window.location.href);
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
        show(errorText(xhr.status, data, maxMB), true);
      };
      xhr.onerror = function () {
        if (button) button.disabled = false;
        if (bar) bar.hidden = true;
        show(errorText(0, null, maxMB), true);
      };
      var body = new FormData();
      body.append("file", file, file.name);
      xhr.send(body);
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
