/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // a link in the summary moves the focus into the field it names
      summary.querySelectorAll('a[href^="#"]').forEach(function (link) {
        link.addEventListener("click", function (ev) {
          var target = document.getElementById(link.getAttribute("href").slice(1));
          if (!target) { return; }
          var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
          if (input) { ev.preventDefault(); input.focus(); input.scrollIntoView({ block: "center" }); }
        });
      });
    }

    // Conditional fields: <div data-show-if="field-name" data-show-min="3"> … shown when
    // the radio group `field-name` has a value >= min. Without JS they are always shown.
    var blocks = document.querySelectorAll("[data-show-if]");
    blocks.forEach(function (block) {
      var name = block.getAttribute("data-show-if");
      var min = parseInt(block.getAttribute("data-show-min") || "0", 10);
      var radios = document.querySelectorAll('input[type=radio][name="' + name + '"]');
      function update() {
        var checked = document.querySelector('input[type=radio][name="' + name + '"]:checked');
        var show = checked && parseInt(checked.value, 10) >= min;
        block.hidden = !show;
      }
      radios.forEach(function (r) { r.addEventListener("change", update); });
      update();
    });

    // A file larger than the server takes: said at once beside the field, and the form is not
    // sent (the server would refuse it and could not keep what was typed). Without JS the
    // server's upload page says the same after sending.
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = input.id + "-zu-gross";
      note.setAttribute("role", "alert");
      note.hidden = true;
      input.insertAdjacentElement("afterend", note);
      function tooLarge() {
        var file = input.files && input.files[0];
        return file && file.size > max ? file : null;
      }
      function update() {
        var file = tooLarge();
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== note.id; });
        if (file) {
          var mb = (Math.round(file.size / 104857.6) / 10).toFixed(1).replace(".", ",");
          note.textContent = input.getAttribute("data-too-large").replace("{size}", mb);
          note.hidden = false;
          input.setAttribute("aria-invalid", "true");
          described.push(note.id);
        } else {
          note.hidden = true;
          note.textContent = "";
          if (!input.closest(".has-error")) { input.removeAttribute("aria-invalid"); }
        }
        if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); } else { input.removeAttribute("aria-describedby"); }
      }
      input.addEventListener("change", update);
      if (input.form) {
        input.form.addEventListener("submit", function (ev) {
          if (tooLarge()) { ev.preventDefault(); update(); input.focus(); }
        });
      }
    });

    // A table wider than the screen scrolls inside its own box (portal.css): make that box
    // reachable with the Tab key, so it can be scrolled with the arrow keys.
    function scrollableTables() {
      document.querySelectorAll("main table").forEach(function (table) {
        if (table.closest(".table-scroll")) { return; }
        var scrolls = table.scrollWidth > table.clientWidth + 1;
        if (scrolls && !table.hasAttribute("tabindex")) {
          table.setAttribute("tabindex", "0");
          table.setAttribute("data-scroll-focus", "");
        } else if (!scrolls && table.hasAttribute("data-scroll-focus")) {
          table.removeAttribute("tabindex");
          table.removeAttribute("data-scroll-focus");
        }
      });
    }
    scrollableTables();
    window.addEventListener("resize", scrollableTables);

    // Session timeout warning: shown data-warning-seconds before the idle timeout
    // (both values come from the server configuration).
    var warning = document.getElementById("session-warning");
    if (warning) {
      var idle = parseInt(warning.getAttribute("data-idle-seconds") || "3600", 10);
      var lead = parseInt(warning.getAttribute("data-warning-seconds") || "300", 10);
      var showAfter = Math.max(idle - lead, 1) * 1000;
      var timer, before = null;
      function arm() {
        clearTimeout(timer);
        timer = setTimeout(function () {
          before = document.activeElement;
          warning.hidden = false;
          var btn = warning.querySelector("button");
          if (btn) { btn.focus(); }
        }, showAfter);
      }
      var form = warning.querySelector("form");
      if (form && window.fetch) {
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          fetch(form.action, { method: "POST", body: new FormData(form), headers: { "Accept": "application/json" }, credentials: "same-origin" })
            .then(function (r) { if (r.ok) {
              warning.hidden = true;
              if (before && before.focus && document.contains(before)) { before.focus(); }
              arm();
            } else { form.submit(); } })
            .catch(function () { form.submit(); });
        });
      }
      arm();
    }
  });
})();
