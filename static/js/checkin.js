/* The check-in code screen: reload when the code changes, so the room always sees the
   current code and QR. Without JavaScript the "Show the new code" link does the same. */
(function () {
  "use strict";
  var screen = document.querySelector("[data-refresh-after]");
  if (!screen) { return; }
  var seconds = parseInt(screen.getAttribute("data-refresh-after"), 10);
  if (seconds > 0) { window.setTimeout(function () { window.location.reload(); }, (seconds + 1) * 1000); }
}());
