/* A new answer's sections follow its topic while nothing has been written in them. */

import { addRow } from "./form.js";
import { wentToLogin } from "./server.js";

export function followTopicStructure({ form, urls, say, onChanged }) {
  const topic = form.elements.namedItem("topic");
  const total = form.elements.namedItem("sections-TOTAL_FORMS");
  if (!urls.structureUrl || !topic || !total) return;

  const bodies = () => Array.from({ length: Number(total.value) }, (_, index) =>
    form.elements.namedItem(`sections-${index}-body`)).filter(Boolean);

  async function follow() {
    if (bodies().some((body) => body.value.trim())) return;
    let sections;
    try {
      const response = await fetch(`${urls.structureUrl}?topic=${encodeURIComponent(topic.value)}`, {
        credentials: "same-origin",
      });
      if (!response.ok || wentToLogin(response, urls.loginUrl)) return;
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
    onChanged();
  }

  topic.addEventListener("change", follow);
}
