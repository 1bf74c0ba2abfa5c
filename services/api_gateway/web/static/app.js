// The web app's one script (no inline script anywhere; CSP: script-src 'self').
// Each feature starts only when its page has the element it works on; every page works
// without it except the upload page's drag and drop.
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function format(message, values) {
    return message.replace(/\{(\w+)\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ""; });
  }

  // Page 1: /judge#invitation=<token> -> the form, submitted once.
  function invitation() {
    var form = document.getElementById("invitation-form");
    if (!form) return;
    var match = /(?:^#|&)invitation=([^&]+)/.exec(window.location.hash);
    if (!match) return;
    var field = form.querySelector('input[name="token"]');
    if (field.value) return; // a refused token is shown again: do not loop
    field.value = decodeURIComponent(match[1]);
    history.replaceState(null, "", window.location.pathname);
    form.submit();
  }

  // Any form: a second click while it is being sent does nothing (one batch, one start).
  function onceForms() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.dataset.ownSubmit) return; // a feature below sends it itself
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent === "1") { event.preventDefault(); return; }
        form.dataset.sent = "1";
      });
    });
  }

  // Page 4: many files at once, each with its progress and outcome; remove, replace; Start
  // following 409 files_processing with its Retry-After.
  function uploader() {
    var root = document.getElementById("uploader");
    if (!root) return;
    var batch = root.dataset.batch;
    var msg = function (k) { return root.dataset["msg" + k]; };
    var list = document.getElementById("file-list");
    var status = document.getElementById("upload-status");
    var input = document.getElementById("files");
    var drop = document.getElementById("drop");
    var pending = 0; // uploads not yet answered

    function outcome(li, file) {
      var out = li.querySelector(".outcome");
      out.textContent = "";
      li.dataset.status = file.status;
      if (file.file_id) li.dataset.file = file.file_id;
      if (file.status === "ready") out.appendChild(el("span", { "class": "status ok" }, msg("Accepted")));
      else if (file.status === "rejected") {
        out.appendChild(el("span", { "class": "status bad" }, msg("Rejected")));
        out.appendChild(document.createTextNode(" " + (file.error_message || file.error_code || "")));
      } else if (file.status === "processing") out.appendChild(el("span", { "class": "status busy" }, msg("Processing")));
      else {
        // refused before it was stored (the whole request was refused): its reason, no actions
        out.appendChild(el("span", { "class": "status bad" }, msg("Rejected")));
        out.appendChild(document.createTextNode(" " + (file.error_message || file.error_code || "")));
        delete li.dataset.file;
      }
      actions(li);
      if (file.status === "processing") watch(li);
    }

    function actions(li) {
      var box = li.querySelector(".actions");
      box.textContent = "";
      if (!li.dataset.file || !drop) return;
      var name = li.querySelector(".name").textContent;
      var remove = el("button", { type: "button", "class": "danger" }, msg("Remove"));
      remove.addEventListener("click", function () {
        remove.disabled = true;
        send("DELETE", "/v1/files/" + li.dataset.file, null, null).then(function (x) {
          if (x.status === 204 || x.status === 404) { li.remove(); status.textContent = msg("Removed") + ": " + name; }
          else remove.disabled = false;
        });
      });
      var label = el("label", { "class": "button", "for": "r-" + li.dataset.file }, msg("Replace"));
      var picker = el("input", { type: "file", id: "r-" + li.dataset.file, "class": "visually-hidden",
        "aria-label": format(msg("ReplaceLabel"), { name: name }) });
      picker.addEventListener("change", function () {
        if (!picker.files.length) return;
        var file = picker.files[0];
        li.querySelector(".name").textContent = file.name;
        upload(li, file, "PUT", "/v1/files/" + li.dataset.file);
      });
      box.appendChild(remove);
      box.appendChild(label);
      box.appendChild(picker);
    }

    function send(method, url, body, onprogress) {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open(method, url);
        xhr.setRequestHeader("X-CSRF-Token", csrf());
        xhr.setRequestHeader("Accept", "application/json");
        if (onprogress && xhr.upload) xhr.upload.onprogress = onprogress;
        xhr.onload = function () {
          var data = null;
          try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
          resolve({ status: xhr.status, data: data, retryAfter: xhr.getResponseHeader("Retry-After") });
        };
        xhr.onerror = function () { resolve({ status: 0, data: null }); };
        xhr.send(body);
      });
    }

    function upload(li, file, method, url) {
      var bar = el("progress", { max: "100", value: "0", "aria-label": file.name });
      var out = li.querySelector(".outcome");
      out.textContent = "";
      out.appendChild(bar);
      li.querySelector(".actions").textContent = "";
      var form = new FormData();
      form.append("file", file, file.name);
      pending += 1;
      send(method, url, form, function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      }).then(function (x) {
        pending -= 1;
        if (x.status === 202 && x.data) {
          var f = x.data.files ? x.data.files[0] : x.data;
          outcome(li, f);
          // an archive gives several files: one row each
          (x.data.files || []).slice(1).forEach(function (g) { outcome(row(g.filename), g); });
        } else {
          out.textContent = "";
          out.appendChild(el("span", { "class": "status bad" }, msg("Failed")));
          out.appendChild(document.createTextNode(" " + ((x.data && (x.data.detail || x.data.title)) || "")));
        }
      });
    }

    function row(name) {
      var li = el("li");
      li.appendChild(el("span", { "class": "name" }, name));
      li.appendChild(el("span", { "class": "outcome" }));
      li.appendChild(el("span", { "class": "actions" }));
      list.appendChild(li);
      return li;
    }

    function watch(li) {
      if (li.dataset.watching) return;
      li.dataset.watching = "1";
      var tries = 0;
      (function poll() {
        setTimeout(function () {
          tries += 1;
          send("GET", "/v1/files/" + li.dataset.file, null, null).then(function (x) {
            if (x.status === 200 && x.data && x.data.status !== "processing") {
              delete li.dataset.watching;
              outcome(li, x.data);
            } else if (tries < 300) poll();
          });
        }, Math.min(500 * tries, 3000));
      })();
    }

    // Dropped files go up together, up to GROUP files a request: file_service then records a
    // file it refuses (the broken one) as rejected in the batch, rather than refusing a
    // request that holds only that file. Each file's bar follows the bytes sent of its part.
    var GROUP = 50;
    function add(files) {
      var all = Array.prototype.slice.call(files);
      for (var i = 0; i < all.length; i += GROUP) group(all.slice(i, i + GROUP));
      if (input) input.value = "";
    }

    function group(files) {
      var rows = files.map(function (file) {
        var li = row(file.name);
        var bar = el("progress", { max: "100", value: "0", "aria-label": file.name });
        li.querySelector(".outcome").appendChild(bar);
        return { li: li, file: file, bar: bar, done: false };
      });
      var form = new FormData();
      files.forEach(function (file) { form.append("file", file, file.name); });
      var total = files.reduce(function (n, f) { return n + f.size; }, 0) || 1;
      pending += 1;
      send("POST", "/v1/batches/" + encodeURIComponent(batch) + "/files", form, function (e) {
        if (!e.lengthComputable) return;
        var sent = e.loaded * (total / e.total), before = 0; // the parts' bytes, in order
        rows.forEach(function (r) {
          var share = r.file.size || 1;
          r.bar.value = Math.max(0, Math.min(100, Math.round(((sent - before) / share) * 100)));
          before += r.file.size;
        });
      }).then(function (x) {
        pending -= 1;
        var answered = (x.data && x.data.files) || [];
        answered.forEach(function (f) {
          var match = rows.filter(function (r) { return !r.done && r.file.name === f.filename; })[0];
          if (match) { match.done = true; outcome(match.li, f); }
          else outcome(row(f.filename), f); // an archive's files: a row each
        });
        rows.forEach(function (r) {
          if (r.done) return;
          var out = r.li.querySelector(".outcome");
          out.textContent = "";
          out.appendChild(el("span", { "class": "status bad" }, msg("Failed")));
          out.appendChild(document.createTextNode(" " + ((x.data && (x.data.detail || x.data.title)) || "")));
        });
      });
    }

    list.querySelectorAll("li").forEach(function (li) {
      actions(li);
      if (li.dataset.status === "processing") watch(li);
    });
    if (input) input.addEventListener("change", function () { add(input.files); });
    if (drop) {
      ["dragenter", "dragover"].forEach(function (t) {
        drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (t) {
        drop.addEventListener(t, function () { drop.classList.remove("over"); });
      });
      drop.addEventListener("drop", function (e) { e.preventDefault(); add(e.dataTransfer.files); });
    }

    var start = document.getElementById("start-form");
    if (start) {
      start.addEventListener("submit", function (e) {
        e.preventDefault();
        if (start.dataset.sent === "1") return;
        start.dataset.sent = "1";
        var button = document.getElementById("start");
        button.disabled = true;
        (function attempt() {
          if (pending > 0) { setTimeout(attempt, 500); return; }
          send("POST", "/v1/batches/" + encodeURIComponent(batch) + "/pipeline", null, null).then(function (x) {
            if (x.status === 202) { window.location.assign("/batches/" + encodeURIComponent(batch) + "/progress"); return; }
            var code = x.data && x.data.code;
            if (x.status === 409 && code === "files_processing") {
              status.textContent = format(msg("Waiting"), { n: x.data.files_processing || "" });
              setTimeout(attempt, Math.max(1, parseInt(x.retryAfter || "2", 10)) * 1000);
              return;
            }
            status.textContent = (x.data && (x.data.detail || x.data.title)) || msg("Failed");
            start.dataset.sent = "";
            button.disabled = false;
          });
        })();
      });
    }
  }

  // Page 5: the live panel, fetched again every few seconds until the batch is finished.
  function progress() {
    var box = document.getElementById("progress");
    if (!box) return;
    function finished() {
      var panel = box.querySelector(".panel");
      return panel && panel.dataset.finished === "true";
    }
    function tick() {
      if (finished()) return;
      fetch(box.dataset.panel, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var panel = doc.querySelector(".panel");
            if (panel) box.replaceChildren(document.importNode(panel, true));
          }
          setTimeout(tick, 2000);
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    setTimeout(tick, 2000);
  }

  // Page 6: sortable table (buttons in the headers; aria-sort says the order).
  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      heads.forEach(function (th, index) {
        var button = th.querySelector("button.sort");
        if (!button) return;
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = th.dataset.type === "number";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
            if (x === "" && y !== "") return 1;
            if (y === "" && x !== "") return -1;
            var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
            return ascending ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  var features = [invitation, onceForms, uploader, progress, sortable];
  window.essayApp = { csrf: csrf, register: function (fn) { features.push(fn); } };
  document.addEventListener("DOMContentLoaded", function () {
    features.forEach(function (fn) { fn(); });
  });
})();
