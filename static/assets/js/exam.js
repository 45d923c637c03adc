// Exam page: shows the rules, starts the attempt after a confirmation or
// resumes the one in progress (loading the page never starts one), renders
// the paper, counts down to the
// deadline on the server's clock, autosaves answers, records leaving the
// page and submits. Plain ES2017, no globals; user data only via
// textContent.
(function () {
  "use strict";

  var root = document.getElementById("exam");
  if (!root || !window.fetch || !window.College) return;

  var attemptID = root.getAttribute("data-attempt");
  if (!document.getElementById("exam-paper")) return; // nothing to take

  var examID = root.getAttribute("data-exam");
  var leaveLimit = Number(root.getAttribute("data-leave-limit")) || 0;
  var STORE = "college.exam.answers.";
  var STORE_MAX_AGE_MS = 3 * 24 * 3600 * 1000;
  var SAVE_DEBOUNCE_MS = 1000;
  var LETTERS = "ABCDEFGH";
  var TYPE_NAMES = { single: "单选题", multiple: "多选题", judge: "判断题", blank: "填空题", short: "简答题" };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // ---------- server clock ----------

  // The server's clock is estimated from the HTTP Date header (1 s
  // resolution): every response bounds the offset between the server and
  // the browser; the bounds of all responses are intersected.
  var offLo = -Infinity;
  var offHi = Infinity;
  var offset = 0; // server time = Date.now() + offset

  function observeClock(res, sentAt, receivedAt) {
    var h = res.headers && res.headers.get("Date");
    var d = h ? Date.parse(h) : NaN;
    if (isNaN(d)) return;
    var lo = d - receivedAt;
    var hi = d + 1000 - sentAt;
    var nlo = Math.max(offLo, lo);
    var nhi = Math.min(offHi, hi);
    if (nlo > nhi) {
      // The browser's clock jumped: start over from this response.
      nlo = lo;
      nhi = hi;
    }
    offLo = nlo;
    offHi = nhi;
    offset = (offLo + offHi) / 2;
  }

  function serverNow() { return Date.now() + offset; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // beijingTime formats a server time as HH:MM:SS in Beijing time.
  function beijingTime(ms) {
    var d = new Date(ms + 8 * 3600 * 1000);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function clock(sec) {
    sec = Math.max(0, Math.floor(sec));
    var h = Math.floor(sec / 3600);
    var m = Math.floor(sec / 60) % 60;
    var s = sec % 60;
    return (h > 0 ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
  }

  function parseTime(s) {
    if (typeof s !== "string") return NaN;
    // Keep milliseconds only: some engines refuse nanoseconds.
    return Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
  }

  // ---------- API ----------

  // api calls the JSON API (api.js) and learns the server's clock from
  // every answer.
  function api(method, url, body, keepalive) {
    return College.api(method, url, body, { keepalive: keepalive, onResponse: observeClock });
  }

  var retryable = College.retryable;
  var loginURL = College.loginURL;

  // ---------- messages ----------

  var errorBox = $("exam-error");
  var warnBox = $("exam-warning");
  var loading = $("exam-loading");

  // showError fills the error box with a message and links or buttons:
  // [{text, href}] or [{text, onClick}].
  function showError(message, actions) {
    if (loading) loading.hidden = true;
    errorBox.textContent = "";
    errorBox.appendChild(el("p", "", message));
    if (actions && actions.length) {
      var box = el("div", "alert-actions");
      actions.forEach(function (a) {
        var b;
        if (a.href) {
          b = el("a", "", a.text);
          b.href = a.href;
        } else {
          b = el("button", "", a.text);
          b.type = "button";
          b.addEventListener("click", a.onClick);
        }
        b.className = "btn " + (a.primary ? "btn-primary" : "btn-outline");
        box.appendChild(b);
      });
      errorBox.appendChild(box);
    }
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: "nearest" });
  }

  function hideError() { errorBox.hidden = true; }

  function showWarning(text) {
    warnBox.textContent = text;
    warnBox.hidden = false;
  }

  // ---------- local store of unsaved answers ----------

  function storeGet(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storeSet(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode or full */ } }
  function storeDel(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }

  // dropOldStores forgets the unsaved answers of attempts long over.
  function dropOldStores() {
    try {
      var old = [];
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (!k || k.indexOf(STORE) !== 0) continue;
        var v = storeGet(k);
        if (!v || !(Date.now() - (v.at || 0) < STORE_MAX_AGE_MS)) old.push(k);
      }
      old.forEach(storeDel);
    } catch (e) { /* no storage */ }
  }

  // ---------- state ----------

  var attempt = null;       // {attempt_id, deadline, questions, answers}
  var deadlineMs = 0;       // on the server's clock
  var questions = [];
  var byID = {};            // qid -> question
  var answers = {};         // qid -> current answer (API format)
  var dirty = {};           // qid -> true: changed, not acknowledged by the server
  var storeKey = "";
  var finished = false;     // submitted or refused: no more saves
  var submitting = false;

  // ---------- answers ----------

  function blankCount(stem) {
    var m = String(stem || "").match(/_{2,}/g);
    return Math.max(1, m ? m.length : 0);
  }

  function isAnswered(q, v) {
    if (v === undefined || v === null) return false;
    switch (q.type) {
      case "judge": return typeof v === "boolean";
      case "blank":
        return Array.isArray(v) && v.some(function (x) { return typeof x === "string" && x.trim() !== ""; });
      default: return typeof v === "string" && v.trim() !== "";
    }
  }

  // readAnswer reads a question's answer from its inputs.
  function readAnswer(q) {
    var card = $("q-" + q.id);
    var name = "q-" + q.id;
    var inputs;
    switch (q.type) {
      case "single": {
        var picked = card.querySelector('input[name="' + name + '"]:checked');
        return picked ? picked.value : "";
      }
      case "multiple": {
        inputs = card.querySelectorAll('input[name="' + name + '"]');
        var s = "";
        for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) s += inputs[i].value;
        return s;
      }
      case "judge": {
        var j = card.querySelector('input[name="' + name + '"]:checked');
        return j ? j.value === "true" : null;
      }
      case "blank": {
        var out = [];
        for (var n = 0; n < q.blanks; n++) {
          var inp = card.querySelector('input[name="' + name + "-" + n + '"]');
          out.push(inp ? inp.value : "");
        }
        return out;
      }
      default: {
        var ta = card.querySelector('textarea[name="' + name + '"]');
        return ta ? ta.value : "";
      }
    }
  }

  // writeAnswer puts a saved answer into a question's inputs.
  function writeAnswer(q, v) {
    var card = $("q-" + q.id);
    if (!card || v === undefined || v === null) return;
    var name = "q-" + q.id;
    var inputs, i;
    switch (q.type) {
      case "single":
      case "multiple":
        if (typeof v !== "string") return;
        inputs = card.querySelectorAll('input[name="' + name + '"]');
        for (i = 0; i < inputs.length; i++) inputs[i].checked = v.toUpperCase().indexOf(inputs[i].value) >= 0;
        break;
      case "judge":
        if (typeof v !== "boolean") return;
        inputs = card.querySelectorAll('input[name="' + name + '"]');
        for (i = 0; i < inputs.length; i++) inputs[i].checked = inputs[i].value === String(v);
        break;
      case "blank":
        if (!Array.isArray(v)) return;
        for (i = 0; i < q.blanks; i++) {
          var inp = card.querySelector('input[name="' + name + "-" + i + '"]');
          if (inp) inp.value = typeof v[i] === "string" ? v[i] : "";
        }
        break;
      default: {
        var ta = card.querySelector('textarea[name="' + name + '"]');
        if (ta && typeof v === "string") ta.value = v;
      }
    }
    syncChoiceStyles(card);
  }

  // syncChoiceStyles marks the chosen options (for browsers without :has).
  function syncChoiceStyles(card) {
    var labels = card.querySelectorAll(".choice");
    for (var i = 0; i < labels.length; i++) {
      var inp = labels[i].querySelector("input");
      labels[i].classList.toggle("is-checked", !!(inp && inp.checked));
    }
  }

  // ---------- rendering ----------

  function renderStem(q, box) {
    var stem = String(q.stem || "");
    if (q.type !== "blank") {
      College.richText(box, stem);
      return;
    }
    // Blanks are numbered in the stem, matching the inputs below.
    var parts = stem.split(/_{2,}/);
    var n = 0;
    parts.forEach(function (part, i) {
      College.richText(box, part);
      if (i < parts.length - 1) {
        n++;
        box.appendChild(el("span", "stem-blank", "（" + n + "）"));
      }
    });
  }

  function choice(type, name, value, label, letter) {
    var lab = el("label", "choice");
    var inp = document.createElement("input");
    inp.type = type;
    inp.name = name;
    inp.value = value;
    lab.appendChild(inp);
    if (letter) lab.appendChild(el("span", "choice-letter", letter));
    lab.appendChild(College.richText(el("span", "choice-text"), label));
    return lab;
  }

  function renderQuestion(q, index) {
    var card = el("section", "q-card");
    card.id = "q-" + q.id;
    card.setAttribute("data-q", q.id);
    card.setAttribute("aria-labelledby", "q-" + q.id + "-title");

    var head = el("div", "q-head");
    var num = el("span", "q-num", String(index + 1));
    head.appendChild(num);
    head.appendChild(el("span", "q-type", TYPE_NAMES[q.type] || q.type));
    head.appendChild(el("span", "q-score", (Number(q.score) || 0) + " 分"));
    card.appendChild(head);

    var stem = el("div", "q-stem");
    stem.id = "q-" + q.id + "-title";
    renderStem(q, stem);
    card.appendChild(stem);

    var body = el("div", "q-body");
    var name = "q-" + q.id;
    var opts = Array.isArray(q.options) ? q.options : [];
    switch (q.type) {
      case "single":
      case "multiple": {
        var group = el("div", "choices");
        group.setAttribute("role", q.type === "single" ? "radiogroup" : "group");
        group.setAttribute("aria-labelledby", stem.id);
        opts.slice(0, LETTERS.length).forEach(function (text, i) {
          var letter = LETTERS.charAt(i);
          group.appendChild(choice(q.type === "single" ? "radio" : "checkbox", name, letter, text, letter + "."));
        });
        body.appendChild(group);
        if (q.type === "multiple") body.appendChild(el("p", "q-hint", "可选择多个答案"));
        break;
      }
      case "judge": {
        var jg = el("div", "choices choices-judge");
        jg.setAttribute("role", "radiogroup");
        jg.setAttribute("aria-labelledby", stem.id);
        jg.appendChild(choice("radio", name, "true", "正确", "✓"));
        jg.appendChild(choice("radio", name, "false", "错误", "✗"));
        body.appendChild(jg);
        break;
      }
      case "blank": {
        for (var n = 0; n < q.blanks; n++) {
          var row = el("label", "blank-row");
          row.appendChild(el("span", "blank-label", q.blanks > 1 ? "第 " + (n + 1) + " 空" : "答案"));
          var inp = document.createElement("input");
          inp.type = "text";
          inp.name = name + "-" + n;
          inp.maxLength = 500;
          inp.setAttribute("autocomplete", "off");
          inp.setAttribute("autocapitalize", "off");
          inp.setAttribute("spellcheck", "false");
          row.appendChild(inp);
          body.appendChild(row);
        }
        break;
      }
      default: {
        var ta = document.createElement("textarea");
        ta.name = name;
        ta.rows = 6;
        ta.maxLength = 5000;
        ta.placeholder = "请在此作答";
        ta.setAttribute("aria-labelledby", stem.id);
        body.appendChild(ta);
        body.appendChild(el("p", "q-hint", "简答题由阅卷老师评分"));
      }
    }
    card.appendChild(body);
    return card;
  }

  var navButtons = {};

  // askFullscreen offers full screen when the exam asks for it; browsers
  // allow it only from a tap, so it is a button above the paper.
  function askFullscreen() {
    if (!attempt || !attempt.fullscreen || !document.documentElement.requestFullscreen || document.fullscreenElement) return;
    var paper = $("exam-paper");
    var bar = el("div", "alert alert-warn");
    bar.appendChild(document.createTextNode("本场考试要求全屏作答。"));
    var btn = el("button", "btn btn-primary", "进入全屏");
    btn.type = "button";
    btn.id = "exam-fullscreen";
    btn.addEventListener("click", function () {
      document.documentElement.requestFullscreen().then(function () { bar.remove(); }, function () {});
    });
    bar.appendChild(btn);
    paper.parentNode.insertBefore(bar, paper);
  }

  function renderPaper() {
    var paper = $("exam-paper");
    var grid = $("nav-grid");
    paper.textContent = "";
    grid.textContent = "";
    questions.forEach(function (q, i) {
      paper.appendChild(renderQuestion(q, i));
      var li = el("li");
      var b = el("button", "nav-item", String(i + 1));
      b.type = "button";
      b.setAttribute("data-q", q.id);
      b.setAttribute("aria-label", "第 " + (i + 1) + " 题");
      b.addEventListener("click", function () { jumpTo(q.id); });
      li.appendChild(b);
      grid.appendChild(li);
      navButtons[q.id] = b;
    });
    $("total-count").textContent = String(questions.length);
    paper.hidden = false;
    $("exam-end").hidden = false;
    $("exam-bar").hidden = false;
    if (loading) loading.hidden = true;
  }

  function jumpTo(qid) {
    var card = $("q-" + qid);
    if (!card) return;
    if (!wide()) setNavOpen(false);
    card.scrollIntoView({ behavior: "smooth", block: "start" });
    var first = card.querySelector("input, textarea");
    if (first) {
      try { first.focus({ preventScroll: true }); } catch (e) { /* old browsers */ }
    }
  }

  function updateProgress() {
    var done = 0;
    questions.forEach(function (q) {
      var ok = isAnswered(q, answers[q.id]);
      if (ok) done++;
      var b = navButtons[q.id];
      if (b) {
        b.classList.toggle("is-done", ok);
        b.setAttribute("aria-label", "第 " + b.textContent + " 题，" + (ok ? "已答" : "未答"));
      }
      var card = $("q-" + q.id);
      if (card) card.classList.toggle("is-done", ok);
    });
    $("answered-count").textContent = String(done);
    return questions.length - done;
  }

  // ---------- navigator drawer ----------

  var navToggle = $("nav-toggle-btn");
  var bar = $("exam-bar");

  function setNavOpen(open) {
    bar.classList.toggle("nav-open", open);
    navToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function wide() { return !!(window.matchMedia && window.matchMedia("(min-width: 900px)").matches); }
  navToggle.addEventListener("click", function () {
    setNavOpen(!bar.classList.contains("nav-open"));
  });

  // ---------- autosave ----------

  var saveState = $("save-state");
  var saveTimer = 0;
  var retryTimer = 0;
  var retryDelay = 0;
  var inflight = null;      // the running save's promise
  var lastSavedAt = 0;

  function setSaveState(kind, text) {
    saveState.textContent = text;
    saveState.className = "save-state is-" + kind;
  }

  function persistDirty() {
    if (!storeKey) return;
    var keys = Object.keys(dirty);
    if (!keys.length) {
      storeDel(storeKey);
      return;
    }
    var out = {};
    keys.forEach(function (k) { out[k] = answers[k] === undefined ? null : answers[k]; });
    storeSet(storeKey, { at: Date.now(), answers: out });
  }

  function changed(qid) {
    if (finished) return;
    var q = byID[qid];
    if (!q) return;
    answers[qid] = readAnswer(q);
    dirty[qid] = true;
    persistDirty();
    updateProgress();
    setSaveState("dirty", "有未保存的答案");
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () { saveTimer = 0; save(); }, SAVE_DEBOUNCE_MS);
  }

  // save sends the changed answers; it resolves to true when nothing is left
  // unsaved.
  function save() {
    if (finished && !submitting) return Promise.resolve(false);
    if (inflight) return inflight.then(function () { return Object.keys(dirty).length ? save() : true; });
    clearTimeout(saveTimer);
    saveTimer = 0;
    clearTimeout(retryTimer);
    retryTimer = 0;
    var keys = Object.keys(dirty);
    if (!keys.length) return Promise.resolve(true);
    var batch = {};
    var sent = {};
    keys.forEach(function (k) {
      batch[k] = answers[k] === undefined ? null : answers[k];
      sent[k] = JSON.stringify(batch[k]);
    });
    setSaveState("saving", "保存中…");
    inflight = api("PUT", "/api/v1/attempts/" + attempt.attempt_id + "/answers", { answers: batch }).then(function (r) {
      inflight = null;
      if (r.ok) {
        keys.forEach(function (k) {
          // Changed again while this save was on its way: keep it dirty.
          if (JSON.stringify(answers[k] === undefined ? null : answers[k]) === sent[k]) delete dirty[k];
        });
        persistDirty();
        retryDelay = 0;
        lastSavedAt = serverNow();
        if (Object.keys(dirty).length) {
          setSaveState("dirty", "有未保存的答案");
          if (!saveTimer) saveTimer = setTimeout(function () { saveTimer = 0; save(); }, SAVE_DEBOUNCE_MS);
        } else {
          setSaveState("ok", "已保存 " + beijingTime(lastSavedAt));
        }
        return true;
      }
      if (r.status === 409 && r.code === "attempt_finished") {
        attemptOver();
        return false;
      }
      if (retryable(r)) {
        scheduleRetry();
        return false;
      }
      if (r.status === 401) {
        setSaveState("error", "登录已过期，答案暂存在本机");
        showError("登录已过期，答案暂存在本机。请重新登录后回到考试页面继续作答（考试计时不会暂停）。",
          [{ text: "重新登录", href: loginURL(), primary: true }]);
        return false;
      }
      if (r.status === 403 && r.code === "csrf") {
        setSaveState("error", "保存失败，请刷新页面");
        showError(r.message, [{ text: "刷新页面", primary: true, onClick: function () { location.reload(); } }]);
        return false;
      }
      if (r.status === 400 && r.fields) {
        // Answers the paper refuses (e.g. from an old copy): drop them and
        // send the rest again.
        var dropped = 0;
        Object.keys(r.fields).forEach(function (f) {
          var k = f.replace(/^answers\./, "");
          if (dirty[k]) { delete dirty[k]; dropped++; }
        });
        persistDirty();
        if (dropped && Object.keys(dirty).length) return save();
        if (dropped) {
          setSaveState("ok", "已保存 " + beijingTime(serverNow()));
          return true;
        }
      }
      setSaveState("error", "保存失败：" + r.message);
      scheduleRetry();
      return false;
    });
    return inflight;
  }

  function scheduleRetry() {
    retryDelay = retryDelay ? Math.min(retryDelay * 2, 30000) : 2000;
    setSaveState("error", "保存失败，正在重试");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { retryTimer = 0; save(); }, retryDelay);
  }

  // saveNow sends the pending answers while the page may be going away.
  function saveNow() {
    var keys = Object.keys(dirty);
    if (!keys.length || !attempt || finished) return;
    var batch = {};
    keys.forEach(function (k) { batch[k] = answers[k] === undefined ? null : answers[k]; });
    // The answers stay in storage; the next save or load sends them again.
    api("PUT", "/api/v1/attempts/" + attempt.attempt_id + "/answers", { answers: batch }, true);
  }

  window.addEventListener("online", function () {
    if (retryTimer) save();
  });

  // ---------- leaving the page ----------

  var leaveTimer = 0;
  var lastLeaveAt = 0;

  function left() {
    if (!attempt || finished || leaveTimer) return;
    // Blur and visibilitychange come together; a reload or a navigation
    // never lets the timer fire.
    leaveTimer = setTimeout(function () {
      leaveTimer = 0;
      if (finished || Date.now() - lastLeaveAt < 1500) return;
      lastLeaveAt = Date.now();
      api("POST", "/api/v1/attempts/" + attempt.attempt_id + "/events", { type: "leave" }).then(function (r) {
        if (r.ok && r.data && r.data.submitted) {
          // Past the exam's limit the server has submitted the attempt.
          attemptOver("离开考试页面次数超过上限，已自动交卷", "已记录离开考试页面 " + r.data.tab_switches + " 次，正在打开考试结果…");
        } else if (r.ok && r.data && typeof r.data.tab_switches === "number") {
          showLeaves(r.data.tab_switches);
        } else if (r.status === 409 && r.code === "attempt_finished") {
          attemptOver();
        }
      });
    }, 300);
  }

  function showLeaves(n) {
    if (!(n > 0)) return;
    var w = $("leave-warning");
    w.textContent = "已记录离开考试页面 " + n + " 次";
    w.hidden = false;
    var rule = leaveLimit > 0
      ? (n >= leaveLimit ? "再离开一次将自动交卷！" : "超过 " + leaveLimit + " 次将自动交卷。")
      : "记录将提供给阅卷老师。";
    showWarning("考试期间请不要离开本页面或切换到其他应用。已记录离开考试页面 " + n + " 次，" + rule);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      saveNow();
      left();
    } else {
      tick();
    }
  });
  window.addEventListener("blur", left);
  window.addEventListener("pagehide", saveNow);

  // A light deterrent: no copying, pasting or context menu in the exam.
  ["copy", "cut", "paste", "contextmenu", "dragstart", "drop"].forEach(function (type) {
    root.addEventListener(type, function (e) {
      e.preventDefault();
      if (type === "copy" || type === "paste" || type === "cut") flashNote("考试期间不能复制和粘贴");
    });
  });

  var noteTimer = 0;
  function flashNote(text) {
    var n = $("exam-note");
    if (!n) {
      n = el("div", "exam-toast");
      n.id = "exam-note";
      n.setAttribute("role", "status");
      root.appendChild(n);
    }
    n.textContent = text;
    n.hidden = false;
    clearTimeout(noteTimer);
    noteTimer = setTimeout(hideNote, 2500);
  }

  function hideNote() {
    var n = $("exam-note");
    if (n) n.hidden = true;
    clearTimeout(noteTimer);
  }

  // ---------- timer ----------

  var timerEl = $("exam-timer");
  var tickTimer = 0;
  var warned5 = false;
  var warned1 = false;
  var finalFlush = false;

  function tick() {
    if (!attempt || finished) return;
    var remain = (deadlineMs - serverNow()) / 1000;
    timerEl.textContent = clock(remain);
    bar.classList.toggle("is-warn", remain <= 300 && remain > 60);
    bar.classList.toggle("is-danger", remain <= 60);
    if (remain <= 300 && !warned5 && remain > 60) {
      warned5 = true;
      flashNote("距离考试结束还有 " + Math.ceil(remain / 60) + " 分钟，请抓紧作答");
    }
    if (remain <= 60 && !warned1 && remain > 0) {
      warned1 = true;
      flashNote("距离考试结束还有 1 分钟，到时将自动交卷");
    }
    if (remain <= 3 && !finalFlush) {
      // Answers must reach the server before it stops taking them.
      finalFlush = true;
      save();
    }
    if (remain <= 0) autoSubmit();
  }

  // ---------- submit ----------

  var dialog = $("exam-dialog");
  var cover = $("exam-cover");
  var lastFocus = null;

  function resultURL(auto) {
    return "/exams/" + encodeURIComponent(examID) + "/result?attempt=" + encodeURIComponent(attempt.attempt_id) + (auto ? "&auto=1" : "");
  }

  function openDialog() {
    if (!attempt || finished || submitting) return;
    var todo = updateProgress();
    var desc = $("dialog-desc");
    desc.textContent = "";
    if (todo > 0) {
      desc.appendChild(document.createTextNode("您还有 "));
      desc.appendChild(el("strong", "dialog-warn", todo + " 道题"));
      desc.appendChild(document.createTextNode("未作答。交卷后不能再修改答案，确定交卷吗？"));
    } else {
      desc.textContent = "您已答完全部 " + questions.length + " 道题。交卷后不能再修改答案，确定交卷吗？";
    }
    lastFocus = document.activeElement;
    hideNote();
    dialog.hidden = false;
    document.body.classList.add("exam-modal");
    $("exam-confirm").focus();
  }

  function closeDialog() {
    dialog.hidden = true;
    document.body.classList.remove("exam-modal");
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }

  function showCover(title, desc) {
    hideNote();
    $("cover-title").textContent = title;
    $("cover-desc").textContent = desc;
    cover.hidden = false;
    document.body.classList.add("exam-modal");
  }

  function hideCover() {
    cover.hidden = true;
    document.body.classList.remove("exam-modal");
  }

  // submit flushes the answers and submits; auto is true at the deadline.
  function submit(auto) {
    if (submitting || !attempt) return;
    submitting = true;
    finished = true;
    dialog.hidden = true;
    clearTimeout(saveTimer);
    clearTimeout(retryTimer);
    showCover(auto ? "考试时间到，已自动交卷" : "正在交卷…", auto ? "正在提交答案，请稍候…" : "请不要关闭页面。");
    setControlsDisabled(true);
    flushForSubmit(3).then(function () {
      return submitRequest(auto, 0);
    });
  }

  // flushForSubmit tries a few times to deliver the pending answers.
  function flushForSubmit(tries) {
    return save().then(function (ok) {
      if (ok || tries <= 1 || !Object.keys(dirty).length) return ok;
      return new Promise(function (resolve) { setTimeout(resolve, 1500); }).then(function () {
        return flushForSubmit(tries - 1);
      });
    });
  }

  function submitRequest(auto, tries) {
    return api("POST", "/api/v1/attempts/" + attempt.attempt_id + "/submit").then(function (r) {
      if (r.ok || (r.status === 409 && r.code === "attempt_finished")) {
        storeDel(storeKey);
        if (auto) {
          showCover("考试时间到，已自动交卷", "正在打开考试结果…");
          setTimeout(function () { location.assign(resultURL(true)); }, 1200);
        } else {
          showCover("交卷成功", "正在打开考试结果…");
          location.assign(resultURL(false));
        }
        return;
      }
      if (retryable(r) && (auto || tries < 2)) {
        // At the deadline keep trying; the server also submits on its own.
        setTimeout(function () { submitRequest(auto, tries + 1); }, Math.min(2000 * Math.pow(2, tries), 15000));
        $("cover-desc").textContent = "网络不稳定，正在重新提交…";
        return;
      }
      hideCover();
      submitting = false;
      if (!auto) {
        finished = false;
        setControlsDisabled(false);
      }
      if (r.status === 401) {
        showError("登录已过期，请重新登录后交卷，答案已暂存。", [{ text: "重新登录", href: loginURL(), primary: true }]);
      } else {
        showError("交卷失败：" + r.message, [{ text: "重新交卷", primary: true, onClick: function () { hideError(); submit(auto); } }]);
      }
    });
  }

  function autoSubmit() {
    if (submitting || !attempt) return;
    clearInterval(tickTimer);
    timerEl.textContent = "00:00";
    closeDialog();
    submit(true);
  }

  // attemptOver: the server has closed the attempt (time up, submitted
  // elsewhere): show the result.
  function attemptOver(title, desc) {
    if (submitting) return;
    finished = true;
    clearInterval(tickTimer);
    clearTimeout(saveTimer);
    clearTimeout(retryTimer);
    storeDel(storeKey);
    setControlsDisabled(true);
    closeDialog();
    showCover(title || "考试已结束", desc || "本次考试已交卷，正在打开考试结果…");
    setTimeout(function () { location.assign(resultURL(false)); }, title ? 2500 : 1200);
  }

  function setControlsDisabled(off) {
    var all = root.querySelectorAll("#exam-paper input, #exam-paper textarea, #exam-submit, #exam-submit-bottom");
    for (var i = 0; i < all.length; i++) all[i].disabled = off;
  }

  $("exam-submit").addEventListener("click", openDialog);
  $("exam-submit-bottom").addEventListener("click", openDialog);
  $("exam-cancel").addEventListener("click", closeDialog);
  $("exam-confirm").addEventListener("click", function () { submit(false); });
  dialog.addEventListener("click", function (e) { if (e.target === dialog) closeDialog(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !dialog.hidden) closeDialog();
  });

  // ---------- wiring the inputs ----------

  var paperForm = $("exam-paper");
  paperForm.addEventListener("submit", function (e) { e.preventDefault(); });
  function onEdit(e) {
    var card = e.target.closest ? e.target.closest(".q-card") : null;
    if (!card) return;
    if (e.target.type === "radio" || e.target.type === "checkbox") syncChoiceStyles(card);
    changed(card.getAttribute("data-q"));
  }
  paperForm.addEventListener("change", onEdit);
  paperForm.addEventListener("input", function (e) {
    if (e.target.type === "text" || e.target.tagName === "TEXTAREA") onEdit(e);
  });
  // Enter in a blank goes to the next input instead of submitting.
  paperForm.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.target.type !== "text") return;
    e.preventDefault();
    var all = Array.prototype.slice.call(paperForm.querySelectorAll("input[type=text], textarea"));
    var i = all.indexOf(e.target);
    if (i >= 0 && i + 1 < all.length) all[i + 1].focus();
  });

  // ---------- start ----------

  function start() {
    dropOldStores();
    api("GET", "/api/v1/attempts/" + encodeURIComponent(attemptID) + "/questions").then(function (r) {
      if (!r.ok) {
        finished = true;
        var back = { text: "返回我的考试", href: "/exams", primary: true };
        if (r.status === 401) {
          showError("登录已过期，请重新登录", [{ text: "重新登录", href: loginURL(), primary: true }]);
        } else if (r.status === 409) {
          showError("本次考试已结束，答卷已提交。", [
            { text: "查看成绩", href: "/exams/" + encodeURIComponent(examID) + "/result?attempt=" + encodeURIComponent(attemptID), primary: true },
            { text: "返回我的考试", href: "/exams" }
          ]);
        } else if (r.status === 404) {
          showError("考试不存在或尚未发布。", [back]);
        } else if (retryable(r)) {
          finished = false;
          showError(r.message, [{ text: "重试", primary: true, onClick: function () { hideError(); if (loading) loading.hidden = false; start(); } }, back]);
        } else {
          showError(r.message, [back]);
        }
        return;
      }
      var data = r.data || {};
      var resumed = !!(data.answers && typeof data.answers === "object" && Object.keys(data.answers).length);
      begin(data, resumed);
    });
  }

  function begin(a, resumed) {
    attempt = a;
    deadlineMs = parseTime(a.deadline);
    questions = (Array.isArray(a.questions) ? a.questions : []).map(function (q) {
      q.id = String(q.id);
      if (q.type === "blank") q.blanks = blankCount(q.stem);
      byID[q.id] = q;
      return q;
    });
    storeKey = STORE + a.attempt_id;
    var saved = a.answers && typeof a.answers === "object" ? a.answers : {};
    Object.keys(saved).forEach(function (k) { if (byID[k]) answers[k] = saved[k]; });
    // Answers this browser could not deliver before a reload are newer.
    var local = storeGet(storeKey);
    var pending = 0;
    if (local && local.answers && typeof local.answers === "object") {
      Object.keys(local.answers).forEach(function (k) {
        if (!byID[k]) return;
        answers[k] = local.answers[k];
        dirty[k] = true;
        pending++;
      });
    }
    renderPaper();
    askFullscreen();
    if (wide() && questions.length <= 40) setNavOpen(true);
    questions.forEach(function (q) { writeAnswer(q, answers[q.id]); });
    updateProgress();
    if (pending) {
      setSaveState("saving", "正在同步本机暂存的答案…");
      save();
    } else if (Object.keys(saved).length) {
      setSaveState("ok", "已恢复上次保存的答案");
    } else {
      setSaveState("idle", "作答后自动保存");
    }
    if (resumed) flashNote("已恢复您上次的作答，考试计时未暂停");
    if (!questions.length) showError("试卷中没有题目，请联系考试管理员。", [{ text: "返回我的考试", href: "/exams" }]);
    tick();
    tickTimer = setInterval(tick, 500);
  }

  // The page opens on the rules: 开始考试 asks for a confirmation before
  // the one POST that starts the attempt; 继续考试 resumes the one in
  // progress. Loading the page starts nothing.
  var intro = $("exam-intro");

  function leaveIntro() {
    if (intro) intro.hidden = true;
    if (loading) loading.hidden = false;
    window.scrollTo(0, 0);
  }

  function startAttempt() {
    var btn = $("exam-start-confirm");
    btn.disabled = true;
    btn.textContent = "正在进入考试…";
    api("POST", "/api/v1/exams/" + encodeURIComponent(examID) + "/attempts").then(function (r) {
      btn.disabled = false;
      btn.textContent = "开始考试";
      $("start-dialog").hidden = true;
      if (!r.ok) {
        if (r.status === 401) {
          showError("登录已过期，请重新登录", [{ text: "重新登录", href: loginURL(), primary: true }]);
        } else {
          showError(r.message, [{ text: "返回我的考试", href: "/exams", primary: true }]);
        }
        return;
      }
      var data = r.data || {};
      attemptID = String(data.attempt_id);
      root.setAttribute("data-attempt", attemptID);
      leaveIntro();
      begin(data, false);
    });
  }

  var startForm = $("exam-start-form");
  if (startForm) {
    var startDialog = $("start-dialog");
    startForm.addEventListener("submit", function (e) {
      e.preventDefault();
      startDialog.hidden = false;
      $("exam-start-confirm").focus();
    });
    $("exam-start-cancel").addEventListener("click", function () {
      startDialog.hidden = true;
      $("exam-start").focus();
    });
    $("exam-start-confirm").addEventListener("click", startAttempt);
    startDialog.addEventListener("click", function (e) { if (e.target === startDialog) startDialog.hidden = true; });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !startDialog.hidden) startDialog.hidden = true;
    });
  }
  var resumeBtn = $("exam-resume");
  if (resumeBtn) {
    resumeBtn.addEventListener("click", function () {
      leaveIntro();
      start();
    });
  }
})();
