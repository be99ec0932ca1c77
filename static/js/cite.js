// "Cite this page": copy the citation's text. A static file, so the strict CSP allows it;
// the button stays hidden where scripts do not run.
"use strict";
document.querySelectorAll("[data-copy-target]").forEach(function (button) {
  var target = document.getElementById(button.dataset.copyTarget);
  var status = document.getElementById(button.dataset.copyStatus);
  if (!target) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = target.textContent.replace(/\s+/g, " ").trim();
    var done = function () { status.textContent = "Citation copied."; };
    var failed = function () {
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = "Citation selected: press Ctrl+C (or Cmd+C) to copy it.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      failed();
    }
  });
});
