// The web app's one script (no inline script anywhere; CSP: script-src 'self').
// Each feature starts only when its page has the element it works on.
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  window.essayApp = { csrf: csrf };

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

  // Any form: a second click while it is being sent does nothing (one upload, one batch).
  function onceForms() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sent === "1") { event.preventDefault(); return; }
        form.dataset.sent = "1";
        form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      });
    });
  }

  var features = [invitation, onceForms];
  window.essayApp.register = function (fn) { features.push(fn); };
  document.addEventListener("DOMContentLoaded", function () {
    features.forEach(function (fn) { fn(); });
  });
})();
