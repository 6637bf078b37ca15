/* The desk without a mouse: choosing an article's words with the keyboard, and keeping the
   focus where the person works (a form that opens, a form swapped in by htmx, a claimant
   chosen from the suggestions). Loaded after desk.js; no inline scripts anywhere. */
(function () {
  "use strict";

  // ---- Choosing words with the keyboard -------------------------------------------------
  // The chosen words become the page's selection, as if dragged with the mouse, so what is
  // sent (quote, start, end) is what desk.js sends for a mouse selection: offsets count
  // Unicode code points of the article body as stored (the text of #article-body).

  function codePoints(text) { return Array.from(text).length; }

  function spansOf(text, granularity) {
    var spans = [];
    if (window.Intl && Intl.Segmenter) {
      var lang = document.documentElement.lang || undefined;
      var segments = new Intl.Segmenter(lang, { granularity: granularity }).segment(text);
      for (var it = segments[Symbol.iterator](), step = it.next(); !step.done; step = it.next()) {
        var seg = step.value;
        if (granularity === "word" && !seg.isWordLike) { continue; }
        spans.push([seg.index, seg.index + seg.segment.length]);
      }
    } else {
      var pattern = granularity === "word" ? /[\w\u00C0-\uFFFF'’-]+/g : /[^\n.!?]+[.!?]*["'”’)\]]*/g;
      var m;
      while ((m = pattern.exec(text)) !== null) { spans.push([m.index, m.index + m[0].length]); }
    }
    // Whitespace at either end is not part of a sentence; blank stretches are none.
    return spans.map(function (span) {
      var s = span[0], e = span[1];
      while (s < e && /\s/.test(text.charAt(s))) { s++; }
      while (e > s && /\s/.test(text.charAt(e - 1))) { e--; }
      return [s, e];
    }).filter(function (span) { return span[1] > span[0]; });
  }

  // The DOM position of the index-th UTF-16 unit of the body's text.
  function pointAt(body, index) {
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    var node, seen = 0, last = null;
    while ((node = walker.nextNode())) {
      if (index <= seen + node.data.length) { return [node, index - seen]; }
      seen += node.data.length;
      last = node;
    }
    return last ? [last, last.data.length] : [body, 0];
  }

  // The chosen words as the live region says them: double quotation marks inside become
  // single ones (as the desk's `quoted` filter does), a long choice keeps its two ends.
  function clip(text) {
    text = text.replace(/“/g, "‘").replace(/”/g, "’");
    return text.length > 160 ? text.slice(0, 75) + " … " + text.slice(-75) : text;
  }

  function initKeyboardChoice() {
    var body = document.getElementById("article-body");
    var form = document.getElementById("log-claim-form");
    var toggle = document.getElementById("keyboard-choose");
    if (!body || !form || !toggle) { return; }
    var help = document.getElementById("keyboard-choose-help");
    var hint = document.getElementById("log-claim-hint");
    var fields = {
      quote: document.getElementById("log-claim-quote"),
      start: document.getElementById("log-claim-start"),
      end: document.getElementById("log-claim-end")
    };
    var text = "", sentences = [], words = [], chosen = null, on = false;

    function sentenceIndex(at) {
      for (var i = 0; i < sentences.length; i++) { if (sentences[i][1] > at) { return i; } }
      return sentences.length - 1;
    }

    // A word's own quotation marks are left out of the words that name it.
    function bare(words) { return words.trim().replace(/^[“”„"'‘’«»]+|[“”„"'‘’«»]+$/g, ""); }

    // What the live region last said of the keyboard's choice. desk.js says "Selected: …"
    // whenever the selection changes; for the keyboard's own choice these words follow it.
    var said = null;

    function say(what) {
      said = { start: chosen[0], end: chosen[1],
               text: what + ": “" + clip(text.slice(chosen[0], chosen[1])) + "”" };
      hint.textContent = said.text;
    }

    function choose(start, end, what) {
      chosen = [start, end];
      var quote = text.slice(start, end);
      fields.quote.value = quote;
      fields.start.value = codePoints(text.slice(0, start));
      fields.end.value = codePoints(text.slice(0, start)) + codePoints(quote);
      var a = pointAt(body, start), b = pointAt(body, end);
      var range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var box = range.getBoundingClientRect(), bar = form.getBoundingClientRect();
      if (box.top < bar.bottom || box.bottom > window.innerHeight) {
        window.scrollBy(0, box.top - bar.bottom - 16);
      }
      say(what);
    }

    // The words wholly inside [s, e).
    function wordsIn(s, e) {
      return words.filter(function (w) { return w[0] >= s && w[1] <= e; });
    }

    // A word added at the end takes the sentence's closing marks (“year.”), and one added
    // at the start its opening quotation mark, when nothing but such marks is left over.
    function snapEnd(at) {
      var sentence = sentences[sentenceIndex(at - 1)];
      return sentence[1] > at && /^[\p{P}\p{S}]+$/u.test(text.slice(at, sentence[1])) ? sentence[1] : at;
    }

    function snapStart(at) {
      var sentence = sentences[sentenceIndex(at)];
      return sentence[0] < at && /^[\p{P}\p{S}]+$/u.test(text.slice(sentence[0], at)) ? sentence[0] : at;
    }

    function chooseSentence(i) {
      i = Math.max(0, Math.min(sentences.length - 1, i));
      choose(sentences[i][0], sentences[i][1], "Sentence " + (i + 1) + " of " + sentences.length);
    }

    function start() {
      text = body.textContent;
      sentences = spansOf(text, "sentence");
      words = spansOf(text, "word");
      if (!sentences.length) { return; }
      on = true;
      toggle.setAttribute("aria-pressed", "true");
      body.setAttribute("tabindex", "0");
      body.setAttribute("role", "application");
      body.setAttribute("aria-roledescription", "text to choose from");
      body.setAttribute("aria-describedby", help.id);
      body.classList.add("desk-keyboard-choosing");
      help.hidden = false;
      body.focus({ preventScroll: true });
      // Start from words already selected (with the mouse or earlier), else the first sentence.
      if (chosen && fields.quote.value) {
        choose(chosen[0], chosen[1], "Chosen");
      } else {
        var start = parseInt(fields.start.value, 10);
        chooseSentence(isNaN(start) ? 0 : sentenceIndex(Array.from(text).slice(0, start).join("").length));
      }
    }

    function stop() {
      on = false;
      toggle.setAttribute("aria-pressed", "false");
      ["tabindex", "role", "aria-roledescription", "aria-describedby"].forEach(function (name) {
        body.removeAttribute(name);
      });
      body.classList.remove("desk-keyboard-choosing");
      help.hidden = true;
    }

    toggle.addEventListener("click", function () {
      if (on) { stop(); } else { start(); }
    });

    body.addEventListener("keydown", function (event) {
      if (!on || !chosen || event.altKey || event.metaKey) { return; }
      var s = chosen[0], e = chosen[1], i, span;
      var key = event.key, shift = event.shiftKey, ctrl = event.ctrlKey;
      if (key === "Escape") {
        stop();
        toggle.focus();
      } else if (key === "Enter" && !shift && !ctrl) {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      } else if (!shift && !ctrl && (key === "ArrowDown" || key === "ArrowRight")) {
        chooseSentence(sentenceIndex(e - 1) + 1);
      } else if (!shift && !ctrl && (key === "ArrowUp" || key === "ArrowLeft")) {
        chooseSentence(sentenceIndex(s) - (sentences[sentenceIndex(s)][0] < s ? 0 : 1));
      } else if (shift && !ctrl && key === "ArrowDown") {
        i = sentenceIndex(e - 1);
        if (sentences[i][1] > e) { choose(s, sentences[i][1], "Added the rest of the sentence"); }
        else if (i + 1 < sentences.length) { choose(s, sentences[i + 1][1], "Added a sentence"); }
      } else if (shift && !ctrl && key === "ArrowUp") {
        i = sentenceIndex(e - 1);
        span = sentences[i][0] < e && sentences[i][0] > s ? sentences[i - 1] : null;
        if (span) { choose(s, span[1], "Dropped the last sentence"); }
      } else if (shift && !ctrl && key === "ArrowRight") {
        span = words.filter(function (w) { return w[1] > e; })[0];
        if (span) { choose(s, snapEnd(span[1]), "Added “" + bare(text.slice(e, snapEnd(span[1]))) + "”"); }
      } else if (shift && !ctrl && key === "ArrowLeft") {
        span = wordsIn(s, e);
        if (span.length > 1) {
          span = span[span.length - 2];
          choose(s, span[1], "Dropped “" + bare(text.slice(span[1], e)) + "”");
        }
      } else if (shift && ctrl && key === "ArrowRight") {
        span = wordsIn(s, e);
        if (span.length > 1) {
          choose(span[1][0], e, "Dropped “" + bare(text.slice(s, span[1][0])) + "”");
        }
      } else if (shift && ctrl && key === "ArrowLeft") {
        span = words.filter(function (w) { return w[0] < s; }).pop();
        if (span) { choose(snapStart(span[0]), e, "Added “" + bare(text.slice(snapStart(span[0]), s)) + "”"); }
      } else {
        return;
      }
      event.preventDefault();
    });

    // desk.js also says "Selected: …" when a key is let go in the text.
    body.addEventListener("keyup", function () {
      if (on && said) { hint.textContent = said.text; }
    });

    // A mouse selection made meanwhile is where the keyboard goes on from.
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
      var range = sel.getRangeAt(0);
      if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) { return; }
      var before = document.createRange();
      before.selectNodeContents(body);
      before.setEnd(range.startContainer, range.startOffset);
      var s = before.toString().length, e = s + range.toString().length;
      var t = body.textContent;
      while (s < e && /\s/.test(t.charAt(s))) { s++; }
      while (e > s && /\s/.test(t.charAt(e - 1))) { e--; }
      if (e <= s) { return; }
      if (said && said.start === s && said.end === e) {
        hint.textContent = said.text;
      } else {
        chosen = [s, e];
        said = null;
      }
    });
  }

  // ---- Focus where the person works ------------------------------------------------------

  function fieldNeedingInput(container) {
    var invalid = container.querySelector(".is-invalid, [aria-invalid=true]");
    if (invalid && invalid.matches("input, select, textarea")) { return invalid; }
    var candidates = container.querySelectorAll(
      "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit])" +
      ":not([disabled]):not([readonly]), textarea:not([disabled]):not([readonly]), select:not([disabled])");
    for (var i = 0; i < candidates.length; i++) {
      var field = candidates[i];
      if (field.offsetParent !== null && !field.value) { return field; }
    }
    return invalid;
  }

  // The claim logging page: the claimant, or else the statement, whichever is still empty
  // (the quote comes from the article); a form sent back with errors: its first error.
  function focusLogForm() {
    var form = document.getElementById("claim-log-form");
    if (!form || form.contains(document.activeElement)) { return; }
    var invalid = form.querySelector("input.is-invalid, textarea.is-invalid, select.is-invalid");
    var target = invalid || ["id_claimant_name", "id_statement"].map(function (id) {
      return document.getElementById(id);
    }).filter(function (field) { return field && !field.value.trim(); })[0];
    if (target) { target.focus(); }
  }

  // A folded form (<details class="desk-fold">) opened by the person: focus its first field
  // still to fill, so typing starts there.
  function initFoldFocus() {
    document.addEventListener("toggle", function (event) {
      var fold = event.target;
      if (!fold.matches || !fold.matches("details.desk-fold") || !fold.open) { return; }
      var summary = fold.querySelector("summary");
      if (document.activeElement !== summary || !fold.querySelector("form")) { return; }
      var field = fieldNeedingInput(fold);
      if (field) { field.focus(); }
    }, true);
  }

  // After an htmx swap the focused element may have been replaced or removed, which drops
  // the focus to the top of the page. Put it back: on the element with the same id, on what
  // the new content asks to focus, on the control that reads as the one focused before, on
  // the first field with an error, or else on what was swapped in.
  // The control in the new content that reads as the one focused before (a column's
  // sort link, a page link, a button): same kind, same name, same words.
  function sameControl(root, was) {
    if (!was.text && !was.name) { return null; }
    return Array.prototype.filter.call(root.querySelectorAll(was.tag), function (el) {
      return el.getAttribute("name") === was.name && el.textContent.trim() === was.text;
    })[0] || null;
  }

  function initSwapFocus() {
    var pending = [];
    document.addEventListener("htmx:beforeSwap", function (event) {
      var active = document.activeElement;
      var target = event.detail.target;
      if (active && active !== document.body && target && target.contains(active)) {
        pending.push({ id: active.id, target: target, targetId: target.id, tag: active.tagName,
                       name: active.getAttribute("name"), text: active.textContent.trim() });
      }
    });
    document.addEventListener("htmx:afterSettle", function (event) {
      var was = null;
      pending = pending.filter(function (record) {
        if (record.target !== event.detail.target) { return true; }
        was = record;
        return false;
      });
      if (!was) { return; }
      var active = document.activeElement;
      if (active && active !== document.body && document.contains(active)) { return; }
      var target = (was.targetId && document.getElementById(was.targetId)) || was.target;
      if (!document.contains(target)) { return; }
      var next = (was.id && document.getElementById(was.id)) ||
        target.querySelector("[autofocus]") ||
        sameControl(target, was) ||
        target.querySelector(".is-invalid") ||
        target.querySelector("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea");
      if (!next) {
        if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
        next = target;
      }
      next.focus();
    });
  }

  // A claimant chosen from the suggestions: the list the focus was in goes away; the focus
  // moves on to the next field of the form (the claimant's role), never to the page's top.
  function initClaimantFocus() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest(".js-choose-claimant");
      if (!button) { return; }
      var nameInput = document.getElementById("id_claimant_name");
      var form = nameInput && nameInput.form;
      if (!form) { return; }
      window.setTimeout(function () {
        var active = document.activeElement;
        if (active && active !== document.body && document.contains(active)) { return; }
        var options = document.getElementById("claimant-options");
        var fields = form.querySelectorAll("input:not([type=hidden]), select, textarea");
        var next = Array.prototype.filter.call(fields, function (field) {
          return options && (options.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING) &&
            field.offsetParent !== null && !field.disabled;
        })[0];
        (next || nameInput).focus();
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initKeyboardChoice();
    focusLogForm();
    initFoldFocus();
    initSwapFocus();
    initClaimantFocus();
  });
})();
