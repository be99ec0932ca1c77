/* The writer's desk on the answer's change page (templates/admin/answers/answer/change_form.html).
 *
 * - Live preview: a pause in typing posts the unsaved form to the desk's preview endpoint,
 *   which renders it with the public page's code; the article goes into the framed public
 *   page, the checklist beside it, and a status line says what changed (aria-live).
 * - Cite from the library: a button under each section body opens a dialog that searches
 *   the reference library; choosing a work puts its marker at the cursor and adds the
 *   citation row (the label it already has, or the next free one).
 * - Never lose work: every edit is kept in localStorage (per answer and person) and offered
 *   back on the next visit; a save is checked against the session first, and an expired
 *   session keeps the text and asks to log in again; leaving with unsaved edits asks first.
 *
 * Plain script, no build step, no inline code: the Content Security Policy stays strict.
 */
(function () {
  "use strict";

  const config = document.getElementById("qa-desk-config");
  if (!config) return;
  const form = config.closest("form");
  const urls = config.dataset;
  const KEY = urls.draftKey;
  const PREVIEW_DELAY = 500;
  const SEARCH_DELAY = 250;
  const frame = document.getElementById("qa-desk-frame");
  const statusLine = document.getElementById("qa-desk-status");
  const checklistBox = document.getElementById("qa-desk-checklist");
  const sessionBanner = document.getElementById("qa-desk-session");
  const jq = window.django && window.django.jQuery;

  let dirty = false;
  let submitting = false;
  let previewTimer = null;
  let previewRunning = false;
  let previewAgain = false;
  let pendingArticle = null;

  // ------------------------------------------------------------ the form's values

  const SKIPPED = /^(csrfmiddlewaretoken|loaded_version|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)$/;

  function fields() {
    return Array.from(form.elements).filter(
      (el) => el.name && !SKIPPED.test(el.name) && !el.name.includes("__prefix__") &&
        !["submit", "button", "file"].includes(el.type)
    );
  }

  function valuesOf() {
    const values = {};
    for (const el of fields()) {
      if (el.type === "checkbox") values[el.name] = el.checked;
      else if (el.tagName === "SELECT") {
        values[el.name] = Array.from(el.selectedOptions, (o) => [o.value, o.text]);
      } else values[el.name] = el.value;
    }
    return values;
  }

  function sameValues(a, b) {
    const names = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const name of names) {
      const left = JSON.stringify(a[name] === undefined ? "" : a[name]);
      const right = JSON.stringify(b[name] === undefined ? "" : b[name]);
      if (left !== right) return false;
    }
    return true;
  }

  function changed(el) {
    if (jq) jq(el).trigger("change");
    else el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setValue(el, value) {
    if (el.type === "checkbox") el.checked = Boolean(value);
    else if (el.tagName === "SELECT") {
      const wanted = new Set((value || []).map((pair) => pair[0]));
      for (const [optionValue, text] of value || []) {
        if (!Array.from(el.options).some((o) => o.value === optionValue)) {
          el.add(new Option(text, optionValue));
        }
      }
      for (const option of el.options) option.selected = wanted.has(option.value);
      changed(el);
    } else el.value = value;
  }

  function addRow(prefix) {
    const link = document.querySelector(`#${prefix}-group .add-row a`);
    if (link) link.click();
    return Boolean(link);
  }

  function restoreValues(values) {
    for (const prefix of ["sections", "citations"]) {
      const total = form.elements[`${prefix}-TOTAL_FORMS`];
      if (!total) continue;
      let needed = 0;
      const pattern = new RegExp(`^${prefix}-(\\d+)-`);
      for (const name of Object.keys(values)) {
        const match = name.match(pattern);
        if (match) needed = Math.max(needed, Number(match[1]) + 1);
      }
      for (let tries = 0; Number(total.value) < needed && tries < needed; tries += 1) {
        if (!addRow(prefix)) break;
      }
    }
    for (const [name, value] of Object.entries(values)) {
      const el = form.elements.namedItem(name);
      if (el && el.name === name) setValue(el, value);
    }
  }

  // ------------------------------------------------------------ drafts in the browser

  function loadedVersion() {
    const field = form.elements.namedItem("loaded_version");
    return field ? field.value : "";
  }

  function readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function keepDraft(extra) {
    try {
      window.localStorage.setItem(
        KEY,
        JSON.stringify({
          values: valuesOf(),
          base: loadedVersion(),
          savedAt: new Date().toISOString(),
          ...extra,
        })
      );
    } catch (error) {
      say("This browser cannot keep a copy of your changes: save them soon.");
    }
  }

  function dropDraft() {
    try {
      window.localStorage.removeItem(KEY);
    } catch (error) { /* nothing kept, nothing to drop */ }
  }

  function offerDraft() {
    const draft = readDraft();
    if (!draft || !draft.values) return;
    const refused = document.querySelector(".errornote:not(#qa-desk-session), .errorlist");
    if (refused) {
      // A refused save shows the text sent: it is still unsaved, so keep it.
      dirty = true;
      keepDraft();
      return;
    }
    const base = loadedVersion();
    if (draft.submitted && (base === "" || draft.base !== base)) {
      dropDraft(); // that save went through
      return;
    }
    if (sameValues(draft.values, valuesOf())) {
      dropDraft();
      return;
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
      restoreValues(draft.values);
      banner.hidden = true;
      dirty = true;
      keepDraft();
      say("Your unsaved changes are back in the form.");
      schedulePreview(0);
      const first = fields().find((el) => el.type !== "hidden");
      if (first) first.focus();
    });
    document.getElementById("qa-desk-restore-no").addEventListener("click", () => {
      dropDraft();
      banner.hidden = true;
      say("The unsaved changes were discarded.");
    });
    yes.focus();
  }

  // ------------------------------------------------------------ session and saving

  function csrfFromCookie() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function freshCsrf() {
    // Logging in again (in another tab) renews the CSRF token: send the current one.
    const token = csrfFromCookie();
    const field = form.elements.namedItem("csrfmiddlewaretoken");
    if (token && field) field.value = token;
  }

  function wentToLogin(response) {
    return response.redirected && new URL(response.url).pathname === urls.loginUrl;
  }

  function sessionExpired() {
    keepDraft();
    sessionBanner.hidden = false;
    sessionBanner.scrollIntoView({ block: "center" });
    const link = sessionBanner.querySelector("a");
    if (link) link.focus();
  }

  form.addEventListener("submit", async (event) => {
    if (submitting) return;
    event.preventDefault();
    const submitter = event.submitter;
    keepDraft();
    let live = false;
    try {
      const response = await fetch(urls.sessionUrl, { credentials: "same-origin" });
      live = response.ok && !wentToLogin(response);
      if (!live && !wentToLogin(response)) {
        say(`The server did not answer as expected (${response.status}): nothing was sent. Your text is kept in this browser.`);
        return;
      }
    } catch (error) {
      say("The server cannot be reached: nothing was sent. Your text is kept in this browser; save again when you are back online.");
      return;
    }
    if (!live) {
      sessionExpired();
      return;
    }
    sessionBanner.hidden = true;
    freshCsrf();
    keepDraft({ submitted: true });
    submitting = true;
    window.clearTimeout(previewTimer); // the page is leaving: no more previews
    if (submitter && submitter.form === form) form.requestSubmit(submitter);
    else form.requestSubmit();
  });

  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });

  // ------------------------------------------------------------ live preview

  function say(message) {
    statusLine.textContent = message;
  }

  function schedulePreview(delay) {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, delay === undefined ? PREVIEW_DELAY : delay);
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
  }

  frame.addEventListener("load", () => {
    if (pendingArticle) showArticle(pendingArticle);
  });

  async function refreshPreview() {
    if (submitting) return;
    if (previewRunning) {
      previewAgain = true;
      return;
    }
    previewRunning = true;
    freshCsrf();
    try {
      const response = await fetch(urls.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
      if (wentToLogin(response)) {
        say("Your session has expired: the preview stopped. Your text is kept in this browser.");
        sessionExpired();
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
      previewRunning = false;
      if (previewAgain) {
        previewAgain = false;
        schedulePreview();
      }
    }
  }

  function edited(event) {
    if (!event.target.name || event.target.name.includes("__prefix__")) return;
    dirty = true;
    keepDraft();
    schedulePreview();
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  // ------------------------------------------------------------ citing from the library

  const dialog = document.getElementById("qa-cite-dialog");
  const search = document.getElementById("qa-cite-search");
  const results = document.getElementById("qa-cite-results");
  const searchStatus = document.getElementById("qa-cite-status");
  let citeTarget = null;
  let citeRange = [0, 0];
  let searchTimer = null;
  let searchCount = 0;

  function sectionHeading(textarea) {
    const heading = form.elements.namedItem(textarea.name.replace(/-body$/, "-heading"));
    return heading && heading.value.trim() ? `“${heading.value.trim()}”` : "this section";
  }

  function addCiteButton(textarea) {
    if (textarea.dataset.citeButton || textarea.name.includes("__prefix__")) return;
    textarea.dataset.citeButton = "1";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button qa-cite-button";
    button.textContent = "Cite from the library";
    button.id = `${textarea.id}-cite`;
    button.setAttribute("aria-describedby", `${textarea.id}-cite-for`);
    const hint = document.createElement("span");
    hint.id = `${textarea.id}-cite-for`;
    hint.className = "visually-hidden";
    hint.textContent = `Inserts a citation into the body of ${sectionHeading(textarea)} at the cursor.`;
    button.addEventListener("click", () => openCite(textarea));
    (textarea.closest(".flex-container") || textarea).after(button, hint);
  }

  function addCiteButtons() {
    for (const textarea of form.querySelectorAll("textarea[name^='sections-'][name$='-body']")) {
      addCiteButton(textarea);
    }
  }

  function openCite(textarea) {
    citeTarget = textarea;
    citeRange = [textarea.selectionStart, textarea.selectionEnd];
    // Results from an earlier search would offer labels that may have changed since.
    searchCount += 1;
    search.value = "";
    results.replaceChildren();
    searchStatus.textContent = "";
    dialog.showModal();
    search.focus();
  }

  function closeCite() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    if (citeTarget) citeTarget.focus();
  });
  document.getElementById("qa-cite-close").addEventListener("click", closeCite);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not a form submission; choose a result instead
      const first = results.querySelector("button");
      if (first) first.focus();
    }
  });
  search.addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(runSearch, SEARCH_DELAY);
  });

  function citationRows() {
    const total = form.elements.namedItem("citations-TOTAL_FORMS");
    const rows = [];
    for (let index = 0; total && index < Number(total.value); index += 1) {
      const label = form.elements.namedItem(`citations-${index}-label`);
      const reference = form.elements.namedItem(`citations-${index}-reference`);
      const deleted = form.elements.namedItem(`citations-${index}-DELETE`);
      if (!label || !reference) continue;
      rows.push({ index, label, reference, deleted: Boolean(deleted && deleted.checked) });
    }
    return rows;
  }

  function labelsInText() {
    const labels = new Set();
    for (const el of fields()) {
      if (el.name !== "lead" && !/^sections-\d+-body$/.test(el.name)) continue;
      for (const match of el.value.matchAll(/\[([0-9]+(?:, ?[0-9]+)*)\](?!\()/g)) {
        for (const label of match[1].split(",")) labels.add(Number(label.trim()));
      }
    }
    return labels;
  }

  function labelFor(work) {
    const rows = citationRows().filter((row) => !row.deleted);
    const cited = rows.find((row) => row.reference.value === work.id && row.label.value.trim());
    if (cited) return { label: cited.label.value.trim(), isNew: false };
    const used = labelsInText();
    for (const row of rows) if (/^\d+$/.test(row.label.value.trim())) used.add(Number(row.label.value));
    return { label: String(Math.max(0, ...used) + 1), isNew: true };
  }

  function addCitationRow(label, work) {
    let row = citationRows().find(
      (candidate) => !candidate.deleted && !candidate.label.value.trim() && !candidate.reference.value
    );
    if (!row) {
      addRow("citations");
      const rows = citationRows();
      row = rows[rows.length - 1];
    }
    if (!row) return false;
    row.label.value = label;
    setValue(row.reference, [[work.id, work.text]]);
    return true;
  }

  function insertMarker(textarea, label) {
    const [start, end] = citeRange;
    const before = textarea.value.slice(0, start);
    const marker = `${before && !/\s$/.test(before) ? " " : ""}[${label}]`;
    textarea.value = before + marker + textarea.value.slice(end);
    const caret = start + marker.length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function cite(work) {
    const { label, isNew } = labelFor(work);
    if (isNew && !addCitationRow(label, work)) {
      searchStatus.textContent = "The citation row could not be added: add it under References.";
      return;
    }
    const textarea = citeTarget;
    closeCite();
    insertMarker(textarea, label);
    say(
      isNew
        ? `Cited “${work.title}” as [${label}], and added it to the references cited.`
        : `Cited “${work.title}” as [${label}], the number it already has.`
    );
  }

  function describe(work) {
    const parts = [work.title];
    const byline = [work.authors, work.year].filter(Boolean).join(", ");
    if (byline) parts.push(byline);
    if (work.doi) parts.push(`DOI ${work.doi}`);
    if (work.pmid) parts.push(`PMID ${work.pmid}`);
    if (work.retracted) parts.push("RETRACTED");
    return parts.join(" · ");
  }

  async function runSearch() {
    const term = search.value.trim();
    const mine = (searchCount += 1);
    if (!term) {
      results.replaceChildren();
      searchStatus.textContent = "";
      return;
    }
    searchStatus.textContent = "Searching…";
    try {
      const response = await fetch(`${urls.referencesUrl}?q=${encodeURIComponent(term)}`, {
        credentials: "same-origin",
      });
      if (mine !== searchCount) return; // a newer search is under way
      if (wentToLogin(response)) {
        closeCite();
        sessionExpired();
        return;
      }
      if (!response.ok) {
        searchStatus.textContent = `The search failed (the server answered ${response.status}).`;
        return;
      }
      const found = (await response.json()).results;
      const items = found.map((work) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        const { label, isNew } = labelFor(work);
        button.textContent = `${describe(work)} — ${isNew ? `cite as [${label}]` : `already cited as [${label}]`}`;
        button.addEventListener("click", () => cite(work));
        item.append(button);
        return item;
      });
      results.replaceChildren(...items);
      searchStatus.textContent = found.length
        ? `${found.length} ${found.length === 1 ? "work" : "works"} found. Tab to a work and press Enter to cite it.`
        : "No work in the library matches. Add it to the reference library first.";
    } catch (error) {
      searchStatus.textContent = "The search failed: the server cannot be reached.";
    }
  }

  // ------------------------------------------------------------ the topic's structure

  // A new answer's sections follow its topic while nothing has been written in them.
  async function followTopicStructure() {
    const topic = form.elements.namedItem("topic");
    const total = form.elements.namedItem("sections-TOTAL_FORMS");
    if (!urls.structureUrl || !topic || !total) return;
    const bodies = () => Array.from({ length: Number(total.value) }, (_, index) =>
      form.elements.namedItem(`sections-${index}-body`)).filter(Boolean);
    if (bodies().some((body) => body.value.trim())) return;
    let sections;
    try {
      const response = await fetch(`${urls.structureUrl}?topic=${encodeURIComponent(topic.value)}`, {
        credentials: "same-origin",
      });
      if (!response.ok || wentToLogin(response)) return;
      sections = (await response.json()).sections;
    } catch (error) {
      return;
    }
    if (bodies().some((body) => body.value.trim())) return; // written in meanwhile
    while (Number(total.value) > sections.length) {
      const last = document.querySelector(`#sections-${Number(total.value) - 1} .inline-deletelink`);
      if (!last) break;
      last.click();
    }
    for (let tries = 0; Number(total.value) < sections.length && tries < sections.length; tries += 1) {
      if (!addRow("sections")) break;
    }
    sections.forEach((section, index) => {
      const heading = form.elements.namedItem(`sections-${index}-heading`);
      const kind = form.elements.namedItem(`sections-${index}-kind`);
      if (heading) heading.value = section.heading;
      if (kind) kind.value = section.kind;
    });
    say(`The sections now follow the structure of the topic “${topic.selectedOptions[0].text}”.`);
    keepDraft();
    schedulePreview(0);
  }

  if (urls.structureUrl) {
    const topic = form.elements.namedItem("topic");
    if (topic) topic.addEventListener("change", followTopicStructure);
  }

  // ------------------------------------------------------------ start

  addCiteButtons();
  document.addEventListener("formset:added", (event) => {
    addCiteButtons();
    if (event.detail && event.detail.formsetName === "sections") schedulePreview();
  });
  document.addEventListener("formset:removed", () => {
    dirty = true;
    keepDraft();
    schedulePreview();
  });
  offerDraft();
  schedulePreview(0);
})();
