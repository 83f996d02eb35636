import { field, h } from '../dom.js';

/** Sign in with a token: it is checked against the node (GET /v1/whoami) before the console opens. */
export function signInView(signIn, error) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  const message = h('p', { class: 'error', role: 'alert' }, error ?? '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'signin',
    'aria-labelledby': 'signin-title',
    onsubmit: async (event) => {
      event.preventDefault();
      button.disabled = true;
      message.textContent = '';
      try {
        await signIn(input.value.trim());
      } catch (e) {
        message.textContent = e.status === 401 ? 'This token is not valid (unknown, revoked or expired).' : e.message;
        button.disabled = false;
        input.focus();
      }
    },
  },
  h('h1', { id: 'signin-title' }, 'configd console'),
  field('Token', input, 'A configd token (cfd_…) or a JWT. It is kept in this tab only and forgotten when you sign out or close the tab.'),
  message,
  h('div', { class: 'actions' }, button));
  queueMicrotask(() => input.focus());
  return h('main', { id: 'main', class: 'signin-page' }, form);
}
