// Scrutineer: the audit log (its hash chain checked here), turnout, records, sign-off.
import { api, el, fill, $, start, hasRole, showErrors, percent } from './common.js';
import { verifyLog } from './recount.js';

start(async (user) => {
  if (!hasRole(user, 'scrutineer', 'admin')) {
    fill($('#content'), el('div', { class: 'notice' }, el('p', {}, 'This page is for the independent scrutineer.'),
      el('p', {}, user ? 'Your account does not have the scrutineer role.' : el('a', { href: '/' }, 'Sign in'))));
    return;
  }
  const ballots = await api('GET', '/ballots');
  const sections = [];
  for (const b of ballots.filter((x) => x.status !== 'draft')) sections.push(await ballotSection(b, user));
  const log = await api('GET', '/audit-log?limit=10000');
  let logCheck;
  try {
    const n = await verifyLog(log);
    logCheck = el('p', { class: 'notice success', id: 'log-check' }, `All ${n} audit log entries check out: every hash was recomputed in your browser and each links to the one before.`);
  } catch (e) {
    logCheck = el('p', { class: 'notice fail', id: 'log-check' }, e.message);
  }
  fill($('#content'),
    el('h2', {}, 'Ballots'),
    sections.length ? sections : el('p', {}, 'No ballot has opened yet.'),
    el('h2', { id: 'audit-log' }, 'Audit log'),
    logCheck,
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
      el('thead', {}, el('tr', {}, ['#', 'When (UTC)', 'Who', 'What', 'Subject'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, log.slice().reverse().slice(0, 200).map((e) => el('tr', {},
        el('td', {}, String(e.seq)), el('td', {}, e.at.replace('T', ' ').replace('Z', '')), el('td', {}, e.actor),
        el('td', {}, e.action), el('td', {}, e.subject)))))),
    log.length > 200 ? el('p', { class: 'hint' }, `The latest 200 of ${log.length} entries are shown; all were checked.`) : null);
});

async function ballotSection(b, user) {
  const t = await api('GET', `/ballots/${b.id}/turnout`).catch(() => null);
  const closed = b.status === 'closed' || b.status === 'published';
  const parts = [
    el('h3', {}, b.title, ' ', el('span', { class: 'tag' }, b.status)),
    t ? el('p', {}, `Turnout: ${t.voted} of ${t.eligible} (${percent(t.turnout)}).`) : null,
  ];
  if (closed) {
    parts.push(el('p', {}, el('a', { href: `/ballots/${b.id}/results` }, 'Results, receipt check and recount'), ' · ',
      el('a', { href: `/api/v1/ballots/${b.id}/record`, download: `ballot-${b.id}-record.json` }, 'download the signed record')));
    if (b.signed_off) parts.push(el('p', { class: 'notice success' }, 'You have signed off this result sheet.'));
    else if (hasRole(user, 'scrutineer')) parts.push(signoffForm(b));
  }
  return el('section', { class: 'card' }, parts);
}

function signoffForm(b) {
  const id = `statement-${b.id}`;
  const form = el('form', { novalidate: true },
    el('div', { class: 'form-group' }, el('label', { for: id }, 'Your statement'),
      el('span', { class: 'hint', id: `${id}-hint` }, 'What you attest. It is signed into the published record with a hash of these results.'),
      el('textarea', { id, rows: '3', 'aria-describedby': `${id}-hint` }, 'I have checked the count against the record and the audit log.')),
    el('button', { type: 'submit' }, 'Sign off the result sheet'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const statement = $('#' + id).value.trim();
    if (!statement) return showErrors([{ field: id, message: 'Write your statement' }]);
    try {
      await api('POST', `/ballots/${b.id}/signoff`, { statement });
      location.reload();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return form;
}
