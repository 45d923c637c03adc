// Course administration page: uploads lesson media and the cover with a
// progress bar, adds, moves and deletes lessons, publishes and archives the
// course, on the page client of api.js; errors are shown next to the
// control that caused them. Plain ES2017, no globals.
(function () {
  "use strict";

  var root = document.getElementById("course-admin");
  if (!root || !window.College) return;

  var courseID = root.getAttribute("data-course");
  var maxMB = Number(root.getAttribute("data-max-mb")) || 0;
  var busy = 0; // uploads in progress

  function $(id) { return document.getElementById(id); }

  var api = College.api;
  var show = College.show;
  var showFailure = College.showFailure;

  function reloadSoon() {
    setTimeout(function () { location.reload(); }, 300);
  }

  var formatMB = College.sizeText;

  // ---------- uploads (lesson media and cover) ----------

  root.addEventListener("change", function (e) {
    var input = e.target;
    if (!input || input.type !== "file" || !input.hasAttribute("data-upload")) return;
    upload(input);
  });

  function upload(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    var box = input.closest(".upload-box") || input.parentNode;
    var progressBox = box.querySelector(".upload-progress");
    var bar = progressBox && progressBox.querySelector("progress");
    var pctText = progressBox && progressBox.querySelector(".progress-text");
    var okBox = box.querySelector(".inline-ok");
    var errBox = box.querySelector(".inline-error");
    show(errBox, "");
    show(okBox, "");

    var confirmText = input.getAttribute("data-confirm");
    if (confirmText && !window.confirm(confirmText)) {
      input.value = "";
      return;
    }
    if (maxMB && file.size > maxMB * 1048576) {
      show(errBox, "文件过大（" + formatMB(file.size) + "），不能超过 " + formatMB(maxMB * 1048576));
      input.value = "";
      return;
    }

    function setPct(p) {
      if (bar) { bar.value = p; bar.textContent = p + "%"; }
      if (pctText) pctText.textContent = p + "%";
    }
    function done() {
      busy--;
      input.disabled = false;
      input.value = "";
    }

    var form = new FormData();
    form.append("file", file);
    busy++;
    input.disabled = true;
    setPct(0);
    show(okBox, "正在上传：" + file.name);
    if (progressBox) progressBox.hidden = false;
    College.upload("PUT", input.getAttribute("data-upload"), form, {
      maxMB: maxMB,
      onProgress: setPct,
      onSent: function () { show(okBox, "上传完成，正在处理文件…"); }
    }).then(function (r) {
      done();
      if (r.ok) {
        var data = r.data;
        var msg = "已上传 " + formatMB((data && data.size) || file.size);
        if (data && data.duration_seconds > 0) msg += "，时长 " + clock(data.duration_seconds);
        show(okBox, msg + "，正在刷新…");
        var cover = input.getAttribute("data-cover");
        if (cover) {
          // The cover keeps its address: refresh the cached copy first.
          fetch(cover, { cache: "reload", credentials: "same-origin" }).then(reloadSoon, reloadSoon);
        } else {
          reloadSoon();
        }
        return;
      }
      if (progressBox) progressBox.hidden = true;
      show(okBox, "");
      if (r.network) {
        show(errBox, "上传中断：网络连接失败" + (maxMB ? "，或文件超过 " + formatMB(maxMB * 1048576) : "") + "，请重试");
        return;
      }
      showFailure(errBox, r);
    });
  }

  window.addEventListener("beforeunload", function (e) {
    if (busy > 0) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  function clock(sec) {
    sec = Math.round(sec);
    var h = Math.floor(sec / 3600);
    var m = Math.floor(sec % 3600 / 60);
    var s = sec % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  // ---------- add a lesson ----------

  var form = $("lesson-form");
  if (form) {
    var typeSel = $("lesson-type");
    var bodyField = $("lesson-body-field");
    var minField = $("lesson-minread-field");
    var typeHint = $("lesson-type-hint");
    var hints = {
      video: "视频课时添加后，请在课时列表中上传视频文件，时长自动读取。",
      article: "图文课时直接填写正文，学员阅读满规定时间即完成。",
      document: "文档课时添加后，请在课时列表中上传 PDF 文件，并设置最少阅读时间。"
    };
    var syncType = function () {
      var t = typeSel.value;
      if (bodyField) bodyField.hidden = t !== "article";
      if (minField) minField.hidden = t === "video";
      if (typeHint) typeHint.textContent = hints[t] || "";
    };
    typeSel.addEventListener("change", syncType);
    syncType();

    var lessonErr = College.fieldErrors(form);
    var fieldError = lessonErr.set;

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = $("lesson-add");
      var general = $("lesson-error");
      ["title", "type", "body", "min_read_seconds"].forEach(function (n) { fieldError(n, ""); });
      show(general, "");

      var type = typeSel.value;
      var title = $("lesson-title").value.trim();
      var body = type === "article" ? $("lesson-body").value : "";
      var minRaw = type === "video" ? "" : $("lesson-minread").value.trim();
      var minRead = minRaw === "" ? 0 : Number(minRaw);
      var bad = false;
      if (!title) { fieldError("title", "请填写课时名称"); bad = true; }
      if (type === "article" && !body.trim()) { fieldError("body", "请填写正文"); bad = true; }
      if (minRaw !== "" && !(Number.isInteger(minRead) && minRead >= 0 && minRead <= 86400)) {
        fieldError("min_read_seconds", "请填写 0 到 86400 之间的整数秒数"); bad = true;
      } else if (type === "document" && minRead <= 0) {
        fieldError("min_read_seconds", "文档课时请设置最少阅读时间"); bad = true;
      }
      if (bad) return;

      button.disabled = true;
      api("POST", "/api/v1/courses/" + encodeURIComponent(courseID) + "/lessons",
        { title: title, type: type, body: body, min_read_seconds: minRead }).then(function (r) {
        if (r.ok) {
          show(general, "");
          location.reload();
          return;
        }
        button.disabled = false;
        showFailure(general, r, lessonErr);
      });
    });
  }

  // ---------- move and delete lessons ----------

  var list = $("lesson-list");
  if (list) {
    list.addEventListener("click", function (e) {
      var btn = e.target.closest("button");
      if (!btn || btn.disabled || !list.contains(btn)) return;
      var item = btn.closest(".admin-lesson");
      if (!item) return;
      var errBox = item.querySelector("[data-error]");
      show(errBox, "");

      var dir = btn.getAttribute("data-move");
      if (dir) {
        var items = Array.prototype.slice.call(list.querySelectorAll(".admin-lesson"));
        var ids = items.map(function (li) { return Number(li.getAttribute("data-lesson-id")); });
        var i = items.indexOf(item);
        var j = dir === "up" ? i - 1 : i + 1;
        if (j < 0 || j >= ids.length) return;
        var tmp = ids[i];
        ids[i] = ids[j];
        ids[j] = tmp;
        btn.disabled = true;
        api("PUT", "/api/v1/courses/" + encodeURIComponent(courseID) + "/lessons/order", { lesson_ids: ids }).then(function (r) {
          if (r.ok) {
            location.reload();
            return;
          }
          btn.disabled = false;
          showFailure(errBox, r);
        });
        return;
      }

      var del = btn.getAttribute("data-delete");
      if (del) {
        var title = item.getAttribute("data-title") || "";
        if (!window.confirm("确定删除课时“" + title + "”吗？已上传的文件将一并删除，不能恢复。")) return;
        btn.disabled = true;
        api("DELETE", "/api/v1/lessons/" + encodeURIComponent(del)).then(function (r) {
          if (r.ok) {
            location.reload();
            return;
          }
          btn.disabled = false;
          showFailure(errBox, r);
        });
      }
    });
  }

  // ---------- featured on the public portal ----------

  var feature = $("course-feature");
  if (feature) {
    feature.addEventListener("click", function () {
      var errBox = $("publish-error");
      show(errBox, "");
      feature.disabled = true;
      api("PUT", "/api/v1/courses/" + encodeURIComponent(courseID) + "/featured", { featured: feature.getAttribute("data-featured") === "true" }).then(function (r) {
        if (r.ok) {
          location.reload();
          return;
        }
        feature.disabled = false;
        showFailure(errBox, r);
      });
    });
  }

  // ---------- publish and archive ----------

  Array.prototype.forEach.call(root.querySelectorAll("button[data-action]"), function (btn) {
    btn.addEventListener("click", function () {
      var action = btn.getAttribute("data-action");
      var errBox = $("publish-error");
      show(errBox, "");
      var confirmText = btn.getAttribute("data-confirm");
      if (confirmText && !window.confirm(confirmText)) return;
      btn.disabled = true;
      api("POST", "/api/v1/courses/" + encodeURIComponent(courseID) + "/" + action).then(function (r) {
        if (r.ok) {
          location.reload();
          return;
        }
        btn.disabled = false;
        showFailure(errBox, r);
      });
    });
  });
})();
