/* The archived page's replay on the source page (templates/claims/partials/capture_archive.html):
   its frame (a page of its own that runs ReplayWeb.page, about 0.7 MB of script and a 1.2 MB
   worker) is added only when the replay's fold is first opened, so the source page costs
   nothing more until someone asks. */
(function () {
  "use strict";

  function start(fold) {
    if (fold.querySelector("iframe")) {
      return;
    }
    var frame = document.createElement("iframe");
    frame.className = "archive-replay-embed";
    frame.title = fold.getAttribute("data-replay-title");
    frame.src = fold.getAttribute("data-replay-frame");
    fold.querySelector("[data-replay-target]").appendChild(frame);
  }

  document.querySelectorAll("details[data-replay-frame]").forEach(function (fold) {
    if (fold.open) {
      start(fold);
    }
    fold.addEventListener("toggle", function () {
      if (fold.open) {
        start(fold);
      }
    });
  });
})();
