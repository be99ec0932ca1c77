/* Citation numbers in unsaved text, read with the grammar the server sends
 * (citations/markers.py, as `config.citing`): no marker pattern is written here. The
 * numbering follows first_free_label in answers/cite_in_answer.py; a test runs both on the
 * same examples (tests/answers/test_desk_grammar.py). Pure functions, so node can run them. */

/** The labels of every marker in `text`, in order ("[2, 5]" gives "2", "5"). */
export function markerLabels(text, grammar) {
  const pattern = new RegExp(grammar.marker.source, grammar.marker.flags);
  const labels = [];
  for (const match of (text || "").matchAll(pattern)) {
    for (const label of match[1].split(grammar.separator)) labels.push(label.trim());
  }
  return labels;
}

/** One more than the highest number used in the rows' labels or the texts' markers. */
export function firstFreeLabel(rowLabels, texts, grammar) {
  const used = rowLabels.filter((label) => /^[0-9]+$/.test(label)).map(Number);
  for (const text of texts) used.push(...markerLabels(text, grammar).map(Number));
  return Math.max(0, ...used) + 1;
}
