/* Room to write: the switch between form and preview, form only and preview only (kept in
 * this browser); the preview frame as tall as the page it shows, so nothing in it scrolls on
 * its own, held in view while the form scrolls; text areas that grow with their text. */

const LAYOUTS = ["both", "form", "preview"];
const STORAGE_KEY = "qa-desk-layout";
const MARGIN = 16;

function stored() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return LAYOUTS.includes(value) ? value : "both";
  } catch (error) {
    return "both"; // storage refused (private mode): the default, every time
  }
}

function setUpSwitch(desk, onChange) {
  const group = document.querySelector(".qa-desk-switch");
  if (!group) return;
  const buttons = Array.from(group.querySelectorAll("button[data-layout]"));

  function show(layout) {
    desk.dataset.layout = layout;
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.layout === layout));
    }
    onChange();
  }

  for (const button of buttons) {
    button.addEventListener("click", () => {
      show(button.dataset.layout);
      try {
        window.localStorage.setItem(STORAGE_KEY, button.dataset.layout);
      } catch (error) {
        // Not kept: the switch still works on this page.
      }
    });
  }
  group.hidden = false;
  show(stored());
}

/** The frame grows to its document's height; the panel sticks to the top while it fits the
 * window, and to the bottom once taller, so its end comes into view as the form scrolls. */
function setUpFrame(panel, frame) {
  function fit() {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement) return;
    // Measure the content, not the frame's old height (the page's body is at least as tall
    // as its frame); the page's scroll position is put back if the measuring moved it.
    const [x, y] = [window.scrollX, window.scrollY];
    frame.style.height = "0px";
    frame.style.height = `${doc.documentElement.scrollHeight}px`;
    if (window.scrollY !== y) window.scrollTo(x, y);
    const top = Math.min(MARGIN, window.innerHeight - panel.offsetHeight - MARGIN);
    panel.style.setProperty("--qa-desk-sticky-top", `${top}px`);
  }

  function watch() {
    const view = frame.contentWindow;
    if (!view || !view.document.body) return;
    fit();
    new view.ResizeObserver(() => fit()).observe(view.document.body);
  }

  frame.addEventListener("load", watch);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete") watch();
  window.addEventListener("resize", fit);
  new ResizeObserver(() => fit()).observe(panel);
  return fit;
}

/** Without `field-sizing: content` (in the stylesheet), the text areas grow here. */
function setUpGrowing(form) {
  if (window.CSS && CSS.supports("field-sizing", "content")) return;
  const grow = (textarea) => {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  };
  const all = () => form.querySelectorAll(".qa-desk-editor textarea").forEach(grow);
  form.addEventListener("input", (event) => {
    if (event.target.localName === "textarea") grow(event.target);
  });
  document.addEventListener("formset:added", all);
  all();
}

export function setUpLayout(form) {
  const desk = document.getElementById("qa-desk");
  const panel = document.getElementById("qa-desk-panel");
  const frame = document.getElementById("qa-desk-frame");
  if (!desk || !panel || !frame) return { fit() {} };
  const fit = setUpFrame(panel, frame);
  setUpSwitch(desk, fit);
  setUpGrowing(form);
  return { fit };
}
