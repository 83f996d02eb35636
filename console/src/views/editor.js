// A JSON value editor: a text area checked as you type (where the text goes wrong, in a line whose
// space is always kept, so nothing moves), with pretty printing.
import { h, uid } from '../dom.js';
import { parseJson, pretty } from '../diff.js';

export function jsonEditor(text, label, onInput) {
  const id = uid('json');
  const status = h('p', { class: 'json-status', id: `${id}-status`, 'aria-live': 'polite' });
  const area = h('textarea', {
    id, class: 'json', rows: '12', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${id}-status`,
    oninput: () => check(),
  });
  area.value = text;
  const editor = {
    area,
    parsed: null,
    element: null,
    focus: () => area.focus(),
  };
  function check() {
    const parsed = parseJson(area.value);
    editor.parsed = parsed;
    area.setAttribute('aria-invalid', parsed.ok ? 'false' : 'true');
    status.textContent = parsed.ok ? 'Valid JSON' : `Not valid JSON: ${parsed.error}`;
    status.className = `json-status ${parsed.ok ? 'ok' : 'bad'}`;
    onInput?.(parsed);
  }
  const format = h('button', {
    type: 'button',
    onclick: () => {
      if (editor.parsed?.ok) {
        area.value = pretty(editor.parsed.value);
        check();
      }
    },
  }, 'Format');
  editor.element = h('div', { class: 'editor' },
    h('div', { class: 'editor-head' }, h('label', { for: id }, label), format),
    area, status);
  check();
  return editor;
}
