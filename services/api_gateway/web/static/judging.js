// Page 7: judging. Choose with the buttons or the ← / → keys; P pauses. A choice is sent
// together with the request for the next pair (one round trip: POST .../judge/choice answers
// with the next pair), the next pair is drawn at once, and a choice already sent is never sent
// again (double keypresses judge once). Timings for docs/benchmarks.md: performance marks
// "choice" and "pair-shown" and the measure "choice-to-pair".
(function () {
  "use strict";

  function start() {
    var root = document.getElementById("judging");
    if (!root) return;
    var batch = root.dataset.batch;
    var assessment = root.dataset.assessment;
    var done = parseInt(root.dataset.done, 10) || 0;
    var mine = parseInt(root.dataset.mine, 10) || 0;
    var target = parseInt(root.dataset.target, 10) || 1;
    var pairBox = document.getElementById("judging-pair");
    var textA = document.getElementById("essay-a");
    var textB = document.getElementById("essay-b");
    var status = document.getElementById("judging-status");
    var count = document.getElementById("judging-count");
    var bar = document.getElementById("judging-progress");
    var pauseButton = document.getElementById("judging-pause");
    var pausedNote = document.getElementById("judging-paused");
    var current = null; // {pair_id, a, b}
    var busy = false;
    var paused = false;
    var timer = null;

    function csrf() {
      var meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.getAttribute("content") : "";
    }
    function say(text) { status.textContent = text || ""; }
    function showProgress() {
      count.textContent = root.dataset.msgProgress
        .replace("{done}", done).replace("{target}", target).replace("{mine}", mine);
      bar.value = Math.min(done, target);
      root.dataset.done = String(done);
      root.dataset.mine = String(mine);
    }

    function show(next) {
      clearTimeout(timer);
      if (next.state === "pair") {
        current = next;
        textA.textContent = next.a;
        textB.textContent = next.b;
        textA.scrollTop = 0; textB.scrollTop = 0;
        pairBox.hidden = paused;
        pairBox.dataset.pair = next.pair_id;
        performance.mark("pair-shown");
        try { performance.measure("choice-to-pair", "choice", "pair-shown"); } catch (e) { /* first pair */ }
        return;
      }
      current = null;
      pairBox.hidden = true;
      pairBox.dataset.pair = "";
      if (next.state === "done") { say(root.dataset.msgDone); return; }
      if (next.state === "wait" || next.state === "preparing") {
        say(next.state === "wait" ? root.dataset.msgWaiting : root.dataset.msgPreparing);
        timer = setTimeout(load, (next.retry_after || 2) * 1000);
        return;
      }
      say(root.dataset.msgFailed);
    }

    function load() {
      if (paused) return;
      fetch("/batches/" + encodeURIComponent(batch) + "/judge/pair?assessment=" + encodeURIComponent(assessment),
        { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { state: "error" }; })
        .then(show)
        .catch(function () { show({ state: "error" }); });
    }

    function choose(winner) {
      if (busy || paused || !current) return;
      busy = true;
      var pair = current;
      performance.clearMarks("choice");
      performance.clearMarks("pair-shown");
      performance.mark("choice");
      pairBox.classList.add("busy");
      pairBox.setAttribute("aria-busy", "true");
      fetch("/batches/" + encodeURIComponent(batch) + "/judge/choice", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
        body: JSON.stringify({ assessment_id: assessment, pair_id: pair.pair_id, winner: winner })
      })
        .then(function (r) { return r.ok ? r.json() : { recorded: false }; })
        .then(function (answer) {
          if (!answer.recorded) { say(root.dataset.msgFailed); return; }
          if (answer.created) { done += 1; mine += 1; showProgress(); }
          say(root.dataset.msgSaved);
          show(answer.next);
        })
        .catch(function () { say(root.dataset.msgFailed); })
        .then(function () {
          busy = false;
          pairBox.classList.remove("busy");
          pairBox.removeAttribute("aria-busy");
        });
    }

    function setPaused(value) {
      paused = value;
      pauseButton.setAttribute("aria-pressed", value ? "true" : "false");
      pauseButton.textContent = value ? root.dataset.msgResume : root.dataset.msgPause;
      pausedNote.hidden = !value;
      if (value) { pairBox.hidden = true; clearTimeout(timer); }
      else if (current) { pairBox.hidden = false; } else { load(); }
    }

    document.getElementById("choose-a").addEventListener("click", function () { choose("a"); });
    document.getElementById("choose-b").addEventListener("click", function () { choose("b"); });
    pauseButton.addEventListener("click", function () { setPaused(!paused); });
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (event.key === "ArrowLeft") { event.preventDefault(); choose("a"); }
      else if (event.key === "ArrowRight") { event.preventDefault(); choose("b"); }
      else if (event.key === "p" || event.key === "P") { setPaused(!paused); }
    });
    showProgress();
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
