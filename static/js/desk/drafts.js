/* Never lose work: every edit is kept in localStorage (one draft per answer and person),
 * and the next visit offers it back with a banner, unless that save went through. */

import { fields, restoreValues, sameValues, valuesOf } from "./form.js";

export function createDrafts({ form, key, say }) {
  function loadedVersion() {
    const field = form.elements.namedItem("loaded_version");
    return field ? field.value : "";
  }

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  /** Keeps the form's values now; `extra` marks the copy (`submitted` before a save). */
  function keep(extra) {
    try {
      window.localStorage.setItem(
        key,
        JSON.stringify({
          values: valuesOf(form),
          base: loadedVersion(),
          savedAt: new Date().toISOString(),
          ...extra,
        })
      );
    } catch (error) {
      say("This browser cannot keep a copy of your changes: save them soon.");
    }
  }

  function drop() {
    try {
      window.localStorage.removeItem(key);
    } catch (error) { /* nothing kept, nothing to drop */ }
  }

  /** Offers a kept draft back. True when the form already shows unsaved text (a refused
   * save); `onRestored` runs once the writer has put a draft back. */
  function offer({ onRestored }) {
    const draft = read();
    if (!draft || !draft.values) return false;
    const refused = document.querySelector(".errornote:not(#qa-desk-session), .errorlist");
    if (refused) {
      // A refused save shows the text sent: it is still unsaved, so keep it.
      keep();
      return true;
    }
    const base = loadedVersion();
    if (draft.submitted && (base === "" || draft.base !== base)) {
      drop(); // that save went through
      return false;
    }
    if (sameValues(draft.values, valuesOf(form))) {
      drop();
      return false;
    }
    const banner = document.getElementById("qa-desk-restore");
    const when = new Date(draft.savedAt);
    let text = `You have unsaved changes from ${when.toLocaleString()}, kept in this browser.`;
    if (base && draft.base && draft.base !== base) {
      text += " The answer has been saved since then: restoring puts your changes over that version.";
    }
    document.getElementById("qa-desk-restore-text").textContent = text;
    banner.hidden = false;
    const yes = document.getElementById("qa-desk-restore-yes");
    yes.addEventListener("click", () => {
      restoreValues(form, draft.values);
      banner.hidden = true;
      keep();
      say("Your unsaved changes are back in the form.");
      onRestored();
      const first = fields(form).find((el) => el.type !== "hidden");
      if (first) first.focus();
    });
    document.getElementById("qa-desk-restore-no").addEventListener("click", () => {
      drop();
      banner.hidden = true;
      say("The unsaved changes were discarded.");
    });
    yes.focus();
    return false;
  }

  return { keep, drop, offer };
}
