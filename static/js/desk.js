/* The desk's small amount of JavaScript. No inline scripts anywhere (a strict CSP allows
   only this file and htmx); every page works without it. */
(function () {
  "use strict";

  // Offsets are counted in Unicode code points, as Python indexes strings; JavaScript
  // strings count UTF-16 units, so a character outside the BMP (an emoji) counts once here.
  function codePointLength(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; }
      }
      n++;
    }
    return n;
  }

  function selectionInArticle(body) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(body);
    before.setEnd(range.startContainer, range.startOffset);
    var prefix = before.toString();
    var quote = range.toString();
    // Drop whitespace the mouse caught at either end of the selection.
    var lead = quote.length - quote.replace(/^\s+/, "").length;
    prefix += quote.slice(0, lead);
    quote = quote.slice(lead).replace(/\s+$/, "");
    if (!quote) { return null; }
    var start = codePointLength(prefix);
    return { quote: quote, start: start, end: start + codePointLength(quote) };
  }

  function initArticle() {
    var body = document.getElementById("article-body");
    var form = document.getElementById("log-claim-form");
    if (!body || !form) { return; }
    var quote = document.getElementById("log-claim-quote");
    var start = document.getElementById("log-claim-start");
    var end = document.getElementById("log-claim-end");
    var hint = document.getElementById("log-claim-hint");
    function update() {
      var s = selectionInArticle(body);
      if (!s) { return; }
      quote.value = s.quote; start.value = s.start; end.value = s.end;
      var shown = s.quote.length > 80 ? s.quote.slice(0, 77) + "…" : s.quote;
      hint.textContent = "Selected: “" + shown + "”";
    }
    document.addEventListener("selectionchange", update);
    body.addEventListener("mouseup", update);
    body.addEventListener("keyup", update);
    form.addEventListener("submit", function () {
      if (!quote.value) { quote.disabled = true; start.disabled = true; end.disabled = true; }
    });
  }

  // The claimant picker is static/js/claimant_picker.js.

  function initSelectAll() {
    document.addEventListener("change", function (event) {
      if (!event.target.classList.contains("js-select-all")) { return; }
      var table = event.target.closest("table");
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    });
  }

  // "Source attached as context evidence; it is being fetched." follows the source's row:
  // when htmx swaps in a new status, the banner (once the fetch settled: Fetched or Failed)
  // and the source's evidence items say so, in the words the server gave them.
  var FETCH_STATES = ["pending", "fetching", "fetched", "failed"];

  function initSourceBanners() {
    document.body.addEventListener("htmx:load", function (event) {
      var row = event.detail.elt;
      if (!row.id || row.id.indexOf("source-status-") !== 0) { return; }
      var sourceId = row.id.slice("source-status-".length);
      var badge = row.querySelector(".badge");
      var status = badge ? (badge.className.match(/source-status-(\w+)/) || [])[1] : "";
      if (FETCH_STATES.indexOf(status) < 0) { return; }
      document.querySelectorAll('[data-evidence-source="' + sourceId + '"]').forEach(
        function (item) {
          item.textContent = status === "fetched" ? "" : (status === "failed"
            ? item.dataset.textFailed : item.dataset.textWaiting);
          item.className = "small " + (status === "failed" ? "text-danger" : "text-muted");
        });
      var banner = document.querySelector('[data-follows-source="' + sourceId + '"]');
      if (!banner) { return; }
      if (status === "fetched") {
        banner.className = "alert alert-success";
        banner.textContent = banner.dataset.textFetched;
      } else if (status === "failed") {
        var detail = row.querySelector(".text-danger");
        var why = detail ? detail.textContent.trim().replace(/\.$/, "") : "";
        banner.className = "alert alert-danger";
        banner.textContent = banner.dataset.textFailed + (why ? " (" + why + ")" : "") +
          ". You can re-fetch it from its row.";
      }
    });
  }

  // A link to a form folded into a closed section (#edit-claim, #attach-source) opens it.
  function openFoldedTarget() {
    if (!location.hash || location.hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
  }

  // The Reports form's claim search: a suggestion chosen fills the hidden claim id; typing
  // other words drops an earlier choice.
  function initReportClaimPicker() {
    var search = document.getElementById("id_claim_search");
    var id = document.getElementById("id_claim");
    if (!search || !id) { return; }
    var options = document.getElementById("report-claim-options");
    var chosen = document.getElementById("report-claim-chosen");
    search.addEventListener("input", function () { id.value = ""; chosen.textContent = ""; });
    document.addEventListener("click", function (event) {
      var button = event.target.closest(".js-choose-claim");
      if (!button) { return; }
      id.value = button.dataset.claimId;
      search.value = button.dataset.claimLabel;
      options.innerHTML = "";
      search.setAttribute("aria-expanded", "false");
      var p = document.createElement("p");
      p.className = "small mb-0";
      p.textContent = "Chosen: " + button.dataset.claimLabel;
      chosen.textContent = "";
      chosen.appendChild(p);
      search.focus();
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === options) {
        search.setAttribute("aria-expanded", options.querySelector("[role=option]") ? "true" : "false");
      }
    });
  }

  // In-page (htmx) forms. A form that did not validate answers 400 (or 422) with itself
  // re-rendered: its errors beside its fields and what was typed kept. htmx leaves 4xx
  // responses unswapped by default, so those two are swapped like a success. Any other
  // failure (403, 404, 409, 5xx, no network) is said in words next to the form, since the
  // response holds no fragment meant for the page.
  var FAILURE_TEXT = {
    403: "You do not have permission to do this.",
    404: "This item no longer exists. Reload the page.",
    409: "Someone else changed this meanwhile. Reload the page and try again."
  };

  function showFailure(elt, text) {
    var anchor = (elt && (elt.closest("form") || elt)) || document.getElementById("main");
    var note = anchor.nextElementSibling;
    if (!note || !note.classList.contains("js-htmx-failure")) {
      note = document.createElement("div");
      note.className = "alert alert-danger py-2 mt-2 js-htmx-failure";
      note.setAttribute("role", "alert");
      anchor.insertAdjacentElement("afterend", note);
    }
    // A polled element is replaced by its next answer: the note finds it again by id.
    if (anchor.id) { note.dataset.for = anchor.id; }
    note.textContent = text;
  }

  function clearFailure(elt) {
    var anchor = elt && (elt.closest("form") || elt);
    if (!anchor) { return; }
    var note = anchor.nextElementSibling;
    if (note && note.classList.contains("js-htmx-failure")) { note.remove(); }
    if (anchor.id) {
      document.querySelectorAll(".js-htmx-failure").forEach(function (other) {
        if (other.dataset.for === anchor.id) { other.remove(); }
      });
    }
  }

  function initHtmxForms() {
    document.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr.status;
      if (status === 400 || status === 422) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) { clearFailure(event.detail.elt); }
    });
    // An element swapped in by a later answer (a polled status replaced outerHTML) clears
    // the note about its predecessor, whose own events no longer reach the document.
    document.addEventListener("htmx:load", function (event) {
      if (event.detail.elt && event.detail.elt.id) { clearFailure(event.detail.elt); }
    });
    document.addEventListener("htmx:responseError", function (event) {
      var status = event.detail.xhr.status;
      var reading = (event.detail.requestConfig || {}).verb === "get";
      showFailure(event.detail.elt, FAILURE_TEXT[status] || (reading
        ? "The desk could not load this (error " + status + "). Reload the page if it lasts."
        : "The desk could not do this (error " + status + "); nothing was saved. Try again, " +
          "or reload the page."));
    });
    document.addEventListener("htmx:sendError", function (event) {
      showFailure(event.detail.elt, "The desk could not be reached; nothing was sent. " +
        "Check the connection and try again.");
    });
  }

  // The claims table's bulk bar offers the fields its chosen action needs: the person for
  // "Assign to", the status (and, for "not checkable", the reason) for "Set status to". The
  // others stay in place, disabled (not sent); the server reads only the chosen action's
  // fields, and refuses an incomplete choice itself too.
  function syncBulkBar() {
    var choices = document.getElementById("bulk-choices");
    if (!choices) { return; }
    var action = choices.querySelector("select[name=action]");
    var status = choices.querySelector("select[name=status]");
    choices.querySelectorAll("[data-bulk-for]").forEach(function (part) {
      var needed = part.dataset.bulkFor === action.value &&
        (!part.dataset.bulkStatus || (status && status.value === part.dataset.bulkStatus));
      // What is needed must be chosen: the browser says so before anything is sent.
      part.querySelectorAll("select, input").forEach(function (field) {
        field.disabled = !needed;
        field.required = needed;
      });
    });
  }

  function initBulkBar() {
    syncBulkBar();
    document.addEventListener("change", function (event) {
      if (event.target.closest("#bulk-choices")) { syncBulkBar(); }
    });
    document.body.addEventListener("htmx:afterSettle", syncBulkBar);
  }

  document.addEventListener("DOMContentLoaded", function () {
    initHtmxForms();
    initReportClaimPicker();
    openFoldedTarget();
    window.addEventListener("hashchange", openFoldedTarget);
    initArticle();
    initSelectAll();
    initBulkBar();
    initSourceBanners();
  });
})();
