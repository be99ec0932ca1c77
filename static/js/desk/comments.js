/* Comments in place on the answer's change page: Reply and Mark resolved are sent with
 * fetch and answered in JSON (review_cycle.CommentView), so the page does not reload and
 * the writer's unsaved edits in the answer's form stay exactly as they are. Without this
 * script the same forms post as plain forms to the same addresses. What the server says,
 * success or refusal, is written beside the comment. */

import { freshCsrf, wentToLogin } from "./server.js";

const UNREACHABLE =
  "Not sent: the server cannot be reached. What you typed is still here; try again when you are back online.";

function tell(id, message, isError, link) {
  const said = document.getElementById(`review-comment-${id}-said`);
  if (!said) return;
  said.replaceChildren(message);
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.target = "_blank";
    anchor.rel = "noopener";
    anchor.textContent = link.text;
    said.append(" ", anchor);
  }
  said.classList.toggle("qa-comment-said-error", Boolean(isError));
}

const EXPIRED =
  "Not sent: your session has expired. What you typed here and in the form is still here: " +
  "log in again in a new tab, then press the button again.";

function redraw(id, html) {
  const old = document.getElementById(`review-comment-${id}`);
  if (!old) return null;
  const doc = new DOMParser().parseFromString(html, "text/html");
  const fresh = doc.getElementById(`review-comment-${id}`);
  if (!fresh) return null;
  const adopted = document.adoptNode(fresh);
  old.replaceWith(adopted);
  return adopted;
}

async function send(commentForm) {
  const id = commentForm.dataset.comment;
  const loginUrl = commentForm.dataset.loginUrl;
  const isReply = commentForm.dataset.kind === "reply";
  freshCsrf(commentForm);
  let response;
  try {
    response = await fetch(commentForm.action, {
      method: "POST",
      body: new FormData(commentForm), // the reply's text belongs to it through form=""
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  } catch (error) {
    tell(id, UNREACHABLE, true);
    return;
  }
  if (wentToLogin(response, loginUrl)) {
    tell(id, EXPIRED, true, { href: loginUrl, text: "Log in again (opens a new tab)" });
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("application/json")) {
    tell(
      id,
      response.status === 403
        ? "Not sent: the page's security check failed, as it does after logging in again elsewhere. " +
            "Save your edits, reload the page, then try again."
        : `Not sent: the server answered ${response.status}. What you typed is still here; try again.`,
      true,
    );
    return;
  }
  const data = await response.json();
  if (!response.ok) {
    // A comment resolved meanwhile is redrawn as resolved; otherwise the typed reply stays.
    if (data.resolved && data.html) redraw(id, data.html);
    tell(id, data.error, true);
    return;
  }
  const article = redraw(id, data.html);
  tell(id, data.message, false);
  const count = document.getElementById("qa-comments-unresolved");
  if (typeof data.unresolved === "number") {
    if (count) count.textContent = `${data.unresolved} unresolved`;
    // "Submit with N comments unresolved" says the number now, or goes once there are none.
    const confirm = document.querySelector(".qa-confirm-unresolved");
    const label = confirm && confirm.querySelector("label");
    if (confirm && data.unresolved === 0) confirm.hidden = true;
    else if (label) {
      const noun = data.unresolved === 1 ? "comment" : "comments";
      label.textContent = `Submit with ${data.unresolved} ${noun} unresolved`;
    }
  }
  if (!article) return;
  const reply = isReply ? article.querySelector("textarea") : null;
  if (reply) {
    reply.focus();
  } else {
    article.tabIndex = -1;
    article.focus();
  }
}

const sending = new Set();

document.addEventListener("submit", async (event) => {
  const commentForm = event.target;
  if (!(commentForm instanceof HTMLFormElement) || !commentForm.classList.contains("qa-comment-form")) {
    return;
  }
  event.preventDefault();
  if (sending.has(commentForm)) return; // a second press while the first is on its way
  sending.add(commentForm);
  try {
    await send(commentForm);
  } finally {
    sending.delete(commentForm);
  }
});
