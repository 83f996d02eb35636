// Building the page: every piece of data becomes a text node (never markup), so a value holding
// "<img src=x onerror=...>" is shown as those characters and runs nothing.

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate']);

/** An element with attributes (on* are listeners; value/checked/... are properties) and children (nodes or text). */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (PROPERTIES.has(name)) {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child != null && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let ids = 0;
/** A unique id for label/aria references. */
export function uid(prefix = 'id') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form field: the label names the control (its accessible name). */
export function field(label, control, hint) {
  const id = control.id || uid('field');
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) {
    control.setAttribute('aria-describedby', hintId);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('div', { class: 'hint', id: hintId }, hint) : null);
}

export function time(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A modal confirmation; resolves true when confirmed. Escape or Cancel resolve false. */
export function confirmDialog({ title, body, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      h('div', { class: 'dialog-body' }, body),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true) }, confirm),
        // a destructive action starts on Cancel: Enter alone never deletes or revokes
        h('button', { type: 'button', autofocus: danger, onclick: () => close(false) }, 'Cancel')));
    let answered = false;
    function close(answer) {
      if (!answered) {
        answered = true;
        dialog.close();
        dialog.remove();
        resolve(answer);
      }
    }
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A short notice in the fixed notice area (it overlays the page: nothing moves). */
export function notify(text, kind = 'info') {
  const area = document.getElementById('notices');
  const notice = h('div', { class: `notice ${kind}` }, text);
  area.append(notice);
  while (area.childElementCount > 4) {
    area.firstElementChild.remove();
  }
  setTimeout(() => notice.remove(), kind === 'error' ? 10000 : 5000);
}
