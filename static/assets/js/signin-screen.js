// The teacher's sign-in screen: asks every 20 seconds for the session's
// code and shows a new one (and its QR code) when the host changed it.
// Without it the page shows the code it was served with. Plain ES2017.
(function () {
  "use strict";
  var screen = document.getElementById("signin-screen");
  var url = screen && screen.getAttribute("data-code-url");
  var codeEl = document.getElementById("signin-code");
  var qr = document.getElementById("signin-qr");
  if (!url || !codeEl) { return; }
  var current = codeEl.textContent.replace(/\s/g, "");
  function show(code, qrURL) {
    var parts = code.length === 6 ? [code.slice(0, 3), code.slice(3)] : [code, ""];
    codeEl.replaceChildren();
    parts.forEach(function (p) {
      var s = document.createElement("span");
      s.textContent = p;
      codeEl.appendChild(s);
    });
    codeEl.setAttribute("aria-label", "签到码 " + code);
    if (qr && qrURL) { qr.src = qrURL; }
    current = code;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d && d.code && d.code !== current) { show(d.code, d.qr); } })
      .catch(function () {});
  }
  setInterval(poll, 20000);
})();
