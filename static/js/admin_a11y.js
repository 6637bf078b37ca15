/* Names for the admin's autocomplete widgets. Django's select2 hides the labelled <select>
   and shows its own combobox, which has no accessible name; its multiple-choice list also
   holds a "clear" <span> a screen reader cannot place. select2 re-renders these parts on
   every change, so an observer puts the names back whenever they appear. */
(function () {
  "use strict";

  function labelText(select) {
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameWidgets() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) { return; }
      var text = labelText(select);
      if (!text) { return; }
      var named = '[role="combobox"], [role="textbox"], .select2-search__field';
      container.querySelectorAll(named).forEach(
        function (el) {
          if (el.getAttribute("aria-label") !== text) { el.setAttribute("aria-label", text); }
        });
      container.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach(
        function (el) {
          if (el.getAttribute("role") !== "listitem") { el.setAttribute("role", "listitem"); }
        });
    });
  }

  function start() {
    nameWidgets();
    new MutationObserver(nameWidgets).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
