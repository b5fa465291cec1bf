/* Service worker: pages the trainee opened, and the open days' lessons and quizzes, stay
   readable offline. Network first (fresh when online), the cached copy when offline. */
var CACHE = "lms-pages-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) { return cache.put(url, response); }
      }).catch(function () {});
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      var path = new URL(request.url).pathname;
      var keep = /^\/(cohorts\/\d+\/($|lessons\/|quizzes\/[^/]+$|media\/)|courses\/|static\/)/.test(path);
      if (response.ok && keep) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true, ignoreSearch: request.url.indexOf("/static/") > -1 }).then(function (hit) {
        return hit || new Response("<h1>Offline</h1><p>This page was not saved on this phone.</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    })
  );
});
