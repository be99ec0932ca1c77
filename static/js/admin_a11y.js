/* Stock admin widgets that axe-core faults, mended where writers and editors work (the
 * answer's change page, a release's page): Select2's inline search box has no label and
 * sits its "clear" button inside its list of choices, an empty single choice has no name,
 * and the tabular inline's first header cell is empty. The page's own markup is fixed in
 * its templates; these come from Django's and Select2's scripts, so a
 * script mends them, again whenever those scripts redraw. */
(function () {
  "use strict";

  function fieldName(select) {
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function mend() {
    for (const box of document.querySelectorAll(".select2-search__field:not([aria-label])")) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const name = select && select.tagName === "SELECT" ? fieldName(select) : "";
      box.setAttribute("aria-label", name ? `Search for ${name.toLowerCase()}` : "Search");
    }
    for (const clear of document.querySelectorAll(
      "ul.select2-selection__rendered > .select2-selection__clear"
    )) {
      clear.parentElement.before(clear);
    }
    // An empty single choice names itself by its (empty) text: name it by its field.
    for (const shown of document.querySelectorAll(".select2-selection__rendered[role='textbox']")) {
      const container = shown.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const empty = !shown.textContent.trim();
      if (empty && !shown.hasAttribute("aria-label")) {
        const name = select && select.tagName === "SELECT" ? fieldName(select) : "";
        shown.setAttribute("aria-label", `${name || "Work cited"}: none chosen`);
      } else if (!empty && shown.hasAttribute("aria-label")) {
        shown.removeAttribute("aria-label");
      }
    }
    for (const cell of document.querySelectorAll(".tabular thead th.original:empty")) {
      const text = document.createElement("span");
      text.className = "visually-hidden";
      text.textContent = "Saved row";
      cell.append(text);
    }
  }

  mend();
  new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
})();
