// Line differences between two texts (pretty-printed JSON), and a three-way merge of JSON objects
// for the conflict view. Rendered as text lines marked "+" and "-", readable without colour.
import { h } from './dom.js';

const MAX_CELLS = 4_000_000;

/** [{op: ' ' | '-' | '+', line}] turning a into b. */
export function diffLines(a, b) {
  const left = a === '' ? [] : a.split('\n');
  const right = b === '' ? [] : b.split('\n');
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) {
    start += 1;
  }
  let endLeft = left.length;
  let endRight = right.length;
  while (endLeft > start && endRight > start && left[endLeft - 1] === right[endRight - 1]) {
    endLeft -= 1;
    endRight -= 1;
  }
  const head = left.slice(0, start).map((line) => ({ op: ' ', line }));
  const tail = left.slice(endLeft).map((line) => ({ op: ' ', line }));
  const x = left.slice(start, endLeft);
  const y = right.slice(start, endRight);
  let middle;
  if (x.length * y.length > MAX_CELLS) {
    middle = [...x.map((line) => ({ op: '-', line })), ...y.map((line) => ({ op: '+', line }))];
  } else {
    middle = lcsDiff(x, y);
  }
  return [...head, ...middle, ...tail];
}

function lcsDiff(x, y) {
  const n = x.length;
  const m = y.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      table[i * (m + 1) + j] = x[i] === y[j] ? table[(i + 1) * (m + 1) + j + 1] + 1
        : Math.max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: ' ', line: x[i] });
      i += 1;
      j += 1;
    } else if (table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1]) {
      out.push({ op: '-', line: x[i] });
      i += 1;
    } else {
      out.push({ op: '+', line: y[j] });
      j += 1;
    }
  }
  while (i < n) {
    out.push({ op: '-', line: x[i] });
    i += 1;
  }
  while (j < m) {
    out.push({ op: '+', line: y[j] });
    j += 1;
  }
  return out;
}

/** A diff as a labelled region of text lines. */
export function diffView(before, after, label) {
  const lines = diffLines(before, after);
  const added = lines.filter((line) => line.op === '+').length;
  const removed = lines.filter((line) => line.op === '-').length;
  const summary = added + removed === 0 ? 'No difference' : `${added} line${added === 1 ? '' : 's'} added, ${removed} removed`;
  return h('section', { class: 'diff', 'aria-label': label },
    h('p', { class: 'diff-summary' }, `${label}: ${summary}`),
    h('pre', { class: 'diff-lines', tabindex: '0' }, lines.map(({ op, line }) =>
      h('span', { class: op === '+' ? 'add' : op === '-' ? 'del' : 'same' }, `${op} ${line}\n`))));
}

export function pretty(value) {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

export function sameJson(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value) {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Three-way merge of the value the edit started from (base), the one saved meanwhile (theirs) and the
 * edit (yours): members changed on one side only are taken from it; members changed on both sides
 * differently are conflicts, filled with yours for the person to decide.
 */
export function merge(base, theirs, yours) {
  if (sameJson(theirs, base)) {
    return { value: yours, conflicts: [] };
  }
  if (sameJson(yours, base) || sameJson(yours, theirs)) {
    return { value: theirs, conflicts: [] };
  }
  if (!isObject(base) || !isObject(theirs) || !isObject(yours)) {
    return { value: yours, conflicts: ['(the whole value)'] };
  }
  const value = {};
  const conflicts = [];
  for (const member of new Set([...Object.keys(theirs), ...Object.keys(yours), ...Object.keys(base)])) {
    const inner = merge(base[member], theirs[member], yours[member]);
    if (inner.value !== undefined) {
      value[member] = inner.value;
    }
    conflicts.push(...inner.conflicts.map((path) => (path === '(the whole value)' ? member : `${member}.${path}`)));
  }
  return { value, conflicts };
}

/** JSON.parse with a message that says where the text goes wrong. */
export function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const position = /position (\d+)/.exec(e.message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = Number(position[1]) - before.lastIndexOf('\n');
      where = `line ${line}, column ${column}: `;
    }
    return { ok: false, error: `${where}${e.message.replace(/^JSON\.parse: /, '')}` };
  }
}
