/* Progressive enhancement only: every page works without this file.
   - registers the service worker that keeps open days readable offline;
   - shows when the phone is offline;
   - keeps quiz answers given offline on the phone and sends them when back online,
     with the same one-time token, so nothing is lost or counted twice; when they were sent
     from the quiz page itself, it turns into the recorded result;
   - tells the service worker which open pages to keep (with their keys: it fetches only
     the changed ones) and the page's language (for its offline page). */
(function () {
  "use strict";
  var script = document.currentScript;
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
        var ok = response.ok && response.url.indexOf("/attempts/") > -1;
        if (ok && location.pathname === new URL(item.action, location.href).pathname) {
          location.replace(response.url);  /* this quiz page becomes its result: score, attempts left */
          return;
        }
        if (pending) {
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

  /* The offline page (served by the service worker for a page not saved): back to the
     course of the page asked for, or to the previous page. */
  var home = document.getElementById("offline-home");
  var cohort = location.pathname.match(/^\/cohorts\/\d+\//);
  if (home && cohort) { home.href = cohort[0]; }
  var back = document.getElementById("offline-back");
  if (back && history.length > 1) {
    back.hidden = false;
    back.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      var message = {
        pages: Array.prototype.map.call(document.querySelectorAll("a[data-offline]"), function (a) {
          return [a.href, a.getAttribute("data-offline")];
        }),
        language: document.documentElement.lang
      };
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage(message);
      } else if (message.pages.length) {
        navigator.serviceWorker.ready.then(function (reg) { reg.active.postMessage(message); });
      }
    });
    if (script && script.getAttribute("data-manifest")) {
      var manifest = document.createElement("link");  /* after load: not on the critical path */
      manifest.rel = "manifest";
      manifest.href = script.getAttribute("data-manifest");  /* fingerprinted: never revalidated */
      document.head.appendChild(manifest);
    }
  }
})();
