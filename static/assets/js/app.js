// 页面小功能（无依赖）：
// 1. <select data-value="..."> 回填上次提交的选项（模板无法比较指针字段时使用）；
// 2. <form data-confirm="..."> 提交前请用户确认。
(function () {
  "use strict";
  document.querySelectorAll("select[data-value]").forEach(function (sel) {
    var v = sel.getAttribute("data-value");
    if (!v) return;
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === v) { sel.selectedIndex = i; return; }
    }
  });
  document.addEventListener("submit", function (e) {
    var f = e.target;
    var msg = f && f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);
})();
