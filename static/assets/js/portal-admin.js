// The portal's editors: notices and news (/admin/notices) and a college's
// introduction (/colleges/:id). The server sanitises whatever is sent.
(function () {
  "use strict";
  var C = window.College;

  function editor(box) {
    var area = box.querySelector(".rich-area");
    box.querySelectorAll("button[data-cmd]").forEach(function (b) {
      b.addEventListener("click", function () {
        area.focus();
        switch (b.getAttribute("data-cmd")) {
          case "bold": document.execCommand("bold"); break;
          case "h3": document.execCommand("formatBlock", false, "h3"); break;
          case "ul": document.execCommand("insertUnorderedList"); break;
          case "link":
            var url = window.prompt("链接地址（以 https:// 开头）", "https://");
            if (url) document.execCommand("createLink", false, url);
            break;
        }
      });
    });
    var file = box.querySelector('input[data-cmd="image"]');
    if (file) {
      file.addEventListener("change", function () {
        if (!file.files.length) return;
        var form = new FormData();
        form.append("file", file.files[0]);
        C.upload("POST", "/api/v1/notice-images", form, { maxMB: 5 }).then(function (r) {
          file.value = "";
          if (!r.ok) { window.alert(C.failureText(r)); return; }
          area.focus();
          document.execCommand("insertImage", false, r.data.url);
        });
      });
    }
    return area;
  }

  var form = document.getElementById("notice-form");
  if (form) {
    var area = editor(form.querySelector(".rich-editor"));
    var fields = C.fieldErrors(form);
    var errEl = document.getElementById("notice-error");
    var id = form.getAttribute("data-id");
    var audience = form.querySelector("[data-kind-only]");
    var kindOf = function () { var k = form.querySelector('input[name="kind"]:checked'); return k ? k.value : "notice"; };
    var syncKind = function () { audience.hidden = kindOf() !== "notice"; };
    form.querySelectorAll('input[name="kind"]').forEach(function (r) { r.addEventListener("change", syncKind); });
    syncKind();
    form.querySelectorAll("button[data-save]").forEach(function (b) {
      b.addEventListener("click", function () {
        fields.clear();
        errEl.hidden = true;
        var notice = kindOf() === "notice";
        var levels = notice ? form.audience_levels.value.split(/[、，,\s]+/).filter(Boolean) : [];
        var body = {
          kind: kindOf(), title: form.title.value, body: area.innerHTML, pinned: form.pinned.checked,
          publish: b.getAttribute("data-save") === "publish", expires_on: form.expires_on.value,
          audience_org_id: notice ? Number(form.audience_org_id.value || 0) : 0, audience_levels: levels
        };
        b.disabled = true;
        C.api(id && id !== "0" ? "PUT" : "POST", id && id !== "0" ? "/api/v1/notices/" + id : "/api/v1/notices", body).then(function (r) {
          b.disabled = false;
          if (!r.ok) { C.showFailure(errEl, r, fields); return; }
          window.location.href = "/notices/" + r.data.id;
        });
      });
    });
    document.querySelectorAll("button[data-notice-action]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (!window.confirm(b.getAttribute("data-confirm"))) return;
        var action = b.getAttribute("data-notice-action");
        var req = action === "delete" ? C.api("DELETE", "/api/v1/notices/" + id) : C.api("POST", "/api/v1/notices/" + id + "/" + action);
        req.then(function (r) {
          if (!r.ok) { C.showFailure(errEl, r); return; }
          window.location.href = action === "delete" ? "/admin/notices" : "/admin/notices/" + id;
        });
      });
    });
  }

  var intro = document.getElementById("intro-editor");
  if (intro) {
    var introArea = editor(intro.querySelector(".rich-editor"));
    var introErr = document.getElementById("intro-error");
    document.getElementById("intro-save").addEventListener("click", function () {
      C.api("PUT", "/api/v1/colleges/" + intro.getAttribute("data-college") + "/intro", { body: introArea.innerHTML }).then(function (r) {
        if (!r.ok) { C.showFailure(introErr, r); return; }
        window.location.reload();
      });
    });
  }
})();
