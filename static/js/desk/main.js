/* The writer's desk on the answer's change page (templates/admin/answers/answer/change_form.html),
 * loaded as a native module: no build step, no inline code, so the CSP stays strict.
 *
 * The server describes the desk in one JSON block (#qa-desk-config, from the template tag
 * answers/templatetags/writers_desk.py): its endpoints, the draft's key and the citation
 * grammar. This module wires the parts together; each keeps its own state:
 * drafts.js (unsaved drafts and the restore banner), preview.js (live preview), layout.js
 * (the form and the preview side by side, the switch, growing text areas), cite.js
 * (citing from the library), saving.js (session check before a save), structure.js (a new
 * answer follows its topic's sections). */

import { setUpCiting } from "./cite.js";
import { createDrafts } from "./drafts.js";
import { setUpLayout } from "./layout.js";
import { createPreview } from "./preview.js";
import { guardSaving } from "./saving.js";
import { followTopicStructure } from "./structure.js";

function start(config, form) {
  const statusLine = document.getElementById("qa-desk-status");
  const say = (message) => {
    statusLine.textContent = message;
  };
  const drafts = createDrafts({ form, key: config.draftKey, say });
  const layout = setUpLayout(form);
  const preview = createPreview({
    form,
    urls: config,
    say,
    onShown: layout.fit,
    onSessionExpired: () => saving.expired(),
  });
  const saving = guardSaving({ form, urls: config, drafts, preview, say });
  const citing = setUpCiting({
    form,
    urls: config,
    grammar: config.citing,
    say,
    onSessionExpired: () => saving.expired(),
  });
  followTopicStructure({
    form,
    urls: config,
    say,
    onChanged: () => {
      drafts.keep();
      preview.schedule(0);
    },
  });

  function edited(event) {
    // A reply typed beside a comment belongs to the comment's own form (comments.js).
    if (event.target.form !== form) return;
    if (!event.target.name || event.target.name.includes("__prefix__")) return;
    saving.edited();
    drafts.keep();
    preview.schedule();
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  document.addEventListener("formset:added", (event) => {
    citing.addButtons();
    if (event.detail && event.detail.formsetName === "sections") preview.schedule();
  });
  document.addEventListener("formset:removed", () => {
    saving.edited();
    drafts.keep();
    preview.schedule();
  });

  const unsaved = drafts.offer({
    onRestored: () => {
      saving.edited();
      preview.schedule(0);
    },
  });
  if (unsaved) saving.edited();
  preview.schedule(0);
}

const element = document.getElementById("qa-desk-config");
if (element) start(JSON.parse(element.textContent), element.closest("form"));
