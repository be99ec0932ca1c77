/* Cite from the library: a button under each section body opens a dialog that searches
 * the reference library; choosing a work puts its marker at the cursor and adds the
 * citation row (the label the work already has, or the next free one, numbered by the
 * server's grammar: markers.js). */

import { addRow, fields, setValue } from "./form.js";
import { firstFreeLabel } from "./markers.js";
import { freshCsrf, wentToLogin } from "./server.js";

const SEARCH_DELAY = 250;

export function setUpCiting({ form, urls, grammar, say, onSessionExpired }) {
  const dialog = document.getElementById("qa-cite-dialog");
  const search = document.getElementById("qa-cite-search");
  const results = document.getElementById("qa-cite-results");
  const searchStatus = document.getElementById("qa-cite-status");
  let target = null;
  let range = [0, 0];
  let searchTimer = null;
  let searchCount = 0;

  function sectionHeading(textarea) {
    const heading = form.elements.namedItem(textarea.name.replace(/-body$/, "-heading"));
    return heading && heading.value.trim() ? `“${heading.value.trim()}”` : "this section";
  }

  function addButton(textarea) {
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
    button.addEventListener("click", () => open(textarea));
    (textarea.closest(".flex-container") || textarea).after(button, hint);
  }

  /** A cite button under every section body, those added since included. */
  function addButtons() {
    for (const textarea of form.querySelectorAll("textarea[name^='sections-'][name$='-body']")) {
      addButton(textarea);
    }
  }

  function open(textarea) {
    target = textarea;
    range = [textarea.selectionStart, textarea.selectionEnd];
    // Results from an earlier search would offer labels that may have changed since.
    searchCount += 1;
    search.value = "";
    results.replaceChildren();
    searchStatus.textContent = "";
    lookupInput.value = "";
    lookupResults.replaceChildren();
    lookupStatus.textContent = "";
    dialog.showModal();
    search.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

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

  /** The label `work` is cited under: the one it has, or the first free number. */
  function labelFor(work) {
    const rows = citationRows().filter((row) => !row.deleted);
    const cited = rows.find((row) => row.reference.value === work.id && row.label.value.trim());
    if (cited) return { label: cited.label.value.trim(), isNew: false };
    const texts = fields(form)
      .filter((el) => el.name === "lead" || /^sections-\d+-body$/.test(el.name))
      .map((el) => el.value);
    const labels = rows.map((row) => row.label.value.trim());
    return { label: String(firstFreeLabel(labels, texts, grammar)), isNew: true };
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
    const [start, end] = range;
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
    const textarea = target;
    close();
    insertMarker(textarea, label);
    say(
      isNew
        ? `Cited ${work.short} as [${label}], and added it to the references cited.`
        : `Cited ${work.short} as [${label}], the number it already has.`
    );
  }

  function describe(work) {
    const parts = [work.short, work.title];
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
      if (wentToLogin(response, urls.loginUrl)) {
        close();
        onSessionExpired();
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

  /* Looking up an identifier: works on a new answer too, since the work's library id
   * waits in the citation row like one found by the search, and is cited on save. */
  const lookupInput = document.getElementById("qa-lookup-identifier");
  const lookupButton = document.getElementById("qa-lookup-button");
  const lookupResults = document.getElementById("qa-lookup-results");
  const lookupStatus = document.getElementById("qa-lookup-status");

  async function postLookup(identifier, confirm) {
    freshCsrf(form);
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.namedItem("csrfmiddlewaretoken").value);
    body.append("identifiers", identifier);
    if (confirm) body.append("confirm", "1");
    const response = await fetch(urls.lookupUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
    });
    if (wentToLogin(response, urls.loginUrl)) {
      close();
      onSessionExpired();
      return null;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      lookupStatus.textContent = data.error || "The lookup could not be made: try again.";
      return null;
    }
    return data.results;
  }

  function lookupItem(result) {
    const item = document.createElement("li");
    const text = document.createElement("p");
    text.textContent = `${result.identifier}: ${result.message}`;
    item.append(text);
    for (const note of result.notes) {
      const line = document.createElement("p");
      line.className = "qa-hint";
      line.textContent = note;
      item.append(line);
    }
    if (result.work) {
      const { label, isNew } = labelFor(result.work);
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = isNew
        ? `Cite ${result.work.short} as [${label}]`
        : `${result.work.short} is already cited as [${label}]: put it here`;
      button.addEventListener("click", () => cite(result.work));
      item.append(button);
    } else if (result.status === "new") {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Add ${result.short} to the library and cite it`;
      button.addEventListener("click", async () => {
        button.disabled = true;
        lookupStatus.textContent = "Adding it to the library…";
        try {
          const [added] = (await postLookup(result.identifier, true)) || [];
          if (added && added.work) {
            lookupStatus.textContent = "";
            cite(added.work);
          } else if (added) {
            lookupStatus.textContent = `${added.identifier}: ${added.message}`;
          }
        } catch (error) {
          lookupStatus.textContent = "The server cannot be reached: try again.";
        }
        button.disabled = false;
      });
      item.append(button);
    }
    if (result.handEntry) {
      const link = document.createElement("a");
      link.href = result.handEntry;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "qa-hand-entry";
      link.textContent = "Add the details by hand (opens the library's form in a new tab)";
      item.append(" ", link);
    }
    return item;
  }

  async function runLookup() {
    const identifier = lookupInput.value.trim();
    if (!identifier) {
      lookupStatus.textContent = "Type a DOI or PubMed ID first.";
      return;
    }
    lookupButton.disabled = true;
    lookupStatus.textContent = "Looking it up…";
    lookupResults.replaceChildren();
    try {
      const results = await postLookup(identifier, false);
      if (results) {
        lookupResults.replaceChildren(...results.map(lookupItem));
        lookupStatus.textContent = results.length
          ? "Looked up. Tab to the result to cite it."
          : "Nothing to look up.";
      }
    } catch (error) {
      lookupStatus.textContent = "The server cannot be reached: try again.";
    }
    lookupButton.disabled = false;
  }

  lookupButton.addEventListener("click", runLookup);
  lookupInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // not a form submission
      runLookup();
    }
  });

  dialog.addEventListener("close", () => {
    if (target) target.focus();
  });
  document.getElementById("qa-cite-close").addEventListener("click", close);
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

  addButtons();
  return { addButtons };
}
