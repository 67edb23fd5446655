// Admin: every active account, create one (with its roles), disable one.
import { api, el, fill, $, start, hasRole, showErrors, fieldError } from './common.js';

const ROLES = {
  admin: 'Admin (accounts)',
  chair: 'Chair (runs a conference)',
  officer: 'Officer (runs ballots)',
  scrutineer: 'Scrutineer (audit and sign-off)',
  representative: 'Representative (votes at conference)',
  member: 'Member (votes in ballots)',
};
const MIN_LENGTH = 12;
let me = null;

start(async (user) => {
  me = user;
  if (!hasRole(user, 'admin')) {
    fill($('#content'), el('div', { class: 'notice' }, el('p', {}, 'This page is for administrators.'),
      el('p', {}, user ? 'Your account does not have the admin role.' : el('a', { href: '/' }, 'Sign in'))));
    return;
  }
  fill($('#content'),
    el('section', { 'aria-labelledby': 'users-title' },
      el('h2', { id: 'users-title' }, 'Active accounts'),
      el('div', { id: 'user-result', 'aria-live': 'polite' }),
      el('div', { id: 'users' }, el('p', {}, 'Loading…'))),
    newUserForm());
  await loadUsers();
});

async function loadUsers() {
  const users = await api('GET', '/users');
  fill($('#users'),
    el('p', {}, `${users.length} active ${users.length === 1 ? 'account' : 'accounts'}.`),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Accounts' }, el('table', { id: 'user-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Email'),
        el('th', { scope: 'col' }, 'Roles'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Action')))),
      el('tbody', {}, users.map((u) => el('tr', { 'data-user': u.id },
        el('td', {}, u.name),
        el('td', { class: 'email' }, u.email),
        el('td', {}, u.roles.map((r) => el('span', { class: 'tag' }, r))),
        el('td', {}, me && u.id === me.id
          ? el('span', { class: 'muted' }, 'You')
          : el('button', { type: 'button', class: 'secondary', 'data-disable': u.id, onclick: () => disable(u) },
            'Disable', el('span', { class: 'visually-hidden' }, ` ${u.name}`)))))))));
}

async function disable(u) {
  if (!window.confirm(`Disable the account of ${u.name} (${u.email})? They will be signed out at once and cannot sign in again.`)) return;
  try {
    await api('DELETE', `/users/${u.id}`);
    showErrors([]);
    fill($('#user-result'), el('p', { class: 'notice success' }, `The account of ${u.name} is disabled.`));
    await loadUsers();
  } catch (e) { showErrors([{ message: e.message }]); }
}

function newUserForm() {
  const form = el('form', { id: 'new-user', class: 'card', novalidate: true },
    el('h2', {}, 'Create an account'),
    el('div', { class: 'form-group' }, el('label', { for: 'user-name' }, 'Full name'),
      el('input', { type: 'text', id: 'user-name', autocomplete: 'off' })),
    el('div', { class: 'form-group' }, el('label', { for: 'user-email' }, 'Email address'),
      el('input', { type: 'email', id: 'user-email', autocomplete: 'off', spellcheck: 'false' })),
    el('div', { class: 'form-group' }, el('label', { for: 'user-password' }, 'Password'),
      el('span', { class: 'hint', id: 'user-password-hint' }, `At least ${MIN_LENGTH} characters. Give it to the person by a safe route.`),
      el('input', { type: 'password', id: 'user-password', autocomplete: 'new-password', 'aria-describedby': 'user-password-hint' })),
    el('div', { class: 'form-group' },
      el('fieldset', { id: 'user-roles' }, el('legend', {}, 'Roles'),
        Object.entries(ROLES).map(([r, t]) => el('div', { class: 'choice' },
          el('input', { type: 'checkbox', id: `role-${r}`, value: r }), el('label', { for: `role-${r}` }, t))))),
    el('button', { type: 'submit', id: 'create-user' }, 'Create account'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('#user-name').value.trim();
    const email = $('#user-email').value.trim();
    const password = $('#user-password').value;
    const roles = Object.keys(ROLES).filter((r) => $(`#role-${r}`).checked);
    const errors = [];
    for (const id of ['user-name', 'user-email', 'user-password']) fieldError(id, null);
    if (!name) errors.push({ field: 'user-name', message: 'Enter the person’s name' });
    if (!email) errors.push({ field: 'user-email', message: 'Enter their email address' });
    if ([...password].length < MIN_LENGTH) errors.push({ field: 'user-password', message: `Give a password of at least ${MIN_LENGTH} characters` });
    if (!roles.length) errors.push({ field: `role-${Object.keys(ROLES)[0]}`, message: 'Choose at least one role' });
    errors.filter((e) => !e.field.startsWith('role-')).forEach((e) => fieldError(e.field, e.message));
    if (errors.length) return showErrors(errors);
    try {
      const u = await api('POST', '/users', { email, name, password, roles });
      showErrors([]);
      form.reset();
      fill($('#user-result'), el('p', { class: 'notice success' }, `Account created for ${u.name} (${u.email}).`));
      await loadUsers();
    } catch (e) {
      const field = /^email/i.test(e.message) || e.status === 409 ? 'user-email' : /^name/i.test(e.message) ? 'user-name' : /^password/i.test(e.message) ? 'user-password' : null;
      if (field) fieldError(field, e.message);
      showErrors([{ field, message: e.message }]);
    }
  });
  return form;
}
