// The API tokens page: a Copy button beside a new token (shown only where the clipboard
// can be written; without it the page says how to copy by hand).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copyTarget);
    var status = document.querySelector("[data-copy-status]");
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) status.textContent = "Copied. Keep it somewhere safe: it is not shown again.";
      }, function () {
        if (status) status.textContent = "The browser did not allow copying: select the token and copy it (Ctrl+C).";
      });
    });
  });
  var value = document.getElementById("new-token-value");
  if (value) value.addEventListener("focus", function () { value.select(); });
})();
