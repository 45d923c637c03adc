// Lesson page: starts a play, reports progress by heartbeats, keeps first-time
// viewers from skipping ahead, asks whether the learner is still there, and
// counts reading time for articles and documents. Plain ES2017, no globals.
(function () {
  "use strict";

  var root = document.getElementById("lesson");
  if (!root || !window.fetch || !window.College) return;

  var lessonID = root.getAttribute("data-lesson");
  var lessonType = root.getAttribute("data-type");
  var published = root.getAttribute("data-published") === "true";
  var hasMedia = root.getAttribute("data-media") === "true";
  var STORE = "college.heartbeat.";
  var MAX_AGE_MS = 12 * 3600 * 1000; // a play lives at most 12 h on the server

  function $(id) { return document.getElementById(id); }
  function now() { return Date.now(); }
  function round2(x) { return Math.round(x * 100) / 100; }

  // ---------- messages ----------

  var errorBox = $("play-error");

  // showAlert fills the page's alert with a message and optional actions:
  // [{text, href}] or [{text, onClick}].
  function showAlert(kind, message, actions) {
    if (!errorBox) return;
    errorBox.className = "alert alert-" + kind;
    errorBox.setAttribute("role", kind === "error" ? "alert" : "status");
    errorBox.textContent = "";
    var p = document.createElement("p");
    p.textContent = message;
    errorBox.appendChild(p);
    if (actions && actions.length) {
      var box = document.createElement("div");
      box.className = "alert-actions";
      actions.forEach(function (a) {
        var el;
        if (a.href) {
          el = document.createElement("a");
          el.href = a.href;
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.addEventListener("click", a.onClick);
        }
        el.className = "btn " + (a.primary ? "btn-primary" : "btn-outline");
        el.textContent = a.text;
        box.appendChild(el);
      });
      errorBox.appendChild(box);
    }
    errorBox.hidden = false;
  }

  function hideAlert() { if (errorBox) errorBox.hidden = true; }

  var noticeBox = $("player-notice");
  var noticeTimer = 0;
  var lastNotice = { text: "", at: 0 };

  // notice shows a short message over the video for a few seconds.
  function notice(text) {
    var t = now();
    if (lastNotice.text === text && t - lastNotice.at < 1500) return;
    lastNotice = { text: text, at: t };
    if (!noticeBox) return;
    noticeBox.textContent = text;
    noticeBox.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { noticeBox.hidden = true; }, 3500);
  }

  var loginURL = College.loginURL;

  // ---------- API ----------

  // api calls the JSON API (api.js); keepalive lets a call outlive the page.
  function api(method, url, body, keepalive) {
    return College.api(method, url, body, { keepalive: keepalive });
  }

  var retryable = College.retryable;

  // ---------- stored heartbeats ----------

  function storeGet(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storeSet(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode or full */ } }
  function storeDel(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function storedKeys() {
    var out = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(STORE) === 0) out.push(k);
      }
    } catch (e) { /* no storage */ }
    return out;
  }

  // flushLeftovers sends heartbeats an earlier page could not deliver, before
  // a new play makes them worthless. Kept only while the network fails.
  function flushLeftovers() {
    var keys = storedKeys();
    var chain = Promise.resolve();
    keys.forEach(function (key) {
      chain = chain.then(function () {
        var item = storeGet(key);
        var playID = key.slice(STORE.length);
        if (!item || typeof item.position !== "number" || !item.state || now() - (item.at || 0) > MAX_AGE_MS) {
          storeDel(key);
          return null;
        }
        return api("POST", "/api/v1/plays/" + encodeURIComponent(playID) + "/heartbeat",
          { position: item.position, state: item.state }).then(function (r) {
          if (r.ok || (!retryable(r) && r.status !== 401)) storeDel(key);
        });
      });
    });
    return chain;
  }

  // ---------- shared play state ----------

  var play = null;           // the play answer
  var stopped = false;       // superseded, logged out or refused: no more heartbeats
  var completed = false;
  var courseCredited = false;
  var hbMs = 15000;
  var lastBeatAt = 0;
  var presenceDueAt = Infinity;
  var idleShown = false;
  var idleAnswerBy = 0;

  var beatURL = "";
  var storeKey = "";
  var pending = null;        // newest heartbeat not yet acknowledged
  var inflight = false;
  var retryTimer = 0;
  var retryDelay = 0;

  // Hooks set by the video or reading part.
  var currentPosition = function () { return 0; };
  var currentState = function () { return "paused"; };
  var onAnswer = function () {};
  var onStop = function () {};
  var onIdle = function () {};
  var onResume = function () {};

  // snapshot is the learner's state now.
  function snapshot(state) {
    var pos = currentPosition();
    if (!(pos >= 0)) pos = 0;
    if (play.duration_seconds > 0 && pos > play.duration_seconds) pos = play.duration_seconds;
    return { position: round2(pos), state: state || currentState(), at: now() };
  }

  function beat(state, keepalive) {
    if (!play || stopped) return;
    pending = snapshot(state);
    lastBeatAt = now();
    storeSet(storeKey, pending);
    if (keepalive) {
      // The page is going away: fetch with keepalive outlives it (sendBeacon
      // cannot carry the CSRF header). Storage keeps it if this fails too.
      api("POST", beatURL, { position: pending.position, state: pending.state }, true);
      return;
    }
    if (!retryTimer) flush();
  }

  function flush() {
    if (inflight || !pending || stopped) return;
    clearTimeout(retryTimer);
    retryTimer = 0;
    var sent = pending;
    inflight = true;
    api("POST", beatURL, { position: sent.position, state: sent.state }).then(function (r) {
      inflight = false;
      if (stopped) return;
      if (r.ok) {
        if (pending === sent) {
          pending = null;
          storeDel(storeKey);
        }
        if (retryDelay) {
          retryDelay = 0;
          hideAlert();
        }
        handleAnswer(r.data || {}, sent);
        if (pending) flush();
        return;
      }
      if (retryable(r)) {
        retryDelay = retryDelay ? Math.min(retryDelay * 2, 30000) : 2000;
        retryTimer = setTimeout(function () {
          retryTimer = 0;
          // Send the state of now, not of the failed attempt: the server
          // measures the time between the heartbeats it receives.
          if (pending && !stopped) {
            pending = snapshot(pending.state === "ended" ? "ended" : undefined);
            storeSet(storeKey, pending);
          }
          flush();
        }, retryDelay);
        if (retryDelay >= 4000) showAlert("warn", "网络不稳定，学习记录暂未提交，恢复后将自动补交。");
        return;
      }
      if (pending === sent) {
        pending = null;
        storeDel(storeKey);
      }
      refuse(r);
    });
  }

  // refuse stops the page for answers that no retry can fix.
  function refuse(r) {
    if (r.status === 409 && r.code === "play_lost") {
      // The server lost this play (its live store restarted, or the play
      // lapsed): what was watched is kept; a new play counts from here.
      pending = null;
      storeDel(storeKey);
      startPlay().then(function (p) {
        if (p) showAlert("warn", "学习计时曾短暂中断，已为您重新开始计时");
      });
      return;
    }
    if (r.status === 409 && r.code === "play_superseded") {
      stop();
      showAlert("warn", "您已在其他页面或设备上开始学习，本页面已停止计时", [
        { text: "重新加载", primary: true, onClick: function () { location.reload(); } }
      ]);
    } else if (r.status === 401) {
      stop();
      showAlert("error", "登录已过期，请重新登录", [{ text: "重新登录", href: loginURL(), primary: true }]);
    } else if (r.status === 403 && r.code === "csrf") {
      stop();
      showAlert("error", r.message, [{ text: "刷新页面", primary: true, onClick: function () { location.reload(); } }]);
    } else {
      showAlert("error", r.message);
    }
  }

  function stop() {
    stopped = true;
    pending = null;
    clearTimeout(retryTimer);
    retryTimer = 0;
    storeDel(storeKey);
    hideIdle();
    onStop();
  }

  function handleAnswer(a, sent) {
    var wasCompleted = completed;
    if (a.completed) completed = true;
    onAnswer(a, sent, wasCompleted);
    var hours = Number(a.credited_hours) || 0;
    if (hours > 0 && !courseCredited) {
      courseCredited = true;
      showAlert("ok", "课程已完成，获得 " + hours + " 学时");
    } else if (a.course_completed && !courseCredited) {
      courseCredited = true;
      showAlert("ok", "课程已全部完成");
    }
    if (a.presence_due) showIdle();
  }

  window.addEventListener("online", function () {
    if (pending && !inflight) {
      clearTimeout(retryTimer);
      retryTimer = 0;
      flush();
    }
  });
  window.addEventListener("pagehide", function () {
    if (play && !stopped) beat(currentState() === "playing" ? "paused" : currentState(), true);
  });
  window.addEventListener("pageshow", function (e) {
    // Back from the page cache: the play may have been replaced meanwhile.
    if (e.persisted && play) location.reload();
  });

  // promoteNext makes "下一课时" the main button once this lesson is done.
  function promoteNext() {
    var next = $("next-lesson");
    if (next) next.className = next.className.replace("btn-outline", "btn-primary");
  }

  // ---------- idle check ("还在学习吗？") ----------

  var idleBox = $("idle-dialog");
  var idleButton = $("idle-continue");
  var idleDesc = $("idle-desc");
  var idleDescText = idleDesc ? idleDesc.textContent : "";
  var idleError = null;

  function showIdle() {
    if (idleShown || stopped || !idleBox) return;
    idleShown = true;
    idleAnswerBy = now() + ((play && play.idle_answer_seconds) || 60) * 1000;
    if (idleDesc) idleDesc.textContent = idleDescText;
    idleBox.firstElementChild.classList.remove("is-late");
    setIdleError("");
    onIdle();
    idleBox.hidden = false;
    if (idleButton) {
      idleButton.disabled = false;
      try { idleButton.focus({ preventScroll: true }); } catch (e) { idleButton.focus(); }
    }
  }

  function hideIdle() {
    idleShown = false;
    if (idleBox) idleBox.hidden = true;
  }

  function setIdleError(text) {
    if (!idleBox) return;
    if (!idleError) {
      idleError = document.createElement("p");
      idleError.className = "idle-error";
      idleError.setAttribute("role", "alert");
      idleButton.parentNode.insertBefore(idleError, idleButton);
    }
    idleError.textContent = text;
    idleError.hidden = !text;
  }

  // checkIdle runs every second: opens the dialog when due and marks it late
  // once the answer window has passed (the server has stopped crediting).
  function checkIdle(active) {
    if (stopped || !play) return;
    var t = now();
    if (!idleShown && active && t >= presenceDueAt) showIdle();
    if (idleShown && t > idleAnswerBy && idleDesc && !idleBox.firstElementChild.classList.contains("is-late")) {
      idleBox.firstElementChild.classList.add("is-late");
      idleDesc.textContent = "已超过作答时间，学习计时已暂停。点击“继续学习”后恢复计时。";
    }
  }

  if (idleButton) {
    idleButton.addEventListener("click", function () {
      if (!play || stopped) return;
      idleButton.disabled = true;
      setIdleError("");
      // Resume within the click so that browsers allow playback; the server
      // confirms below, and the dialog comes back if it could not.
      presenceDueAt = Infinity;
      hideIdle();
      onResume();
      api("POST", "/api/v1/plays/" + encodeURIComponent(play.play_id) + "/presence").then(function (r) {
        idleButton.disabled = false;
        if (r.ok) {
          var next = (r.data && Number(r.data.next_check_seconds)) || 600;
          presenceDueAt = now() + next * 1000;
          return;
        }
        if (retryable(r)) {
          presenceDueAt = now();
          showIdle();
          setIdleError(r.message);
          return;
        }
        refuse(r);
      });
    });
  }

  // startPlay begins the play and wires the heartbeats.
  function startPlay() {
    return flushLeftovers().then(function () {
      return api("POST", "/api/v1/lessons/" + encodeURIComponent(lessonID) + "/play");
    }).then(function (r) {
      if (!r.ok) {
        if (r.status === 401) {
          showAlert("error", "登录已过期，请重新登录", [{ text: "重新登录", href: loginURL(), primary: true }]);
        } else if (r.status === 403 && r.code === "csrf") {
          showAlert("error", r.message, [{ text: "刷新页面", primary: true, onClick: function () { location.reload(); } }]);
        } else {
          showAlert("error", r.message);
        }
        stopped = true;
        onStop();
        return null;
      }
      play = r.data || {};
      completed = !!play.completed;
      if (completed) promoteNext();
      hbMs = Math.max(5, Number(play.heartbeat_seconds) || 15) * 1000;
      presenceDueAt = now() + Math.max(30, Number(play.idle_check_seconds) || 600) * 1000;
      beatURL = "/api/v1/plays/" + encodeURIComponent(play.play_id) + "/heartbeat";
      storeKey = STORE + play.play_id;
      lastBeatAt = now();
      return play;
    });
  }

  // ---------- video ----------

  function setupVideo() {
    var video = $("player");
    var wrap = $("player-wrap");
    if (!video) return;
    var statusBox = $("study-status");
    var statusText = $("status-text");
    var statusBar = $("status-bar");
    var maxRate = 1;
    var furthest = 0;       // furthest point reached by normal playback
    var ackFurthest = 0;    // furthest position the server has accepted
    var lastTime = null;    // currentTime at the previous timeupdate
    var resumed = false;
    var seekBeatTimer = 0;
    var refreshes = 0;
    var coverage = 0;

    setupWatermark(wrap);
    setupFullscreen(video, wrap);

    function showStatus() {
      if (!statusText) return;
      var pct = Math.min(100, Math.floor(coverage * 100 + 0.5));
      statusText.textContent = "";
      var label = document.createTextNode("已学习 ");
      var strong = document.createElement("strong");
      strong.textContent = pct + "%";
      statusText.appendChild(label);
      statusText.appendChild(strong);
      if (completed) statusText.appendChild(document.createTextNode("，本课时已完成 ✓"));
      if (statusBar) {
        statusBar.value = completed ? 100 : pct;
        statusBar.textContent = pct + "%";
        statusBar.classList.toggle("done", completed);
      }
      if (statusBox) statusBox.classList.toggle("is-done", completed);
    }

    currentPosition = function () { return video.currentTime || 0; };
    currentState = function () {
      if (video.ended) return "ended";
      return video.paused ? "paused" : "playing";
    };
    onStop = function () {
      video.pause();
      if (statusText && stopped && play) statusText.textContent = "本页面已停止计时";
    };
    onIdle = function () { video.pause(); };
    onResume = function () {
      var p = video.play();
      if (p && p.catch) p.catch(function () { /* the learner presses play */ });
    };
    onAnswer = function (a, sent, wasCompleted) {
      if (typeof a.coverage === "number") coverage = Math.max(coverage, a.coverage);
      var accepted = typeof a.position === "number" ? a.position : sent.position;
      if (!completed && sent.position - accepted > 1.5) {
        // The server did not count the way to sent.position (idle, clock or
        // network trouble): go back to where it stopped counting.
        furthest = Math.max(ackFurthest, accepted);
        if (video.currentTime > furthest + 1) {
          lastTime = null;
          video.currentTime = accepted;
          if (!a.presence_due) notice("有一段学习未被记录，已回到上次记录的位置");
        }
      } else {
        ackFurthest = Math.max(ackFurthest, accepted);
        furthest = Math.max(furthest, accepted);
      }
      if (completed && !wasCompleted) {
        notice("本课时已完成");
        promoteNext();
      }
      showStatus();
    };

    video.addEventListener("loadedmetadata", function () {
      if (resumed || !play) return;
      resumed = true;
      var at = Number(play.resume_at) || 0;
      if (at > 0 && (!video.duration || at < video.duration - 1)) {
        video.currentTime = at;
        notice("已为您从上次学习的位置继续");
      }
    });

    video.addEventListener("ratechange", function () {
      if (video.playbackRate > maxRate + 1e-6) {
        video.playbackRate = maxRate;
        notice(maxRate === 1 ? "本课程不能倍速播放" : "最高只能 " + maxRate + " 倍速播放");
      }
      if (video.defaultPlaybackRate > maxRate + 1e-6) video.defaultPlaybackRate = maxRate;
    });

    video.addEventListener("timeupdate", function () {
      var t = video.currentTime;
      if (lastTime !== null && !video.seeking && t >= lastTime && t - lastTime < 2) {
        if (t > furthest) furthest = t;
      }
      lastTime = t;
    });

    video.addEventListener("seeking", function () {
      lastTime = null;
      if (!play || completed || stopped) return;
      if (video.currentTime > furthest + 1) {
        video.currentTime = furthest;
        notice("首次学习不能拖动到未观看的部分");
      }
    });

    video.addEventListener("seeked", function () {
      lastTime = video.currentTime;
      if (!play || stopped) return;
      // Tell the server where playback now is, so it measures from here.
      clearTimeout(seekBeatTimer);
      seekBeatTimer = setTimeout(function () { beat(); }, 600);
    });

    video.addEventListener("play", function () {
      if (stopped && play) {
        video.pause();
        return;
      }
      if (idleShown) {
        video.pause();
        return;
      }
      if (play && now() >= presenceDueAt) showIdle();
    });
    video.addEventListener("pause", function () {
      if (!video.ended) beat("paused");
    });
    video.addEventListener("ended", function () { beat("ended"); });

    video.addEventListener("error", function () {
      // A signed address may have expired: ask for a fresh one and go on.
      if (!play || refreshes >= 3 || !video.error) {
        if (video.error) showAlert("error", "视频加载失败，请刷新页面重试");
        return;
      }
      refreshes++;
      var at = video.currentTime || lastTime || 0;
      api("GET", "/api/v1/lessons/" + encodeURIComponent(lessonID) + "/stream-url").then(function (r) {
        if (!r.ok || !r.data || !r.data.url) {
          showAlert("error", r.ok ? "视频加载失败，请刷新页面重试" : r.message);
          return;
        }
        video.addEventListener("loadedmetadata", function once() {
          video.removeEventListener("loadedmetadata", once);
          if (at > 0) video.currentTime = at;
        });
        video.src = r.data.url;
      });
    });

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && play && !stopped) beat();
    });

    setInterval(function () {
      if (!play || stopped) return;
      var playing = !video.paused && !video.ended;
      checkIdle(playing);
      if (playing && !idleShown && now() - lastBeatAt >= hbMs) beat("playing");
    }, 1000);

    if (!published) {
      // A manager previewing a draft: show the file, record nothing.
      if (hasMedia) video.src = "/api/v1/lessons/" + encodeURIComponent(lessonID) + "/stream";
      else showAlert("warn", "该课时还没有上传视频");
      return;
    }

    startPlay().then(function (p) {
      if (!p) {
        if (statusText) statusText.textContent = "暂时无法学习本课时";
        return;
      }
      maxRate = Number(p.max_rate) > 0 ? Number(p.max_rate) : 1;
      coverage = Number(p.coverage) || 0;
      furthest = ackFurthest = Math.max(Number(p.furthest) || 0, Number(p.resume_at) || 0);
      if (video.playbackRate > maxRate) video.playbackRate = maxRate;
      showStatus();
      if (!p.stream_url) {
        showAlert("error", "该课时还没有可播放的视频");
        return;
      }
      video.src = p.stream_url;
    });
  }

  // The watermark names the learner and moves every 20 s, so recordings of
  // the screen can be traced.
  function setupWatermark(wrap) {
    var mark = $("watermark");
    if (!mark || !wrap) return;
    if (!mark.textContent.trim()) mark.textContent = root.getAttribute("data-user") || "";
    function move() {
      var left = 4 + Math.random() * 52;
      var top = 6 + Math.random() * 74;
      mark.style.left = left.toFixed(1) + "%";
      mark.style.top = top.toFixed(1) + "%";
    }
    move();
    setInterval(move, 20000);
  }

  // Full screen shows the wrapper, so the watermark and the idle dialog stay
  // visible; where that is impossible (iPhone) the native button remains.
  function setupFullscreen(video, wrap) {
    var button = $("fullscreen-btn");
    if (!button || !wrap) return;
    var request = wrap.requestFullscreen || wrap.webkitRequestFullscreen;
    if (!request) return;
    if (video.controlsList && video.controlsList.supports && video.controlsList.supports("nofullscreen")) {
      video.controlsList.add("nofullscreen");
    }
    button.hidden = false;
    function current() { return document.fullscreenElement || document.webkitFullscreenElement || null; }
    button.addEventListener("click", function () {
      if (current()) {
        (document.exitFullscreen || document.webkitExitFullscreen).call(document);
      } else {
        var p = request.call(wrap);
        if (p && p.catch) p.catch(function () { notice("无法进入全屏"); });
      }
    });
    function sync() { button.textContent = current() ? "退出全屏" : "全屏观看"; }
    document.addEventListener("fullscreenchange", sync);
    document.addEventListener("webkitfullscreenchange", sync);
  }

  // ---------- article and document ----------

  function splitParagraphs() {
    var body = $("article-body");
    if (!body) return;
    var parts = body.textContent.split(/\n+/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (!parts.length) return;
    body.textContent = "";
    parts.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      body.appendChild(p);
    });
    body.classList.add("has-paras");
  }

  function setupDocument(url) {
    var frame = $("doc-frame");
    var view = $("doc-view");
    var link = $("doc-link");
    if (view && frame) {
      view.src = url;
      frame.hidden = false;
    }
    if (link) {
      link.href = url;
      link.hidden = false;
    }
  }

  function setupReading() {
    splitParagraphs();
    var bar = $("reading-bar");
    var text = $("reading-text");
    var progress = $("reading-progress");
    var counted = 0;        // seconds read while the page was visible
    var duration = 0;
    var lastTick = 0;
    var finalSent = false;

    function visible() { return document.visibilityState === "visible"; }

    function remainingText(sec) {
      sec = Math.max(0, Math.ceil(sec));
      if (sec < 60) return sec + " 秒";
      var m = Math.floor(sec / 60);
      var s = sec % 60;
      return m + " 分" + (s ? " " + s + " 秒" : "钟");
    }

    function show() {
      if (!text) return;
      text.textContent = "";
      if (completed) {
        var strong = document.createElement("strong");
        strong.textContent = "本课时已完成 ✓";
        text.appendChild(strong);
      } else if (counted >= duration) {
        text.textContent = "阅读时间已满，正在提交学习记录…";
      } else {
        text.appendChild(document.createTextNode("还需阅读 "));
        var b = document.createElement("strong");
        b.textContent = remainingText(duration - counted);
        text.appendChild(b);
        if (!visible()) text.appendChild(document.createTextNode("（已暂停计时）"));
      }
      if (progress) {
        var pct = completed ? 100 : duration > 0 ? Math.floor(counted / duration * 100) : 0;
        progress.value = pct;
        progress.textContent = pct + "%";
        progress.classList.toggle("done", completed);
      }
      if (bar) bar.classList.toggle("is-done", completed);
    }

    currentPosition = function () { return counted; };
    currentState = function () { return visible() && !idleShown && !completed ? "playing" : "paused"; };
    onStop = function () {
      if (text && play) text.textContent = "本页面已停止计时";
    };
    onIdle = function () { show(); };
    onResume = function () { lastTick = now(); };
    onAnswer = function (a, sent, wasCompleted) {
      var accepted = typeof a.position === "number" ? a.position : sent.position;
      if (!completed && sent.position - accepted > 1.5) {
        // Not counted by the server (e.g. the idle check was missed): read again from there.
        counted = Math.min(counted, accepted);
        finalSent = false;
      } else if (!completed && accepted >= duration - 0.5 && counted >= duration) {
        // Read to the end yet some part is missing: go through it once more.
        counted = 0;
        finalSent = false;
        beat("paused");
      }
      if (completed && !wasCompleted) {
        lastTick = 0;
        promoteNext();
      }
      show();
    };

    document.addEventListener("visibilitychange", function () {
      if (!play || stopped) return;
      if (visible()) {
        lastTick = now();
      } else if (!completed) {
        beat("paused");
      }
      show();
    });

    setInterval(function () {
      if (!play || stopped || completed) return;
      var t = now();
      var active = visible();
      checkIdle(active);
      if (active && !idleShown && lastTick) {
        // At most 1.5 s per tick: time while the device slept is not reading.
        counted = Math.min(duration, counted + Math.min((t - lastTick) / 1000, 1.5));
      }
      lastTick = active && !idleShown ? t : 0;
      if (active && !idleShown) {
        if (counted >= duration && !finalSent) {
          finalSent = true;
          beat("playing");
        } else if (t - lastBeatAt >= hbMs) {
          beat("playing");
        }
      }
      show();
    }, 1000);

    if (!published) {
      if (lessonType === "document" && hasMedia) setupDocument("/api/v1/lessons/" + encodeURIComponent(lessonID) + "/stream");
      return;
    }

    startPlay().then(function (p) {
      if (!p) {
        if (text) text.textContent = "暂时无法学习本课时";
        return;
      }
      duration = Number(p.duration_seconds) || 0;
      counted = completed ? duration : Math.min(duration, Number(p.resume_at) || 0);
      lastTick = visible() ? now() : 0;
      if (lessonType === "document") {
        if (p.stream_url) setupDocument(p.stream_url);
        else showAlert("error", "该课时还没有可阅读的文档");
      }
      show();
    });
  }

  if (lessonType === "video") setupVideo();
  else setupReading();
})();
