/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

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

    // Session timeout warning: shown 5 minutes before the idle timeout.
    var warning = document.getElementById("session-warning");
    if (warning) {
      var idle = parseInt(warning.getAttribute("data-idle-minutes") || "60", 10);
      var showAfter = Math.max(idle - 5, 1) * 60 * 1000;
      var timer;
      function arm() {
        clearTimeout(timer);
        timer = setTimeout(function () {
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
            .then(function (r) { if (r.ok) { warning.hidden = true; arm(); } else { form.submit(); } })
            .catch(function () { form.submit(); });
        });
      }
      arm();
    }
  });
})();
