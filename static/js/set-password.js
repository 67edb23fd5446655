// Set your password: the one-time link emailed to a new account (e.g. a representative registered by the
// chair) opens this page with ?token=…; the token leaves the address bar once read.
import { api, el, fill, $, start, showErrors, fieldError } from './common.js';

const MIN_LENGTH = 12;
let token = '';

start(async () => {
  token = new URLSearchParams(location.search).get('token') || '';
  if (token) {
    // Keep the one-time token out of the address bar (and so out of history and shoulder-surfing).
    history.replaceState(null, '', location.pathname);
  }
  if (!token) {
    fill($('#content'), el('div', { class: 'notice', id: 'no-token' },
      el('p', {}, 'This page needs the link from your email. Open the link in the email again, or ask the conference chair to send you a new one.'),
      el('p', {}, 'If you have already set your password, ', el('a', { href: '/' }, 'sign in'), '.')));
    return;
  }
  fill($('#content'), form());
});

function form() {
  const f = el('form', { id: 'set-password', class: 'card', novalidate: true },
    el('p', {}, 'Choose the password you will sign in with. The link in your email works once.'),
    el('div', { class: 'form-group' },
      el('label', { for: 'new-password' }, 'New password'),
      el('span', { class: 'hint', id: 'new-password-hint' }, `At least ${MIN_LENGTH} characters. A few words you will remember make a good password.`),
      el('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', 'aria-describedby': 'new-password-hint' })),
    el('div', { class: 'form-group' },
      el('label', { for: 'confirm-password' }, 'Type it again'),
      el('input', { type: 'password', id: 'confirm-password', autocomplete: 'new-password' })),
    el('button', { type: 'submit', id: 'set-password-button' }, 'Set my password'));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const password = $('#new-password').value;
    const again = $('#confirm-password').value;
    const errors = [];
    fieldError('new-password', null);
    fieldError('confirm-password', null);
    if (!password) errors.push({ field: 'new-password', message: 'Enter a new password' });
    else if ([...password].length < MIN_LENGTH) errors.push({ field: 'new-password', message: `Use at least ${MIN_LENGTH} characters` });
    else if (password !== again) errors.push({ field: 'confirm-password', message: 'The two passwords are not the same' });
    errors.forEach((e) => fieldError(e.field, e.message));
    if (errors.length) return showErrors(errors);
    const button = $('#set-password-button');
    button.disabled = true;
    try {
      const user = await api('POST', '/auth/set-password', { token, password });
      showErrors([]);
      token = '';
      fill($('#page-title'), 'Your password is set');
      fill($('#content'), el('div', { class: 'card success', id: 'password-set' },
        el('p', {}, 'Sign in with your email address, ', el('strong', {}, user.email), ', and the password you have just chosen.'),
        el('p', {}, el('a', { class: 'button', href: '/', id: 'go-sign-in' }, 'Sign in'))));
      $('#main').focus();
    } catch (e) {
      button.disabled = false;
      if (e.status === 401) {
        token = '';
        showErrors([]);
        fill($('#page-title'), 'This link cannot be used');
        fill($('#content'), el('div', { class: 'notice fail', id: 'link-invalid' },
          el('p', {}, 'The link is not valid, has already been used, or has expired.'),
          el('p', {}, 'Ask the conference chair to send you a new one. If you have already set your password, ', el('a', { href: '/' }, 'sign in'), '.')));
        $('#main').focus();
      } else if (e.status === 422) {
        fieldError('new-password', e.message);
        showErrors([{ field: 'new-password', message: e.message }]);
      } else {
        showErrors([{ message: e.message }]);
      }
    }
  });
  return f;
}
