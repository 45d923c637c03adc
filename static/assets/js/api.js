// The page client every page script builds on: JSON calls and uploads that
// carry the CSRF token of <meta name="csrf-token">, and one way to show a
// failure. Its one global is window.College. Plain ES2017.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = (meta && meta.getAttribute("content")) || "";
  var NETWORK = "网络连接失败，请检查网络后重试";
  var GET_RETRY_MS = [300, 1000]; // waits before the retries of a failed GET

  function parse(text) {
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }

  // errorText is the server's message, else a message for the status;
  // maxMB names the limit when a file was too large.
  function errorText(status, data, maxMB) {
    var err = (data && data.error) || {};
    if (err.message) return err.message;
    switch (status) {
      case 0: return NETWORK;
      case 401: return "登录已过期，请重新登录";
      case 403: return "没有权限执行此操作";
      case 404: return "内容不存在或已被删除";
      case 413: return maxMB ? "文件过大，不能超过 " + sizeText(maxMB * 1048576) : "文件过大";
      case 415: return "不支持的文件类型";
      default: return "操作失败（" + status + "），请稍后重试";
    }
  }

  // failure turns an error answer into
  // {ok:false, status, code, message, fields, rows}.
  function failure(status, data, maxMB) {
    var err = (data && data.error) || {};
    return {
      ok: false, status: status, code: err.code || "", message: errorText(status, data, maxMB),
      fields: err.fields || null, rows: err.rows || null
    };
  }

  function networkFailure() {
    return { ok: false, status: 0, network: true, code: "network", message: NETWORK, fields: null, rows: null };
  }

  // retryable tells whether sending the same request again may succeed.
  function retryable(r) { return !!r.network || r.status >= 500 || r.status === 429 || r.status === 408; }

  // api calls the JSON API and resolves (never rejects) to {ok, status, data}
  // or a failure (network: true when no answer came). Nothing is cached; a
  // GET is sent again on a network error or a 5xx. opts: keepalive,
  // onResponse(res, sentAt, receivedAt).
  function api(method, url, body, opts) {
    opts = opts || {};
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (opts.keepalive) init.keepalive = true;
    function send(attempt) {
      var sentAt = Date.now();
      return fetch(url, init).then(function (res) {
        if (opts.onResponse) opts.onResponse(res, sentAt, Date.now());
        return res.text().then(function (text) {
          var data = parse(text);
          if (res.ok) return { ok: true, status: res.status, data: data };
          return failure(res.status, data);
        });
      }, networkFailure).then(function (r) {
        if (r.ok || method !== "GET" || attempt >= GET_RETRY_MS.length || !(r.network || r.status >= 500)) return r;
        return new Promise(function (resolve) {
          setTimeout(function () { resolve(send(attempt + 1)); }, GET_RETRY_MS[attempt]);
        });
      });
    }
    return send(0);
  }

  // upload sends a FormData with the CSRF token in a header (so that the
  // server checks it before reading the file) and resolves like api. opts:
  // onProgress(percent), onSent() when the last byte left, maxMB.
  function upload(method, url, form, opts) {
    opts = opts || {};
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable && opts.onProgress) opts.onProgress(Math.min(100, Math.floor(ev.loaded / ev.total * 100)));
      };
      xhr.upload.onload = function () {
        if (opts.onProgress) opts.onProgress(100);
        if (opts.onSent) opts.onSent();
      };
      xhr.onload = function () {
        var data = parse(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) resolve({ ok: true, status: xhr.status, data: data });
        else resolve(failure(xhr.status, data, opts.maxMB));
      };
      xhr.onerror = function () { resolve(networkFailure()); };
      xhr.send(form);
    });
  }

  function show(el, text) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  function loginURL() {
    return "/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // fieldErrors binds the [data-field-error] slots of a form.
  function fieldErrors(form) {
    function set(name, text) {
      var el = form.querySelector('[data-field-error="' + name + '"]');
      if (!el) return false;
      // Only a shown message may carry .field-error (app.css marks its field red).
      el.className = text ? "field-error" : "field-msg";
      show(el, text);
      return true;
    }
    return {
      set: set,
      clear: function () {
        Array.prototype.forEach.call(form.querySelectorAll("[data-field-error]"), function (el) {
          set(el.getAttribute("data-field-error"), "");
        });
      },
      // place shows the API's field errors; it reports whether any found a slot.
      place: function (fields) {
        var placed = false;
        if (fields) {
          Object.keys(fields).forEach(function (k) {
            if (set(k, fields[k])) placed = true;
          });
        }
        return placed;
      }
    };
  }

  // failureText is a failure's message, or its field errors when it has
  // some (a form without slots for them shows them all in one line).
  function failureText(r) {
    var parts = [];
    if (r.fields) Object.keys(r.fields).forEach(function (k) { parts.push(r.fields[k]); });
    return parts.length ? parts.join("；") : r.message;
  }

  // showFailure shows a failure: a lost session offers the login page in
  // el; field errors go to the slots of fields (a fieldErrors binding) when
  // it has them, else into el with the message. It reports whether
  // anything was shown in el.
  function showFailure(el, r, fields) {
    if (r.status !== 401 && fields && fields.place(r.fields)) return false;
    if (!el) return false;
    if (r.status === 401) {
      el.textContent = "登录已过期，请";
      var a = document.createElement("a");
      a.href = loginURL();
      a.textContent = "重新登录";
      el.appendChild(a);
      el.hidden = false;
      return true;
    }
    show(el, failureText(r));
    return true;
  }

  // A question's text may hold tokens such as [图片:<sha256>.png] for its
  // pictures, sounds and videos: richText writes the text into box as text
  // nodes and each token as the element that shows it, loaded from media
  // (name → data: URI, an import's preview) or from the college.
  var MEDIA_TOKEN = /\[(?:图片|音频|视频):([0-9a-f]{64}\.(png|jpg|gif|webp|mp3|m4a|ogg|wav|mp4|webm))\]/g;
  function mediaElement(name, ext, media) {
    var e;
    if (/^(mp3|m4a|ogg|wav)$/.test(ext)) {
      e = document.createElement("audio");
      e.controls = true;
      e.preload = "none";
    } else if (/^(mp4|webm)$/.test(ext)) {
      e = document.createElement("video");
      e.controls = true;
      e.preload = "metadata";
      e.setAttribute("playsinline", "");
    } else {
      e = document.createElement("img");
      e.alt = "题目图片";
      e.loading = "lazy";
    }
    e.className = "q-media";
    e.src = (media && media[name]) || "/api/v1/question-media/" + name;
    return e;
  }
  function richText(box, text, media) {
    text = String(text == null ? "" : text);
    var last = 0;
    var m;
    MEDIA_TOKEN.lastIndex = 0;
    while ((m = MEDIA_TOKEN.exec(text)) !== null) {
      if (m.index > last) box.appendChild(document.createTextNode(text.slice(last, m.index)));
      box.appendChild(mediaElement(m[1], m[2], media));
      last = MEDIA_TOKEN.lastIndex;
    }
    if (last < text.length) box.appendChild(document.createTextNode(text.slice(last)));
    return box;
  }

  // sizeText writes a size in bytes as people read it (2048 MB is 2 GB).
  function sizeText(bytes) {
    var units = [[1073741824, "GB"], [1048576, "MB"], [1024, "KB"]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][0]) return String(Math.round(bytes / units[i][0] * 10) / 10) + " " + units[i][1];
    }
    return Math.round(bytes) + " 字节";
  }

  window.College = {
    sizeText: sizeText,
    richText: richText,
    csrf: csrf,
    api: api,
    upload: upload,
    retryable: retryable,
    errorText: errorText,
    failureText: failureText,
    showFailure: showFailure,
    fieldErrors: fieldErrors,
    show: show,
    loginURL: loginURL
  };
})();
