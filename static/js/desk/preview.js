/* Live preview: a pause in typing posts the unsaved form to the desk's preview endpoint,
 * which renders it with the public page's code; the article goes into the framed public
 * page, the checklist beside it, and the status line says what changed (aria-live). */

import { freshCsrf, wentToLogin } from "./server.js";

const PREVIEW_DELAY = 500;

export function createPreview({ form, urls, say, onSessionExpired, onShown = () => {} }) {
  const frame = document.getElementById("qa-desk-frame");
  const checklistBox = document.getElementById("qa-desk-checklist");
  let timer = null;
  let running = false;
  let again = false;
  let pendingArticle = null;
  let stopped = false;

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay === undefined ? PREVIEW_DELAY : delay);
  }

  function stop() {
    stopped = true;
    window.clearTimeout(timer);
  }

  function showArticle(node) {
    const doc = frame.contentDocument;
    const target = doc && doc.getElementById("qa-desk-article");
    if (!target) {
      pendingArticle = node; // the frame is still loading
      return;
    }
    target.replaceChildren(...Array.from(node.childNodes, (child) => doc.importNode(child, true)));
    pendingArticle = null;
    onShown();
  }

  frame.addEventListener("load", () => {
    if (pendingArticle) showArticle(pendingArticle);
  });

  async function refresh() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    freshCsrf(form);
    try {
      const response = await fetch(urls.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
      if (wentToLogin(response, urls.loginUrl)) {
        say("Your session has expired: the preview stopped. Your text is kept in this browser.");
        onSessionExpired();
        return;
      }
      if (!response.ok) {
        say(`The preview could not be updated (the server answered ${response.status}).`);
        return;
      }
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      showArticle(doc.getElementById("qa-desk-article"));
      checklistBox.replaceChildren(...doc.getElementById("qa-desk-checklist").childNodes);
      say(doc.getElementById("qa-desk-summary").textContent);
    } catch (error) {
      say("The preview could not be updated: the server cannot be reached.");
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  return { schedule, stop };
}
