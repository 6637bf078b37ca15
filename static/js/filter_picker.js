/* The claims table's article filter (templates/claims/partials/article_filter.html): a
   WAI-ARIA combobox (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/) whose options
   htmx fetches as one types. ArrowDown/ArrowUp move through them, Enter chooses the
   highlighted one: its id goes in the hidden field and the filters apply. Escape closes the
   list; typing again drops the choice. Enter with nothing highlighted sends the form as it
   is, and the server finds the article the typed title names, or lists the candidates.
   Listeners sit on the document, so a picker htmx swaps in works without setting up. */
(function () {
  "use strict";

  function pickerOf(el) { return el && el.closest ? el.closest("[data-filter-picker]") : null; }
  function inputOf(picker) { return picker.querySelector("[data-filter-picker-input]"); }
  function listboxOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function chosenOf(input) { return document.getElementById(input.dataset.chosenId); }
  function options(listbox) { return listbox.querySelectorAll("[role=option]"); }

  function say(picker, text) {
    var status = picker.querySelector("[data-filter-picker-status]");
    if (status) { status.textContent = text; }
  }

  function highlight(input, index) {
    var listbox = listboxOf(input);
    options(listbox).forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
      if (on) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0) { input.removeAttribute("aria-activedescendant"); }
    input.dataset.active = String(index);
  }

  function setOpen(input, open) {
    var listbox = listboxOf(input);
    open = open && options(listbox).length > 0;
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { highlight(input, -1); }
  }

  function choose(input, option) {
    var chosen = chosenOf(input);
    if (chosen) { chosen.value = option.dataset.choiceId; }
    input.value = option.dataset.choiceName;
    setOpen(input, false);
    say(pickerOf(input), "Chosen: “" + option.dataset.choiceName + "”.");
    input.focus();
    if (input.form) { input.form.requestSubmit(); }
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-filter-picker-input]")) { return; }
    // Typing again drops an earlier choice: the title is chosen anew, or sent as typed.
    var chosen = chosenOf(input);
    if (chosen) { chosen.value = ""; }
    say(pickerOf(input), "");
    if (!input.value.trim()) { listboxOf(input).innerHTML = ""; setOpen(input, false); }
  });

  // htmx filled the list: number the options, open it, or say that nothing matches.
  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.target;
    var picker = pickerOf(listbox);
    if (!picker || listbox.getAttribute("role") !== "listbox") { return; }
    var input = inputOf(picker);
    options(listbox).forEach(function (option, i) {
      option.id = listbox.id + "-" + i;
      option.setAttribute("aria-selected", "false");
    });
    var count = options(listbox).length;
    setOpen(input, document.activeElement === input);
    var text = input.value.trim();
    say(picker, !text ? "" : count
      ? count + (count === 1 ? " article matches" : " articles match") +
        ": arrow keys to move, Enter to choose."
      : "No article’s title holds “" + text + "”.");
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-filter-picker-input]")) { return; }
    var listbox = listboxOf(input);
    var count = options(listbox).length;
    var active = parseInt(input.dataset.active || "-1", 10);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) { return; }
      event.preventDefault();
      var down = event.key === "ArrowDown";
      if (listbox.hidden) { setOpen(input, true); highlight(input, down ? 0 : count - 1); return; }
      highlight(input, down ? (active + 1) % count : (active <= 0 ? count - 1 : active - 1));
    } else if (event.key === "Enter") {
      if (!listbox.hidden && active >= 0) {
        event.preventDefault();
        choose(input, options(listbox)[active]);
      }
      // Otherwise the form is sent with the title as typed.
    } else if (event.key === "Escape") {
      if (!listbox.hidden) { event.preventDefault(); setOpen(input, false); }
    } else if (event.key === "Tab") {
      setOpen(input, false);
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-filter-picker-input]")) { return; }
    window.setTimeout(function () { if (document.activeElement !== input) { setOpen(input, false); } }, 150);
  });

  // A click keeps the focus in the field (mousedown), then chooses (click).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[data-filter-picker] [role=listbox]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-filter-picker] [role=option]");
    if (!option) { return; }
    choose(inputOf(pickerOf(option)), option);
  });
}());
