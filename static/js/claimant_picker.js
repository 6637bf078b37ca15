/* The claimant picker (templates/claims/partials/claimant_picker.html): a WAI-ARIA
   combobox with a listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
   ArrowDown/ArrowUp move through the names, Enter picks the highlighted one and never sends
   the form, Escape closes the list, Tab leaves. A new claimant is an explicit choice: the
   last option, "Add … as a new claimant…", which shows its kind, role and organisation.
   No inline script anywhere (CSP); without JavaScript the form works as plain fields. */
(function () {
  "use strict";

  function initPicker(root) {
    var input = root.querySelector("[data-claimant-input]");
    if (!input || input.dataset.pickerReady) { return; }
    input.dataset.pickerReady = "1";
    var listbox = document.getElementById(input.getAttribute("aria-controls"));
    var idField = document.getElementById(input.id.replace(/_name$/, ""));
    var newBox = root.querySelector("[data-claimant-new-box]");
    var newFields = root.querySelector("[data-claimant-new]");
    var status = root.querySelector("[data-claimant-status]");
    var url = root.dataset.suggestUrl;
    var canAdd = root.hasAttribute("data-can-add");
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) { if (status) { status.textContent = text; } }

    function showNew(shown) {
      if (!newFields) { return; }
      newFields.hidden = !shown;
      if (newBox) { newBox.checked = shown; }
    }
    // With JavaScript the new claimant's fields show only once "Add … as new" is chosen.
    showNew(Boolean(newBox && newBox.checked));

    function options() { return listbox.querySelectorAll("[role=option]"); }

    function isOpen() { return !listbox.hidden; }

    function open() {
      if (!options().length) { return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function highlight(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) {
        var on = i === index;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function addNewOption(text) {
      if (!canAdd || !text) { return; }
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = "list-group-item claimant-option-new";
      li.dataset.claimantNew = "1";
      li.textContent = "Add “" + text + "” as a new claimant…";
      listbox.appendChild(li);
    }

    function fill(html, text) {
      listbox.innerHTML = html;
      addNewOption(text);
      options().forEach(function (option, i) {
        option.id = listbox.id + "-" + i;
        option.setAttribute("aria-selected", "false");
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }

    function suggest(then) {
      var text = input.value.trim();
      if (!text) { listbox.innerHTML = ""; close(); return; }
      var mine = ++asked;
      fetch(url + "?claimant_name=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (mine !== asked) { return; }  // a later keystroke asked again
        fill(html, text);
        if (options().length) { open(); } else { close(); }
        if (then) { then(); }
      }).catch(function () { /* the server refuses a wrong name on save */ });
    }

    function choose(option) {
      if (option.dataset.claimantNew) {
        if (idField) { idField.value = ""; }
        showNew(true);
        close();
        say("New claimant: “" + input.value.trim() + "”. Say whether it is a person or an " +
          "organisation, then save.");
        var kind = newFields && newFields.querySelector("input[type=radio]:checked, input[type=radio]");
        if (kind) { kind.focus(); }
        return;
      }
      if (idField) { idField.value = option.dataset.claimantId; }
      input.value = option.dataset.claimantName;
      showNew(false);
      close();
      say("Chosen: " + option.dataset.claimantLabel + ".");
      // As if typed: what listens for the claimant (the "Already fact-checked?" panel) hears.
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    }

    // A refused save's words and "Did you mean …?" are about the name as it was sent: once
    // the name changes they go.
    function dropRefusal() {
      root.querySelectorAll("[data-claimant-refusal]").forEach(function (el) {
        el.hidden = true;
        el.classList.remove("d-block");  // Bootstrap's d-block would outweigh [hidden]
      });
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    }

    input.addEventListener("input", function () {
      // Typing again drops an earlier choice: a name must be chosen, or added, anew.
      if (idField) { idField.value = ""; }
      showNew(false);
      dropRefusal();
      say("");
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 200);
    });

    input.addEventListener("keydown", function (event) {
      var count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var down = event.key === "ArrowDown";
        if (!isOpen()) {
          if (count) { open(); highlight(down ? 0 : count - 1); }
          else { suggest(function () { if (options().length) { highlight(0); } }); }
          return;
        }
        if (!count) { return; }
        highlight(down ? (active + 1) % count : (active <= 0 ? count - 1 : active - 1));
      } else if (event.key === "Enter") {
        // Enter in the claimant field never sends the form: it picks, or asks to pick.
        event.preventDefault();
        if (isOpen() && active >= 0) {
          choose(options()[active]);
        } else if (input.value.trim() && !(idField && idField.value)) {
          say("Choose a name from the list (arrow keys, then Enter)" +
            (canAdd ? ", or add it as a new claimant." : "."));
          if (count) { open(); } else { suggest(); }
        }
      } else if (event.key === "Escape") {
        if (isOpen()) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 150); });

    // A click keeps the focus in the field (mousedown), then picks (click).
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(option); }
    });

    // "Did you mean …?" after a refused save: with JavaScript, a button chooses the name
    // (nothing is sent until Save); without it, the button sends the form with that choice.
    root.querySelectorAll("[data-claimant-add-new]").forEach(function (b) { b.hidden = false; });
    root.addEventListener("click", function (event) {
      var button = event.target.closest(
        ".claimant-did-you-mean button[data-claimant-id], [data-claimant-add-new]");
      if (!button) { return; }
      event.preventDefault();
      dropRefusal();
      choose(button.hasAttribute("data-claimant-add-new")
        ? { dataset: { claimantNew: "1" } } : button);
    });

    if (newBox) {
      newBox.addEventListener("change", function () { showNew(newBox.checked); });
    }

    // Typed before this script ran (a slow page, a quick typist): the keystrokes found no
    // listener, so suggest for what is in the field now, as if it had just been typed.
    if (document.activeElement === input && input.value.trim() && !(idField && idField.value)) {
      suggest();
    }
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-claimant-picker]").forEach(initPicker);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  // Pickers in content htmx swaps in (a form sent back with errors).
  document.addEventListener("htmx:load", function (event) { initAll(event.detail.elt); });
}());
