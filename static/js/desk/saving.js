/* Saving without losing work: a save first asks the server whether the session lasts; an
 * expired session keeps the text (in the form and the browser) and asks to log in again in
 * another tab; leaving with unsaved edits asks first. */

import { freshCsrf, wentToLogin } from "./server.js";

export function guardSaving({ form, urls, drafts, preview, say }) {
  const banner = document.getElementById("qa-desk-session");
  let dirty = false;
  let submitting = false;

  function expired() {
    drafts.keep();
    banner.hidden = false;
    banner.scrollIntoView({ block: "center" });
    const link = banner.querySelector("a");
    if (link) link.focus();
  }

  form.addEventListener("submit", async (event) => {
    if (submitting) return;
    event.preventDefault();
    const submitter = event.submitter;
    drafts.keep();
    let live = false;
    try {
      const response = await fetch(urls.sessionUrl, { credentials: "same-origin" });
      const toLogin = wentToLogin(response, urls.loginUrl);
      live = response.ok && !toLogin;
      if (!live && !toLogin) {
        say(`The server did not answer as expected (${response.status}): nothing was sent. Your text is kept in this browser.`);
        return;
      }
    } catch (error) {
      say("The server cannot be reached: nothing was sent. Your text is kept in this browser; save again when you are back online.");
      return;
    }
    if (!live) {
      expired();
      return;
    }
    banner.hidden = true;
    freshCsrf(form);
    drafts.keep({ submitted: true });
    submitting = true;
    preview.stop(); // the page is leaving: no more previews
    if (submitter && submitter.form === form) form.requestSubmit(submitter);
    else form.requestSubmit();
  });

  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });

  return {
    /** The form now holds changes not saved. */
    edited() {
      dirty = true;
    },
    expired,
  };
}
