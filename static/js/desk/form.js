/* The change form's values and inline rows, read and written the same way by the drafts,
 * the citing and the topic's structure. Functions only: no state lives here. */

const SKIPPED = /^(csrfmiddlewaretoken|loaded_version|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)$/;

/** The fields a writer edits (not the CSRF token, formset counters or template rows). */
export function fields(form) {
  return Array.from(form.elements).filter(
    (el) => el.name && !SKIPPED.test(el.name) && !el.name.includes("__prefix__") &&
      !["submit", "button", "file"].includes(el.type)
  );
}

export function valuesOf(form) {
  const values = {};
  for (const el of fields(form)) {
    if (el.type === "checkbox") values[el.name] = el.checked;
    else if (el.tagName === "SELECT") {
      values[el.name] = Array.from(el.selectedOptions, (o) => [o.value, o.text]);
    } else values[el.name] = el.value;
  }
  return values;
}

export function sameValues(a, b) {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    const left = JSON.stringify(a[name] === undefined ? "" : a[name]);
    const right = JSON.stringify(b[name] === undefined ? "" : b[name]);
    if (left !== right) return false;
  }
  return true;
}

function changed(el) {
  // The admin's widgets (autocomplete, filter_horizontal) listen through its jQuery.
  const jq = window.django && window.django.jQuery;
  if (jq) jq(el).trigger("change");
  else el.dispatchEvent(new Event("change", { bubbles: true }));
}

export function setValue(el, value) {
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

/** Adds a row to an inline formset with the admin's own "Add another" link. */
export function addRow(prefix) {
  const link = document.querySelector(`#${prefix}-group .add-row a`);
  if (link) link.click();
  return Boolean(link);
}

export function restoreValues(form, values) {
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
