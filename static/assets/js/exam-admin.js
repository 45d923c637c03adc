// Exam administration pages: question banks, question entry and import,
// the exam builder, the review queue and results release, on the page
// client of api.js; errors are shown next to the control that caused them.
// Plain ES2017, no globals.
(function () {
  "use strict";

  var root = document.getElementById("exam-admin");
  if (!root || !window.College) return;

  function $(id) { return document.getElementById(id); }

  var api = College.api;
  var show = College.show;
  var showFailure = College.showFailure;
  var fieldErrors = College.fieldErrors;

  function splitList(s) {
    return String(s || "").split(/[,，、;；\s]+/).map(function (t) { return t.trim(); }).filter(Boolean);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var typeNames = { single: "单选", multiple: "多选", judge: "判断", blank: "填空", short: "简答" };

  // ---------- home: create a bank, publish a draft ----------

  var bankForm = $("bank-form");
  if (bankForm) {
    var bankErr = fieldErrors(bankForm);
    bankForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = $("bank-create");
      var general = $("bank-error");
      bankErr.clear();
      show(general, "");
      var name = $("bank-name").value.trim();
      if (!name) { bankErr.set("name", "请填写题库名称"); return; }
      button.disabled = true;
      api("POST", "/api/v1/banks", { name: name, practice: $("bank-practice").checked }).then(function (r) {
        if (r.ok) { location.reload(); return; }
        button.disabled = false;
        showFailure(general, r, bankErr);
      });
    });
  }

  Array.prototype.forEach.call(root.querySelectorAll("button[data-publish]"), function (btn) {
    btn.addEventListener("click", function () {
      var box = btn.closest("td") || btn.parentNode;
      var errBox = box.querySelector("[data-error]");
      show(errBox, "");
      if (!window.confirm("确定发布考试“" + (btn.getAttribute("data-title") || "") + "”吗？发布后符合范围的学员即可在考试时间内参加。")) return;
      btn.disabled = true;
      api("POST", "/api/v1/exams/" + encodeURIComponent(btn.getAttribute("data-publish")) + "/publish").then(function (r) {
        if (r.ok) { location.reload(); return; }
        btn.disabled = false;
        showFailure(errBox, r);
      });
    });
  });

  // ---------- exam form: course and class pickers ----------

  // A picker is a search box over a select of the college's courses or
  // classes, filled from their list APIs; the select keeps its choice
  // while the list is searched.
  Array.prototype.forEach.call(root.querySelectorAll("select[data-picker]"), function (sel) {
    var search = $(sel.id + "-q");
    var url = sel.getAttribute("data-picker");
    var none = sel.getAttribute("data-none") || "";
    var timer = 0;
    var seq = 0;
    var load = function () {
      var q = search ? search.value.trim() : "";
      var mine = ++seq;
      api("GET", url + "?page_size=50" + (q ? "&q=" + encodeURIComponent(q) : "")).then(function (r) {
        if (mine !== seq || !r.ok) return;
        var chosen = sel.value;
        var chosenText = chosen && sel.selectedIndex >= 0 ? sel.options[sel.selectedIndex].textContent : "";
        sel.textContent = "";
        var first = el("option", "", none);
        first.value = "";
        sel.appendChild(first);
        var items = (r.data && r.data.items) || [];
        var kept = false;
        items.forEach(function (it) {
          var o = el("option", "", it.title + (it.starts_on ? "（" + it.starts_on + " 开班）" : "") + (it.status === "draft" ? "（草稿）" : ""));
          o.value = String(it.id);
          if (o.value === chosen) kept = true;
          sel.appendChild(o);
        });
        if (chosen && !kept) {
          var o = el("option", "", chosenText);
          o.value = chosen;
          sel.insertBefore(o, first.nextSibling);
        }
        if (!items.length && q) {
          var empty = el("option", "", "没有找到名称含“" + q + "”的项目");
          empty.disabled = true;
          sel.appendChild(empty);
        }
        sel.value = chosen;
      });
    };
    if (search) {
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(load, 250);
      });
    }
    load();
  });

  // ---------- bank: add a question ----------

  var bankID = root.getAttribute("data-bank");
  var qForm = $("question-form");
  if (qForm && bankID) {
    var qErr = fieldErrors(qForm);
    var typeSel = $("q-type");
    var answer = $("q-answer");
    var answerJudge = $("q-answer-judge");
    var answerText = $("q-answer-text");
    var answerHint = $("q-answer-hint");
    var answerReq = $("q-answer-req");
    var answerLabel = qForm.querySelector('label[for="q-answer"]');
    var hints = {
      single: "填写正确选项的字母，如 B；几个选项单独选都算对时用“|”分隔，如 A|C。",
      multiple: "填写所有正确选项的字母，如 ACD（至少两个）。",
      judge: "选择正确或错误。",
      blank: "每个空一个答案，多个空用分号“；”分隔；同一空有多个可接受答案时用“|”分隔，如：1921|一九二一；嘉兴。",
      short: "参考答案供阅卷老师参考，可不填；简答题由老师人工评分。"
    };
    var syncType = function () {
      var t = typeSel.value;
      var choice = t === "single" || t === "multiple";
      $("q-options-field").hidden = !choice;
      answer.hidden = t === "judge" || t === "short";
      answerJudge.hidden = t !== "judge";
      answerText.hidden = t !== "short";
      answerReq.hidden = t === "short";
      var target = t === "judge" ? answerJudge : (t === "short" ? answerText : answer);
      if (answerLabel) answerLabel.htmlFor = target.id;
      answer.placeholder = t === "single" ? "如：B" : (t === "multiple" ? "如：ACD" : (t === "blank" ? "如：1921|一九二一；嘉兴" : ""));
      answerHint.textContent = hints[t] || "";
    };
    typeSel.addEventListener("change", syncType);
    syncType();

    // Pictures, sounds and videos: uploaded, then their token goes where
    // the cursor last was (the stem or an option); the stem's preview
    // shows them.
    var stemBox = $("q-stem");
    var stemPreview = $("q-stem-preview");
    var lastText = stemBox;
    qForm.addEventListener("focusin", function (e) {
      if (e.target === stemBox || (e.target.hasAttribute && e.target.hasAttribute("data-option"))) lastText = e.target;
    });
    var syncStemPreview = function () {
      stemPreview.textContent = "";
      if (/\[(图片|音频|视频):/.test(stemBox.value)) College.richText(stemPreview, stemBox.value);
    };
    stemBox.addEventListener("input", syncStemPreview);
    var mediaFile = $("q-media-file");
    var mediaHint = $("q-media-hint");
    var mediaHintText = mediaHint.textContent;
    mediaFile.addEventListener("change", function () {
      var f = mediaFile.files && mediaFile.files[0];
      if (!f) return;
      if (f.size > 10 * 1024 * 1024) { mediaHint.textContent = "文件过大，不能超过 10 MB"; mediaFile.value = ""; return; }
      var form = new FormData();
      form.append("file", f);
      mediaHint.textContent = "正在上传…";
      College.upload("POST", "/api/v1/banks/" + encodeURIComponent(bankID) + "/media", form, { maxMB: 10 }).then(function (r) {
        mediaFile.value = "";
        if (!r.ok) { mediaHint.textContent = College.failureText(r); return; }
        var box = lastText;
        var at = typeof box.selectionStart === "number" ? box.selectionStart : box.value.length;
        box.value = box.value.slice(0, at) + r.data.token + box.value.slice(at);
        mediaHint.textContent = "已插入" + (box === stemBox ? "题干" : "选项") + "。";
        syncStemPreview();
        box.focus();
      });
    });

    // Options E–H appear on demand.
    var more = $("q-option-more");
    var optionRows = qForm.querySelectorAll(".opt-row");
    var syncMore = function () {
      var hidden = Array.prototype.filter.call(optionRows, function (r) { return r.hidden; });
      more.hidden = hidden.length === 0;
    };
    more.addEventListener("click", function () {
      var next = Array.prototype.filter.call(optionRows, function (r) { return r.hidden; })[0];
      if (next) {
        next.hidden = false;
        next.querySelector("input").focus();
      }
      syncMore();
    });
    syncMore();

    qForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = $("question-add");
      var general = $("question-error");
      var ok = $("question-ok");
      qErr.clear();
      show(general, "");
      show(ok, "");
      var t = typeSel.value;
      var body = {
        type: t,
        stem: $("q-stem").value.trim(),
        options: [],
        score: Number($("q-score").value),
        difficulty: Number($("q-difficulty").value),
        tags: splitList($("q-tags").value),
        analysis: $("q-analysis").value.trim()
      };
      var bad = false;
      if (!body.stem) { qErr.set("stem", "请填写题干"); bad = true; }
      if (!(body.score > 0 && body.score <= 100)) { qErr.set("score", "分值应在 0 到 100 之间"); bad = true; }
      if (t === "single" || t === "multiple") {
        var inputs = qForm.querySelectorAll("[data-option]");
        var last = -1;
        Array.prototype.forEach.call(inputs, function (inp, i) { if (inp.value.trim()) last = i; });
        for (var i = 0; i <= last; i++) body.options.push(inputs[i].value.trim());
        if (body.options.length < 2) { qErr.set("options", "选择题至少要有 2 个选项"); bad = true; }
        else if (body.options.indexOf("") >= 0) { qErr.set("options", "选项要从 A 开始依次填写，中间不能空着"); bad = true; }
        body.answer = answer.value.toUpperCase().replace(t === "single" ? /[^A-H|]/g : /[^A-H]/g, "");
        if (!body.answer) { qErr.set("answer", "请填写正确选项的字母"); bad = true; }
      } else if (t === "judge") {
        body.answer = answerJudge.value === "true";
      } else if (t === "blank") {
        body.answer = answer.value.split(/[;；]/).map(function (s) { return s.trim(); }).filter(Boolean);
        if (!body.answer.length) { qErr.set("answer", "请填写每个空的答案"); bad = true; }
      } else {
        body.answer = answerText.value.trim();
      }
      if (bad) return;
      button.disabled = true;
      var req = editing
        ? api("PUT", "/api/v1/questions/" + encodeURIComponent(editing), body)
        : api("POST", "/api/v1/banks/" + encodeURIComponent(bankID) + "/questions", body);
      req.then(function (r) {
        button.disabled = false;
        if (r.ok) {
          show(ok, editing ? "已保存对试题 #" + editing + " 的修改，正在刷新…" : "已添加试题 #" + (r.data && r.data.id) + "，正在刷新…");
          setTimeout(function () { location.reload(); }, 500);
          return;
        }
        showFailure(general, r, qErr);
      });
    });

    // ---------- bank: edit and delete a question ----------

    var editing = "";
    var editNote = $("question-editing");
    var editCancel = $("question-edit-cancel");
    var addTitle = $("add-title");
    var stopEditing = function () {
      editing = "";
      qForm.reset();
      syncType();
      syncStemPreview();
      editNote.hidden = true;
      editCancel.hidden = true;
      addTitle.textContent = "添加试题";
      $("question-add").textContent = "添加试题";
    };
    editCancel.addEventListener("click", stopEditing);
    var answerForForm = function (q) {
      if (q.type === "blank" && Array.isArray(q.answer)) {
        return q.answer.map(function (b) { return Array.isArray(b) ? b.join("|") : b; }).join("；");
      }
      if (Array.isArray(q.answer)) return q.answer.join("|");
      return q.answer === undefined || q.answer === null ? "" : String(q.answer);
    };
    Array.prototype.forEach.call(root.querySelectorAll("button[data-edit]"), function (btn) {
      btn.addEventListener("click", function () {
        var q;
        try { q = JSON.parse(btn.getAttribute("data-question")); } catch (e) { return; }
        qErr.clear();
        editing = String(q.id);
        typeSel.value = q.type;
        syncType();
        $("q-stem").value = q.stem || "";
        $("q-score").value = q.score;
        $("q-difficulty").value = String(q.difficulty || 3);
        $("q-tags").value = (q.tags || []).join(",");
        $("q-analysis").value = q.analysis || "";
        var inputs = qForm.querySelectorAll("[data-option]");
        Array.prototype.forEach.call(inputs, function (inp, i) {
          inp.value = (q.options && q.options[i]) || "";
          if (inp.value) inp.closest(".opt-row").hidden = false;
        });
        syncMore();
        if (q.type === "judge") answerJudge.value = q.answer ? "true" : "false";
        else if (q.type === "short") answerText.value = answerForForm(q);
        else answer.value = answerForForm(q);
        syncStemPreview();
        addTitle.textContent = "修改试题 #" + editing;
        editNote.textContent = "正在修改试题 #" + editing + "。保存后新版本用于之后开始的考试，已开始的答卷不受影响。";
        editNote.hidden = false;
        editCancel.hidden = false;
        $("question-add").textContent = "保存修改";
        addTitle.scrollIntoView({ block: "start" });
        $("q-stem").focus();
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("button[data-delete]"), function (btn) {
      btn.addEventListener("click", function () {
        var id = btn.getAttribute("data-delete");
        var errBox = btn.parentNode.querySelector("[data-error]");
        show(errBox, "");
        if (!window.confirm("确定删除试题 #" + id + " 吗？删除后不能恢复，学员错题本中的这道题也会一并删除。")) return;
        btn.disabled = true;
        api("DELETE", "/api/v1/questions/" + encodeURIComponent(id)).then(function (r) {
          if (r.ok) { location.reload(); return; }
          btn.disabled = false;
          showFailure(errBox, r);
        });
      });
    });
  }

  // ---------- bank: import a file ----------

  var importInput = $("import-file-input");
  if (importInput && bankID) {
    var maxMB = Number(root.getAttribute("data-max-mb")) || 20;
    var importBox = $("import-box");
    var progressBox = importBox.querySelector(".upload-progress");
    var bar = progressBox.querySelector("progress");
    var pctText = progressBox.querySelector(".progress-text");
    var okBox = $("import-ok");
    var errBox = $("import-error");
    var busy = false;

    var setPct = function (p) {
      bar.value = p;
      bar.textContent = p + "%";
      pctText.textContent = p + "%";
    };
    var clearBox = function (b) { b.textContent = ""; b.hidden = true; };

    var showProblems = function (r) {
      clearBox(errBox);
      errBox.appendChild(el("span", "", r.message));
      if (r.rows && r.rows.length) {
        var wrap = el("div", "table-wrap import-problems");
        var table = el("table", "table");
        var thead = el("thead");
        var hr = el("tr");
        hr.appendChild(el("th", "", "位置"));
        hr.appendChild(el("th", "", "问题"));
        thead.appendChild(hr);
        table.appendChild(thead);
        var tbody = el("tbody");
        r.rows.forEach(function (row) {
          var tr = el("tr");
          // "at" is the importer's own wording of the place ("第 3 行", "文件").
          var where = row.at || (row.row ? "第 " + row.row + " 行" : "");
          tr.appendChild(el("td", "nowrap", where || "—"));
          tr.appendChild(el("td", "", row.message || ""));
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        wrap.appendChild(table);
        errBox.appendChild(wrap);
      } else if (r.fields) {
        var ul = el("ul", "import-problems");
        Object.keys(r.fields).forEach(function (k) { ul.appendChild(el("li", "", r.fields[k])); });
        errBox.appendChild(ul);
      }
      errBox.hidden = false;
    };

    var showResult = function (data) {
      clearBox(okBox);
      var n = (data && data.imported) || 0;
      okBox.appendChild(el("strong", "", "已导入 " + n + " 题"));
      var skipped = (data && data.skipped) || [];
      if (skipped.length) {
        okBox.appendChild(el("span", "", "，跳过 " + skipped.length + " 项："));
        var ul = el("ul");
        skipped.forEach(function (s) {
          var where = s.at || (s.row ? "第 " + s.row + " 行" : "");
          var text = s.reason || s.message || s.title || JSON.stringify(s);
          ul.appendChild(el("li", "", (where ? where + "：" : "") + text));
        });
        okBox.appendChild(ul);
      }
      var again = el("p", "");
      var a = el("a", "", "刷新试题列表");
      a.href = location.pathname;
      again.appendChild(a);
      okBox.appendChild(again);
      okBox.hidden = false;
    };

    var previewBox = $("import-preview");
    var importURL = "/api/v1/banks/" + encodeURIComponent(bankID) + "/import";
    var formatNames = { excel: "Excel 表格", csv: "CSV 表格", word: "Word 文档", text: "文本", moodle_xml: "Moodle XML", gift: "GIFT" };
    var typeOrder = ["single", "multiple", "judge", "blank", "short"];
    var typeLabels = { single: "单选", multiple: "多选", judge: "判断", blank: "填空", short: "简答" };
    var previewLimit = 50;

    var reset = function () {
      busy = false;
      importInput.disabled = false;
      importInput.value = "";
      progressBox.hidden = true;
    };

    // send uploads the file, as a preview (nothing saved) or for real.
    var chosenCols = ""; // ?columns= the admin chose in the preview
    var send = function (file, dryRun) {
      var form = new FormData();
      form.append("file", file);
      var query = [];
      if (dryRun) query.push("dry_run=1");
      if (chosenCols) query.push("columns=" + encodeURIComponent(chosenCols));
      busy = true;
      importInput.disabled = true;
      setPct(0);
      progressBox.hidden = false;
      show(okBox, (dryRun ? "正在读取：" : "正在导入：") + file.name);
      return College.upload("POST", importURL + (query.length ? "?" + query.join("&") : ""), form, {
        maxMB: maxMB,
        onProgress: setPct,
        onSent: function () { show(okBox, dryRun ? "上传完成，正在检查试题…" : "上传完成，正在保存试题…"); }
      }).then(function (r) {
        reset();
        if (r.ok) return r;
        clearBox(okBox);
        if (r.network) { show(errBox, "上传中断：网络连接失败，请重试"); return null; }
        if (r.status === 401) { showFailure(errBox, r); return null; }
        showProblems(r);
        return null;
      });
    };

    // columnsForm lets the admin say which column holds what, then reads
    // the file again with those columns.
    var columnRoles = ["题干", "题型", "选项", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案", "分值", "难度", "标签", "解析"];
    var columnsForm = function (file, p) {
      var box = el("details", "import-columns");
      box.open = !p.columns;
      box.appendChild(el("summary", "", "列的对应关系（识别不对时在这里修改）"));
      var grid = el("div", "import-columns-grid");
      var selects = {};
      columnRoles.forEach(function (role) {
        var id = "import-col-" + role;
        var label = el("label", "", role);
        label.htmlFor = id;
        var sel = el("select", "");
        sel.id = id;
        sel.appendChild(new Option("（无）", "0"));
        p.header.forEach(function (h, i) {
          sel.appendChild(new Option("第 " + (i + 1) + " 列" + (h ? "：" + h : ""), String(i + 1)));
        });
        sel.value = String((p.columns && p.columns[role]) || 0);
        selects[role] = sel;
        var cell = el("div", "import-column");
        cell.appendChild(label);
        cell.appendChild(sel);
        grid.appendChild(cell);
      });
      box.appendChild(grid);
      var apply = el("button", "btn", "按所选的列重新识别");
      apply.type = "button";
      apply.id = "import-columns-apply";
      apply.addEventListener("click", function () {
        chosenCols = columnRoles.filter(function (role) {
          return selects[role].value !== "0" || (p.columns && p.columns[role]);
        }).map(function (role) { return role + "=" + selects[role].value; }).join(",");
        clearBox(errBox);
        send(file, true).then(function (r) { if (r) showPreview(file, r.data); });
      });
      box.appendChild(apply);
      return box;
    };

    var showPreview = function (file, p) {
      clearBox(okBox);
      previewBox.textContent = "";
      var counts = typeOrder.filter(function (t) { return p.counts && p.counts[t]; })
        .map(function (t) { return typeLabels[t] + " " + p.counts[t]; });
      var total = (p.questions || []).length;
      var head = el("p", "import-summary", "识别为 " + (formatNames[p.format] || p.format) + "，" +
        (p.problems.length ? "可导入的 " : "共 ") + total + " 题" + (counts.length ? "（" + counts.join("，") + "）" : ""));
      previewBox.appendChild(head);
      if (p.layout) previewBox.appendChild(el("p", "hint", "列的识别：" + p.layout));
      if (p.skipped && p.skipped.length) previewBox.appendChild(el("p", "hint", "将跳过 " + p.skipped.length + " 项不支持的题型"));
      if (p.problems.length) {
        showProblems({ message: "文件中有 " + p.problems.length + " 处问题，改正后重新选择文件；有问题时整个文件都不会导入。", rows: p.problems });
      }
      if (p.warnings && p.warnings.length) {
        var warn = el("div", "alert alert-warn import-warnings");
        warn.appendChild(el("p", "", "导入时将作以下调整（不影响导入，请确认）："));
        var wl = el("ul", "");
        p.warnings.slice(0, previewLimit).forEach(function (w) { wl.appendChild(el("li", "", w.at + "：" + w.message)); });
        warn.appendChild(wl);
        previewBox.appendChild(warn);
      }
      if (p.header && p.header.length) previewBox.appendChild(columnsForm(file, p));
      var list = el("ol", "import-questions");
      (p.questions || []).slice(0, previewLimit).forEach(function (q) {
        var li = el("li", "import-question");
        li.appendChild(el("span", "badge", q.type_name || typeLabels[q.type] || q.type));
        li.appendChild(College.richText(el("span", "import-stem"), " " + q.stem, p.media));
        if (q.options && q.options.length) {
          var ol = el("ol", "import-options");
          q.options.forEach(function (o) { ol.appendChild(College.richText(el("li", ""), o, p.media)); });
          li.appendChild(ol);
        }
        li.appendChild(el("p", "import-key", "答案：" + (q.key_text || "（由老师评阅）")));
        list.appendChild(li);
      });
      previewBox.appendChild(list);
      if (total > previewLimit) previewBox.appendChild(el("p", "hint", "仅显示前 " + previewLimit + " 题"));
      var actions = el("div", "form-actions");
      if (!p.problems.length && total) {
        var ok = el("button", "btn btn-primary", "确认导入 " + total + " 题");
        ok.type = "button";
        ok.id = "import-confirm";
        ok.addEventListener("click", function () {
          ok.disabled = true;
          send(file, false).then(function (r) {
            if (!r) { ok.disabled = false; return; }
            previewBox.hidden = true;
            showResult(r.data);
          });
        });
        actions.appendChild(ok);
      }
      var again = el("button", "btn", "重新选择文件");
      again.type = "button";
      again.addEventListener("click", function () {
        previewBox.hidden = true;
        clearBox(errBox);
        importInput.click();
      });
      actions.appendChild(again);
      previewBox.appendChild(actions);
      previewBox.hidden = false;
    };

    importInput.addEventListener("change", function () {
      var file = importInput.files && importInput.files[0];
      if (!file || busy) return;
      clearBox(okBox);
      clearBox(errBox);
      previewBox.hidden = true;
      if (!/\.(xlsx|csv|docx|xml|gift|txt)$/i.test(file.name)) {
        show(errBox, "只支持 .xlsx、.csv、.docx、.xml、.gift 和 .txt 文件（旧版 .xls、.doc 请另存为 .xlsx、.docx）");
        importInput.value = "";
        return;
      }
      if (file.size > maxMB * 1048576) {
        show(errBox, "文件过大，不能超过 " + maxMB + " MB");
        importInput.value = "";
        return;
      }
      chosenCols = "";
      send(file, true).then(function (r) {
        if (r) showPreview(file, r.data);
      });
    });
  }

  // ---------- exam builder ----------

  var examForm = $("exam-form");
  if (examForm) {
    var eErr = fieldErrors(examForm);
    var rulesBox = $("rules");
    var tpl = $("rule-template");
    var seq = 0;
    var modeOf = function () {
      var m = examForm.querySelector('input[name="mode"]:checked');
      return m ? m.value : "random";
    };

    var numberRules = function () {
      var rows = rulesBox.querySelectorAll("[data-rule]");
      Array.prototype.forEach.call(rows, function (row, i) {
        row.querySelector("[data-rule-title]").textContent = "规则 " + (i + 1);
        row.querySelector("[data-rule-remove]").hidden = rows.length === 1;
      });
      updateSum();
    };

    var addRule = function () {
      var node = tpl.content.firstElementChild.cloneNode(true);
      seq++;
      Array.prototype.forEach.call(node.querySelectorAll(".field"), function (f) {
        var ctl = f.querySelector("[data-k]");
        var lab = f.querySelector("label");
        if (ctl && lab) {
          ctl.id = "rule-" + seq + "-" + ctl.getAttribute("data-k");
          lab.htmlFor = ctl.id;
        }
      });
      node.querySelector("[data-rule-remove]").addEventListener("click", function () {
        node.remove();
        numberRules();
      });
      rulesBox.appendChild(node);
      numberRules();
    };

    var readRules = function () {
      return Array.prototype.map.call(rulesBox.querySelectorAll("[data-rule]"), function (row) {
        var v = function (k) { return row.querySelector('[data-k="' + k + '"]').value; };
        return {
          bank_id: Number(v("bank_id")),
          type: v("type"),
          count: Number(v("count")),
          score: Number(v("score")),
          tags: splitList(v("tags")),
          difficulty: Number(v("difficulty"))
        };
      });
    };

    var fixedIDs = function () {
      return splitList($("fixed-ids").value).map(Number).filter(function (n) { return n > 0 && Number.isInteger(n); });
    };

    var pickedScore = {}; // question id -> score, for the running total
    var updateSum = function () {
      var sum = $("paper-sum");
      if (modeOf() === "random") {
        var total = 0;
        var count = 0;
        readRules().forEach(function (r) {
          if (r.count > 0 && r.score > 0) { total += r.count * r.score; count += r.count; }
        });
        sum.textContent = count ? "共 " + count + " 题，总分 " + Math.round(total * 100) / 100 + " 分" : "";
      } else {
        var ids = fixedIDs();
        var known = 0;
        var t = 0;
        ids.forEach(function (id) { if (pickedScore[id] !== undefined) { known++; t += pickedScore[id]; } });
        sum.textContent = ids.length ? "共 " + ids.length + " 题" + (known === ids.length ? "，总分 " + Math.round(t * 100) / 100 + " 分" : "") : "";
      }
    };

    var syncMode = function () {
      var m = modeOf();
      $("paper-random").hidden = m !== "random";
      $("paper-fixed").hidden = m !== "fixed";
      updateSum();
    };
    Array.prototype.forEach.call(examForm.querySelectorAll('input[name="mode"]'), function (r) {
      r.addEventListener("change", syncMode);
    });
    $("rule-add").addEventListener("click", addRule);
    rulesBox.addEventListener("input", updateSum);
    rulesBox.addEventListener("change", updateSum);
    $("fixed-ids").addEventListener("input", function () {
      var ids = fixedIDs();
      Array.prototype.forEach.call($("fixed-list").querySelectorAll("input[type=checkbox]"), function (cb) {
        cb.checked = ids.indexOf(Number(cb.value)) >= 0;
      });
      updateSum();
    });
    if (tpl.content.querySelector("option")) addRule();
    else $("rule-add").disabled = true;
    syncMode();

    // Fixed paper: tick questions of a bank.
    var fixedBank = $("fixed-bank");
    fixedBank.addEventListener("change", function () {
      var list = $("fixed-list");
      var errBox = $("fixed-error");
      show(errBox, "");
      list.textContent = "";
      list.hidden = true;
      if (!fixedBank.value) return;
      list.appendChild(el("p", "muted", "正在读取试题…"));
      list.hidden = false;
      api("GET", "/api/v1/banks/" + encodeURIComponent(fixedBank.value) + "/questions?page_size=200").then(function (r) {
        list.textContent = "";
        if (!r.ok) { list.hidden = true; showFailure(errBox, r); return; }
        var items = (r.data && r.data.items) || [];
        if (!items.length) { list.appendChild(el("p", "muted", "该题库还没有试题。")); return; }
        var ids = fixedIDs();
        items.forEach(function (q) {
          pickedScore[q.id] = q.score;
          var lab = el("label", "check");
          var cb = document.createElement("input");
          cb.type = "checkbox";
          cb.value = q.id;
          cb.checked = ids.indexOf(q.id) >= 0;
          cb.addEventListener("change", function () {
            var cur = fixedIDs().filter(function (x) { return x !== q.id; });
            if (cb.checked) cur.push(q.id);
            $("fixed-ids").value = cur.join(",");
            updateSum();
          });
          var text = el("span", "");
          College.richText(text, q.stem);
          text.appendChild(el("span", "pick-meta", "#" + q.id + " · " + (typeNames[q.type] || q.type) + "题 · " + q.score + " 分 · 难度 " + q.difficulty + (q.tags && q.tags.length ? " · " + q.tags.join("、") : "")));
          lab.appendChild(cb);
          lab.appendChild(text);
          list.appendChild(lab);
        });
        if (r.data.total > items.length) list.appendChild(el("p", "hint", "仅列出前 " + items.length + " 题，其余试题请直接填写编号。"));
        updateSum();
      });
    });

    // datetime-local values are Beijing time: send RFC 3339 with +08:00.
    var beijing = function (v) {
      if (!v) return null;
      if (v.length === 16) v += ":00";
      return v + "+08:00";
    };

    var showAvailable = function (avail) {
      var rows = rulesBox.querySelectorAll("[data-rule]");
      Array.prototype.forEach.call(rows, function (row, i) {
        var p = row.querySelector("[data-rule-avail]");
        if (avail && avail[i] !== undefined) {
          p.textContent = "可抽取 " + avail[i] + " 道";
          p.className = "rule-avail is-ok";
          p.hidden = false;
        } else {
          p.hidden = true;
        }
      });
    };

    var created = null;
    examForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var button = $("exam-create");
      var general = $("exam-error");
      eErr.clear();
      show(general, "");
      showAvailable(null);
      var mode = modeOf();
      var body = {
        title: $("exam-title").value.trim(),
        duration_minutes: Number($("exam-duration").value),
        pass_score: Number($("exam-pass").value),
        max_attempts: Number($("exam-attempts").value) || 1,
        opens_at: beijing($("exam-opens").value),
        closes_at: beijing($("exam-closes").value),
        shuffle: $("exam-shuffle").checked,
        partial_multiple: $("exam-partial").checked,
        release: $("exam-release").value,
        leave_limit: Number($("exam-leave").value) || 0,
        course_id: Number(($("exam-course") || {}).value) || 0,
        class_id: Number(($("exam-class") || {}).value) || 0,
        annual: !!($("exam-annual") && $("exam-annual").checked),
        fullscreen: !!($("exam-fullscreen") && $("exam-fullscreen").checked),
        audience_levels: Array.prototype.map.call(document.querySelectorAll('input[name="audience_levels"]:checked'), function (x) { return x.value; }),
        paper: { mode: mode }
      };
      var bad = false;
      if (!body.title) { eErr.set("title", "请填写考试名称"); bad = true; }
      if (!body.opens_at) { eErr.set("opens_at", "请选择开始时间"); bad = true; }
      if (!body.closes_at) { eErr.set("closes_at", "请选择结束时间"); bad = true; }
      else if (body.opens_at && body.closes_at <= body.opens_at) { eErr.set("closes_at", "结束时间应晚于开始时间"); bad = true; }
      if (mode === "random") {
        body.paper.rules = readRules();
        if (!body.paper.rules.length) { eErr.set("paper.rules", "请至少添加一条抽题规则"); bad = true; }
      } else {
        body.paper.question_ids = fixedIDs();
        if (!body.paper.question_ids.length) { eErr.set("paper.question_ids", "请勾选或填写试题编号"); bad = true; }
      }
      if (bad) {
        show(general, "提交的内容有误，请检查标出的项目。");
        return;
      }
      button.disabled = true;
      api("POST", "/api/v1/exams", body).then(function (r) {
        if (r.ok) {
          created = r.data;
          var box = $("exam-created-body");
          box.textContent = "";
          box.appendChild(el("p", "", "“" + created.title + "”已保存为草稿，总分 " + created.total_score + " 分。发布后学员才能看到并参加。"));
          if (created.available && created.available.length) {
            var ul = el("ul");
            created.available.forEach(function (n, i) {
              var rule = body.paper.rules[i];
              ul.appendChild(el("li", "", "规则 " + (i + 1) + "（" + (typeNames[rule.type] || rule.type) + "题 " + rule.count + " 道）：题库中可抽取 " + n + " 道"));
            });
            box.appendChild(ul);
            showAvailable(created.available);
          }
          examForm.querySelectorAll("input, select, textarea, button").forEach(function (c) { c.disabled = true; });
          $("exam-created").hidden = false;
          $("exam-created").scrollIntoView({ behavior: "smooth", block: "start" });
          return;
        }
        button.disabled = false;
        var placed = eErr.place(r.fields);
        if (r.fields) {
          // Rule errors come as paper.rules[i]: show them on the rules list.
          var ruleMsgs = Object.keys(r.fields).filter(function (k) { return /^paper\.rules\[\d+\]$/.test(k); }).map(function (k) {
            return "规则 " + (Number(k.replace(/\D+/g, "")) + 1) + "：" + r.fields[k];
          });
          if (ruleMsgs.length) { eErr.set("paper.rules", ruleMsgs.join("；")); placed = true; }
        }
        if (r.code === "rule_unfillable") show(general, r.message);
        else if (!placed) showFailure(general, r);
        else show(general, "提交的内容有误，请检查标出的项目。");
      });
    });

    $("exam-publish").addEventListener("click", function () {
      if (!created) return;
      var btn = $("exam-publish");
      var errBox = $("publish-error");
      show(errBox, "");
      btn.disabled = true;
      api("POST", "/api/v1/exams/" + encodeURIComponent(created.id) + "/publish").then(function (r) {
        if (r.ok) { location.href = "/admin/exams"; return; }
        btn.disabled = false;
        showFailure(errBox, r);
      });
    });
  }

  // ---------- review queue ----------

  var reviewList = $("review-list");
  if (reviewList) {
    reviewList.addEventListener("click", function (e) {
      var btn = e.target.closest("button[data-review-save]");
      if (!btn || btn.disabled) return;
      var li = btn.closest("[data-review]");
      var input = li.querySelector("input[type=number]");
      var errBox = li.querySelector("[data-error]");
      show(errBox, "");
      var raw = input.value.trim();
      var max = Number(input.getAttribute("data-max"));
      var n = Number(raw);
      if (raw === "" || !(n >= 0 && n <= max)) {
        show(errBox, "请填写 0 到 " + max + " 之间的分数");
        input.focus();
        return;
      }
      var scores = {};
      scores[li.getAttribute("data-question")] = n;
      btn.disabled = true;
      api("PUT", "/api/v1/attempts/" + encodeURIComponent(li.getAttribute("data-attempt")) + "/review", { scores: scores }).then(function (r) {
        if (r.ok || r.code === "not_pending") {
          li.remove();
          var left = reviewList.querySelectorAll("[data-review]").length;
          var c = $("review-count");
          if (c) c.textContent = left;
          if (!left) $("review-done").hidden = false;
          return;
        }
        btn.disabled = false;
        var msg = r.fields ? Object.keys(r.fields).map(function (k) { return r.fields[k]; }).join("；") : "";
        if (msg) show(errBox, msg);
        else showFailure(errBox, r);
      });
    });
    reviewList.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.target.type !== "number") return;
      e.preventDefault();
      var btn = e.target.closest("[data-review]").querySelector("button[data-review-save]");
      if (btn) btn.click();
    });
  }

  // ---------- release results ----------

  var releaseBtn = $("exam-release");
  if (releaseBtn) {
    releaseBtn.addEventListener("click", function () {
      var errBox = $("release-error");
      show(errBox, "");
      var confirmText = releaseBtn.getAttribute("data-confirm");
      if (confirmText && !window.confirm(confirmText)) return;
      releaseBtn.disabled = true;
      api("POST", "/api/v1/exams/" + encodeURIComponent(releaseBtn.getAttribute("data-exam")) + "/release").then(function (r) {
        if (r.ok) { location.reload(); return; }
        releaseBtn.disabled = false;
        showFailure(errBox, r);
      });
    });
  }
})();
