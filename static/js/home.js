// Home: sign in, then what this user can do.
import { api, el, fill, $, start, hasRole, showErrors, fieldError, renderHeader } from './common.js';
import { trusteeLinks } from './home-trustee.js';

start(async (user) => {
  const content = $('#content');
  const ballots = await api('GET', '/ballots').catch(() => []);
  const conferences = await api('GET', '/conferences').catch(() => []);
  if (!user) {
    fill($('#page-title'), 'Sign in');
    fill(content, signInForm(), publicLinks(ballots, conferences));
    return;
  }
  fill($('#page-title'), `Hello, ${user.name}`);
  const cards = [];
  if (hasRole(user, 'representative')) {
    // Only the conferences this representative is registered for.
    const mine = (await api('GET', '/me/conferences').catch(() => [])).filter((c) => c.status === 'open');
    cards.push(card('Vote at conference', 'Vote on the motion being taken now, from your phone or laptop.',
      mine.map((c) => el('a', { href: `/conference/${c.id}`, 'data-conference': c.id }, `Vote at ${c.name}`))));
  }
  if (hasRole(user, 'chair')) {
    cards.push(card('Chair a conference', 'Build the agenda, take motions as a whole or in parts, open and close polls.',
      conferences.map((c) => el('span', {},
        el('a', { href: `/conference/${c.id}/chair` }, `Chair ${c.name}`), ' · ',
        el('a', { href: `/conference/${c.id}/projector` }, 'projector screen')))));
    cards.push(newConferenceCard());
  }
  if (hasRole(user, 'officer')) {
    cards.push(card('Run indicative ballots', 'Create a ballot, import the roll, open it, watch turnout, close and publish.',
      [el('a', { href: '/officer' }, 'Go to ballots')]));
  }
  if (hasRole(user, 'scrutineer')) {
    cards.push(card('Scrutinise', 'Read the audit log, turnout and records; sign off results.',
      [el('a', { href: '/scrutineer' }, 'Go to the scrutineer’s page')]));
  }
  if (hasRole(user, 'trustee')) {
    cards.push(card('Trustee of end-to-end ballots', 'Make your key before a ballot opens; decrypt your share of the result after it closes.',
      await trusteeLinks(user, ballots)));
  }
  if (hasRole(user, 'admin')) {
    cards.push(card('Manage accounts', 'See every account, create one with its roles, disable one.',
      [el('a', { href: '/admin', id: 'admin-link' }, 'Go to accounts')]));
  }
  const open = ballots.filter((b) => b.status === 'open');
  if (hasRole(user, 'member') || open.length) {
    cards.push(card('Vote in a ballot', 'Use the link in your invitation email, or your voting code.',
      open.map((b) => el('a', { href: `/vote/${b.id}` }, `Vote in ${b.title}`))));
  }
  fill(content, el('ul', { class: 'card-grid' }, cards.map((c) => el('li', {}, c))), publicLinks(ballots, conferences));
});

function card(title, text, links) {
  return el('div', { class: 'card feature' }, el('h2', {}, title), el('p', {}, text),
    links.length ? el('ul', {}, links.map((l) => el('li', {}, l))) : el('p', { class: 'muted' }, 'Nothing to do here yet.'));
}

function publicLinks(ballots, conferences) {
  const done = ballots.filter((b) => b.status === 'closed' || b.status === 'published');
  return el('section', { 'aria-labelledby': 'public-title' },
    el('h2', { id: 'public-title' }, 'Results and records'),
    el('p', {}, 'Anyone can read these, check a receipt, and recount a closed ballot in their browser.'),
    el('ul', {},
      done.map((b) => el('li', {}, el('a', { href: `/ballots/${b.id}/results` }, `Results of ${b.title}`))),
      conferences.map((c) => el('li', {}, el('a', { href: `/conference/${c.id}/resolutions` }, `Resolutions of ${c.name}`))),
      done.length + conferences.length === 0 ? el('li', {}, 'Nothing published yet.') : null));
}

function signInForm() {
  const form = el('form', { id: 'sign-in', novalidate: true, class: 'card' },
    el('p', {}, 'Sign in with the email address and password your LMC or the GPC office gave you. ',
      'To vote in a ballot you do not need an account: use the link in your invitation email.'),
    el('div', { class: 'form-group' },
      el('label', { for: 'email' }, 'Email address'),
      el('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', spellcheck: 'false' })),
    el('div', { class: 'form-group' },
      el('label', { for: 'password' }, 'Password'),
      el('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password' })),
    el('button', { type: 'submit', id: 'sign-in-button' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = $('#email').value.trim();
    const password = $('#password').value;
    const errors = [];
    fieldError('email', null);
    fieldError('password', null);
    if (!email) errors.push({ field: 'email', message: 'Enter your email address' });
    if (!password) errors.push({ field: 'password', message: 'Enter your password' });
    errors.forEach((e) => fieldError(e.field, e.message));
    if (errors.length) return showErrors(errors);
    try {
      const r = await api('POST', '/auth/login', { email, password });
      renderHeader(r.user);
      location.assign('/');
    } catch (e) {
      showErrors([{ field: 'email', message: e.message }]);
    }
  });
  return form;
}

function newConferenceCard() {
  const form = el('form', { id: 'new-conference', class: 'card', novalidate: true },
    el('h2', {}, 'Start a conference'),
    el('div', { class: 'form-group' }, el('label', { for: 'conf-name' }, 'Name'),
      el('span', { class: 'hint', id: 'conf-name-hint' }, 'For example, Conference of England LMCs, November 2025'),
      el('input', { type: 'text', id: 'conf-name', 'aria-describedby': 'conf-name-hint' })),
    el('div', { class: 'form-group' }, el('label', { for: 'conf-venue' }, 'Venue (optional)'),
      el('input', { type: 'text', id: 'conf-venue' })),
    el('button', { type: 'submit' }, 'Start conference'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('#conf-name').value.trim();
    if (!name) return showErrors([{ field: 'conf-name', message: 'Enter the conference’s name' }]);
    try {
      const c = await api('POST', '/conferences', { name, venue: $('#conf-venue').value.trim() || null });
      location.assign(`/conference/${c.id}/chair`);
    } catch (e) {
      showErrors([{ field: 'conf-name', message: e.message }]);
    }
  });
  return form;
}
