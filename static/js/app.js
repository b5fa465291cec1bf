/* Progressive enhancement only: every page works without this file.
   - registers the service worker that keeps open days readable offline;
   - shows when the phone is offline;
   - keeps quiz answers given offline on the phone and sends them when back online,
     with the same one-time token, so nothing is lost or counted twice. */
(function () {
  "use strict";
  var QUEUE = "lms-quiz-queue";
  var banner = document.getElementById("offline-banner");
  var pending = document.getElementById("pending-banner");

  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function save(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); showPending(); }
  function showPending() { if (pending) { pending.hidden = queue().length === 0; } }
  function showOnline() { if (banner) { banner.hidden = navigator.onLine; } }

  function send() {
    var items = queue();
    if (!items.length || !navigator.onLine) { return; }
    var item = items[0];
    var drop = function () { save(queue().filter(function (other) { return other.token !== item.token; })); };
    /* The session may have changed since the answers were given: take a fresh CSRF token
       from the quiz page; if it is not the quiz page (signed out), keep the answers. */
    fetch(item.action, { credentials: "same-origin" })
      .then(function (page) { return page.url.split("?")[0] === item.action.split("?")[0] ? page.text() : null; })
      .then(function (html) {
        var match = html && html.match(/name="csrf_token" value="([^"]+)"/);
        if (!match) { return null; }
        var body = new URLSearchParams();
        item.fields.forEach(function (pair) { body.append(pair[0], pair[0] === "csrf_token" ? match[1] : pair[1]); });
        return fetch(item.action, { method: "POST", body: body, credentials: "same-origin", redirect: "follow" });
      })
      .then(function (response) {
        if (!response) { return; }
        drop();  /* answered: recorded, or refused for good (no attempts left, quiz changed) */
        if (pending) {
          var ok = response.ok && response.url.indexOf("/attempts/") > -1;
          pending.hidden = false;
          pending.textContent = pending.getAttribute(ok ? "data-sent" : "data-failed");
          if (ok) {
            var link = document.createElement("a");
            link.href = response.url;
            link.textContent = " " + pending.getAttribute("data-results");
            pending.appendChild(link);
          }
        }
        send();
      })
      .catch(function () { /* still offline: try again later */ });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.quiz") || navigator.onLine) { return; }
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, key) { fields.push([key, value]); });
    var token = form.querySelector("input[name=attempt]").value;
    var items = queue().filter(function (item) { return item.token !== token; });
    items.push({ action: form.action || location.href, token: token, fields: fields });
    save(items);
    form.hidden = true;
  });

  window.addEventListener("online", function () { showOnline(); send(); });
  window.addEventListener("offline", showOnline);
  showOnline();
  showPending();
  send();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      var links = Array.prototype.map.call(document.querySelectorAll("a[data-offline]"), function (a) { return a.href; });
      if (links.length && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ cache: links });
      } else if (links.length) {
        navigator.serviceWorker.ready.then(function (reg) { reg.active.postMessage({ cache: links }); });
      }
    });
    var manifest = document.createElement("link");  /* after load: not on the critical path */
    manifest.rel = "manifest";
    manifest.href = "/static/manifest.webmanifest";
    document.head.appendChild(manifest);
  }
})();
