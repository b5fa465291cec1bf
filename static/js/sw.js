/* Service worker: the open days' lessons and quizzes, and pages the trainee opened, stay
   readable offline, and a trainee pays only for what changed.
   - The course home lists each open page with a key (a hash of what it shows, made by the
     server); the worker keeps the key of every page it saved and fetches only the pages
     whose key differs, not the whole course on each visit.
   - Online, a saved page is asked for with its ETag: an unchanged page costs a 304 and the
     saved copy is shown; a changed one comes in full and replaces it.
   - Fingerprinted static files (?v=) never change: served from the saved copy.
   - Offline, the saved copy; for a page not saved, the offline page in the reader's
     language (fetched at install, by content hash: a new version changes this script). */
var CACHE = "lms-pages-v1";
var STATE = "/__lms-saved-pages__";  /* in CACHE: {keys: {url: key}, etags: {url: etag}, language} */
var OFFLINE = {};  /* filled in by the server (lms/web/offline.py): {pages: {lang: url}, assets: [url]} */
var KEEP = /^\/(cohorts\/\d+\/($|lessons\/|quizzes\/[^/]+$|media\/)|courses\/|static\/)/;
var state = null;

function loadState() {
  if (!state) {
    state = caches.open(CACHE)
      .then(function (cache) { return cache.match(STATE); })
      .then(function (hit) { return hit ? hit.json() : {}; })
      .catch(function () { return {}; })
      .then(function (saved) { saved.keys = saved.keys || {}; saved.etags = saved.etags || {}; return saved; });
  }
  return state;
}

function saveState() {
  return Promise.all([caches.open(CACHE), loadState()]).then(function (both) {
    return both[0].put(STATE, new Response(JSON.stringify(both[1]), { headers: { "Content-Type": "application/json" } }));
  });
}

function store(cache, saved, url, response, key) {
  var etag = response.headers.get("ETag");
  key = key || response.headers.get("X-Offline-Key") || null;
  return cache.put(url, response).then(function () {  /* its key once the copy is whole */
    saved.keys[url] = key;
    if (etag) { saved.etags[url] = etag; } else { delete saved.etags[url]; }
  });
}

function offlineUrls() {
  var pages = OFFLINE.pages || {};
  return Object.keys(pages).map(function (code) { return pages[code]; }).concat(OFFLINE.assets || []);
}

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(offlineUrls().map(function (url) {
      return cache.match(url).then(function (hit) {
        return hit || fetch(url).then(function (response) { if (response.ok) { return cache.put(url, response); } });
      }).catch(function () {});
    }));
  }));
});

self.addEventListener("activate", function (event) {
  var current = offlineUrls().map(function (url) { return new URL(url, self.location.origin).href; });
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return request.url.indexOf("/offline/") > -1 && current.indexOf(request.url) === -1;
      }).map(function (request) { return cache.delete(request); }));
    });
  }).then(function () { return self.clients.claim(); }));
});

/* From a page: {pages: [[url, key], ...], language}. Fetch the pages not saved with that key. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  event.waitUntil(Promise.all([caches.open(CACHE), loadState()]).then(function (both) {
    var cache = both[0], saved = both[1];
    if (data.language) { saved.language = data.language; }
    return Promise.all((data.pages || []).map(function (pair) {
      var url = pair[0], key = pair[1];
      return cache.match(url).then(function (hit) {
        if (hit && key && saved.keys[url] === key) { return; }
        return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
          if (response.ok) { return store(cache, saved, url, response, key); }
        }).catch(function () {});
      });
    })).then(saveState);
  }));
});

function offlinePage(request, saved) {
  var pages = OFFLINE.pages || {};
  var guess = (saved.language || (self.navigator.language || "en")).slice(0, 2);
  var url = pages[guess] || pages.en;
  var bare = function () {
    return new Response("<!doctype html><title>Offline</title><p>Offline.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  };
  if (request.mode !== "navigate" || !url) { return request.mode === "navigate" ? bare() : Response.error(); }
  return caches.match(url).then(function (hit) {
    if (!hit) { return bare(); }
    return hit.text().then(function (html) {
      return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  });
}

function savedOrNetwork(request) {
  var url = request.url.split("#")[0];
  return Promise.all([caches.open(CACHE), loadState()]).then(function (both) {
    var cache = both[0], saved = both[1];
    var isStatic = new URL(url).pathname.indexOf("/static/") === 0;
    return cache.match(url).then(function (hit) {
      if (hit && isStatic && url.indexOf("?v=") > -1) { return hit; }  /* fingerprinted: never changes */
      var etag = hit && !isStatic && saved.keys[url] && saved.etags[url];  /* pages, not media */
      var outgoing = etag
        ? new Request(url, { headers: { "If-None-Match": etag }, credentials: "same-origin", redirect: "manual" })
        : request;
      return fetch(outgoing).then(function (response) {
        if (response.status === 304 && hit) { return hit; }
        if (response.ok && response.type === "basic" && !response.redirected) {
          store(cache, saved, url, response.clone(), null).then(saveState).catch(function () {});
        }
        return response;
      }, function () {
        if (hit) { return hit; }
        return (isStatic ? caches.match(request, { ignoreSearch: true, ignoreVary: true }) : Promise.resolve(null))
          .then(function (any) { return any || offlinePage(request, saved); });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname === STATE) { return; }
  if (KEEP.test(url.pathname)) {
    event.respondWith(savedOrNetwork(request));
    return;
  }
  event.respondWith(fetch(request).catch(function () {
    return caches.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || loadState().then(function (state) { return offlinePage(request, state); });
    });
  }));
});
