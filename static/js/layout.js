/* Folding on narrow screens: the main navigation behind its "Menu" button, the claims
   table's filters behind "Filters (n active)" (n: the filters the rows answer). Loaded in
   <head>, not deferred, so the page is marked as having JavaScript (html.js) before its
   first paint and folded parts start folded (desk.css); without JavaScript nothing folds
   and every link and filter shows.

   A disclosure is a real <button class="js-disclosure" aria-expanded aria-controls="ID">;
   the element ID is its panel. A panel with data-open-from="PX" starts open on screens at
   least PX wide; one with data-close-on-escape closes on Escape and gives focus back to its
   button. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function panelOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    var panel = panelOf(button);
    if (!panel) { return; }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
    panel.classList.toggle("is-closed", !open);
  }

  // The number of filters the server applied to the rows it sent (ClaimFilter.active_filters),
  // carried by the results (data-active-filters), so the button and the results' heading
  // count the same ones; read again whenever htmx swaps the results in.
  function countFilters() {
    document.querySelectorAll("[data-counts-filters]").forEach(function (button) {
      var results = document.getElementById(button.dataset.countsFilters);
      if (!results) { return; }
      var n = parseInt(results.dataset.activeFilters || "0", 10) || 0;
      var label = button.querySelector(".js-filter-count") || button;
      label.textContent = n ? "Filters (" + n + " active)" : "Filters";
    });
  }

  function initDisclosures(root) {
    root.querySelectorAll(".js-disclosure").forEach(function (button) {
      if (button.dataset.disclosureReady) { return; }
      button.dataset.disclosureReady = "1";
      var panel = panelOf(button);
      if (!panel) { return; }
      var from = parseInt(panel.dataset.openFrom || "", 10);
      setOpen(button, !isNaN(from) && window.matchMedia("(min-width: " + from + "px)").matches);
    });
    countFilters();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-disclosure");
    if (button) { setOpen(button, button.getAttribute("aria-expanded") !== "true"); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll(".js-disclosure[aria-expanded=true]").forEach(function (button) {
      var panel = panelOf(button);
      if (!panel || !panel.hasAttribute("data-close-on-escape")) { return; }
      if (!panel.contains(document.activeElement) && document.activeElement !== button) { return; }
      setOpen(button, false);
      button.focus();
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    initDisclosures(document);
    // Parts of the page htmx swaps in (the claims page after sorting) fold the same way.
    document.body.addEventListener("htmx:load", function (event) {
      if (event.detail.elt && event.detail.elt.querySelectorAll) { initDisclosures(event.detail.elt); }
    });
  });
})();
