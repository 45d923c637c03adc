// Reports page: while a report of the list is queued or being built, ask
// for its state every few seconds and move its progress bar; show the
// download link when it is done. Plain ES2017; the page works without it.
(function () {
  "use strict";

  var list = document.getElementById("rep-jobs");
  if (!list || !window.College) return;
  var EVERY_MS = 2000;

  function pending() {
    return Array.prototype.filter.call(list.querySelectorAll("li[data-job]"), function (li) {
      var s = li.getAttribute("data-state");
      return s === "queued" || s === "running";
    });
  }

  function show(li, job) {
    var pct = job.state === "done" ? 100 : (job.total > 0 ? Math.floor(job.done * 100 / job.total) : 0);
    li.setAttribute("data-state", job.state);
    li.querySelector(".rep-state").textContent = job.state_name;
    li.querySelector("progress").value = pct;
    li.querySelector(".rep-pct").textContent = pct + "%";
    var err = li.querySelector(".rep-error");
    err.textContent = job.error || "";
    err.hidden = !job.error;
    var link = li.querySelector(".rep-link");
    if (job.file_url) link.querySelector("a").setAttribute("href", job.file_url);
    link.hidden = !job.file_url;
  }

  function poll() {
    var rows = pending();
    if (!rows.length) return;
    Promise.all(rows.map(function (li) {
      return College.api("GET", "/api/v1/reports/" + li.getAttribute("data-job")).then(function (r) {
        if (r.ok && r.data) show(li, r.data);
      });
    })).then(function () { window.setTimeout(poll, EVERY_MS); });
  }

  window.setTimeout(poll, EVERY_MS);
})();
