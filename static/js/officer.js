// Officer: create a ballot, import a roll (rejected lines shown), open, watch turnout by LMC area,
// send reminders, close, publish.
import { api, el, fill, $, start, hasRole, showErrors, fieldError, percent, barChart } from './common.js';

let timer = null;

start(async (user) => {
  if (!hasRole(user, 'officer')) {
    fill($('#content'), el('div', { class: 'notice' }, el('p', {}, 'This page is for GPC officers who run ballots.'),
      el('p', {}, user ? 'Your account does not have the officer role.' : el('a', { href: '/' }, 'Sign in'))));
    return;
  }
  window.addEventListener('hashchange', route);
  await route();
});

async function route() {
  if (timer) { clearInterval(timer); timer = null; }
  showErrors([]);
  const m = /^#ballot-(\d+)$/.exec(location.hash);
  if (m) return showBallot(+m[1]);
  if (location.hash === '#new') return showNew();
  return showList();
}

async function showList() {
  fill($('#page-title'), 'Indicative ballots');
  const ballots = await api('GET', '/ballots');
  fill($('#content'),
    el('p', {}, el('a', { class: 'button', href: '#new', id: 'new-ballot' }, 'Create a ballot')),
    ballots.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Ballot'), el('th', { scope: 'col' }, 'Status'), el('th', { scope: 'col', class: 'num' }, 'On the roll'))),
      el('tbody', {}, ballots.map((b) => el('tr', {},
        el('td', {}, el('a', { href: `#ballot-${b.id}` }, b.title)),
        el('td', {}, statusTag(b.status)),
        el('td', { class: 'num' }, String(b.eligible ?? b.roll_size)))))))
      : el('p', {}, 'No ballots yet.'));
}

function statusTag(s) {
  const cls = { draft: 'grey', open: 'green', closed: '', published: '' }[s] ?? '';
  return el('span', { class: 'tag ' + cls }, s[0].toUpperCase() + s.slice(1));
}

// ---- create -----------------------------------------------------------------------------------------

let nq = 0;
function questionFieldset() {
  const i = ++nq;
  const id = (s) => `q${i}-${s}`;
  const kind = el('select', { id: id('kind') },
    el('option', { value: 'yes_no' }, 'Yes or no'),
    el('option', { value: 'one_of' }, 'Choose one option'),
    el('option', { value: 'many_of' }, 'Choose several options'));
  const optionsGroup = el('div', { class: 'hidden', 'data-options': i },
    el('div', { class: 'form-group' }, el('label', { for: id('options') }, 'Options, one per line'),
      el('textarea', { id: id('options'), rows: '5' })),
    el('div', { class: 'form-group', 'data-max': i }, el('label', { for: id('max') }, 'Most options a voter may choose'),
      el('input', { type: 'number', id: id('max'), min: '1', inputmode: 'numeric' })));
  kind.addEventListener('change', () => {
    optionsGroup.classList.toggle('hidden', kind.value === 'yes_no');
    optionsGroup.querySelector(`[data-max="${i}"]`).classList.toggle('hidden', kind.value !== 'many_of');
  });
  return el('fieldset', { class: 'card', 'data-question': i },
    el('legend', {}, `Question ${i}`),
    el('div', { class: 'form-group' }, el('label', { for: id('text') }, 'Question'), el('textarea', { id: id('text'), rows: '2' })),
    el('div', { class: 'form-group' }, el('label', { for: id('kind') }, 'How voters answer'), kind),
    optionsGroup);
}

function showNew() {
  fill($('#page-title'), 'Create a ballot');
  nq = 0;
  const questions = el('div', { id: 'questions' }, questionFieldset());
  const form = el('form', { id: 'ballot-form', novalidate: true },
    el('div', { class: 'form-group' }, el('label', { for: 'title' }, 'Title'), el('input', { type: 'text', id: 'title' })),
    el('div', { class: 'form-group' }, el('label', { for: 'description' }, 'What voters are told (optional)'), el('textarea', { id: 'description', rows: '3' })),
    questions,
    el('button', { type: 'button', class: 'secondary', id: 'add-question', onclick: () => questions.append(questionFieldset()) }, 'Add another question'),
    el('div', { class: 'form-group' }, el('label', { for: 'opens' }, 'Opens (optional, UK time)'),
      el('span', { class: 'hint', id: 'opens-hint' }, 'Leave empty to open it yourself.'),
      el('input', { type: 'datetime-local', id: 'opens', 'aria-describedby': 'opens-hint' })),
    el('div', { class: 'form-group' }, el('label', { for: 'closes' }, 'Closes (optional, UK time)'),
      el('input', { type: 'datetime-local', id: 'closes' })),
    el('div', { class: 'form-group' }, el('label', { for: 'publication' }, 'What the published record shows'),
      el('select', { id: 'publication' },
        el('option', { value: 'full' }, 'Every receipt with its answers (anyone can recount)'),
        el('option', { value: 'receipts_only' }, 'Receipts only (no one can prove how they voted)'))),
    el('button', { type: 'submit', id: 'create-ballot' }, 'Create ballot'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const errors = [];
    const title = $('#title').value.trim();
    if (!title) errors.push({ field: 'title', message: 'Enter a title' });
    const qs = Array.from(document.querySelectorAll('[data-question]'), (fs) => {
      const i = fs.dataset.question;
      const text = $(`#q${i}-text`).value.trim();
      const kind = $(`#q${i}-kind`).value;
      if (!text) errors.push({ field: `q${i}-text`, message: `Enter the text of question ${i}` });
      const q = { text, kind };
      if (kind !== 'yes_no') {
        q.options = $(`#q${i}-options`).value.split('\n').map((s) => s.trim()).filter(Boolean);
        if (q.options.length < 2) errors.push({ field: `q${i}-options`, message: `Give question ${i} at least two options` });
      }
      if (kind === 'many_of') {
        q.max = parseInt($(`#q${i}-max`).value, 10) || (q.options || []).length;
      }
      return q;
    });
    for (const id of ['title', ...qs.map((_, i) => `q${i + 1}-text`)]) fieldError(id, null);
    errors.forEach((e) => fieldError(e.field, e.message));
    if (errors.length) return showErrors(errors);
    const body = { title, description: $('#description').value.trim(), questions: qs, publication: $('#publication').value };
    if ($('#opens').value) body.opens_at = $('#opens').value;
    if ($('#closes').value) body.closes_at = $('#closes').value;
    try {
      const b = await api('POST', '/ballots', body);
      location.hash = `#ballot-${b.id}`;
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  fill($('#content'), el('p', {}, el('a', { href: '#' }, 'Back to all ballots')), form);
}

// ---- one ballot -------------------------------------------------------------------------------------

async function showBallot(id) {
  const b = await api('GET', `/ballots/${id}`);
  fill($('#page-title'), b.title);
  const parts = [
    el('p', {}, el('a', { href: '#' }, 'Back to all ballots')),
    el('dl', { class: 'summary card' },
      el('dt', {}, 'Status'), el('dd', { id: 'ballot-status' }, statusTag(b.status)),
      el('dt', {}, 'Questions'), el('dd', {}, el('ol', {}, b.questions.map((q) => el('li', {}, q.text, q.options.length ? ` (${q.options.join('; ')})` : ' (yes or no)')))),
      el('dt', {}, b.eligible != null ? 'Eligible (frozen)' : 'On the roll'), el('dd', { id: 'roll-size' }, String(b.eligible ?? b.roll_size)),
      b.opens_at ? [el('dt', {}, 'Opens'), el('dd', {}, new Date(b.opens_at).toLocaleString('en-GB', { timeZone: 'Europe/London' }))] : null,
      b.closes_at ? [el('dt', {}, 'Closes'), el('dd', {}, new Date(b.closes_at).toLocaleString('en-GB', { timeZone: 'Europe/London' }))] : null),
  ];
  if (b.status === 'draft') parts.push(rollForm(b), openForm(b));
  if (b.status === 'open') {
    parts.push(el('section', { id: 'turnout', 'aria-live': 'polite' }));
    parts.push(el('div', { class: 'button-row' },
      action('Send reminders to those who have not voted', 'secondary', `/ballots/${id}/remind`, (r) => `${r.reminders_queued} reminders queued.`, 'remind'),
      action('Close the ballot', 'warning', `/ballots/${id}/close`, () => null, 'close', 'Close the ballot now? Nobody will be able to vote after this.')));
    parts.push(el('div', { id: 'action-result', 'aria-live': 'polite' }));
  }
  if (b.status === 'closed') {
    parts.push(el('p', {}, el('a', { href: `/ballots/${id}/results` }, 'See the results')),
      action('Publish the results', '', `/ballots/${id}/publish`, () => null, 'publish', 'Publish the results and email everyone on the roll?'),
      el('div', { id: 'action-result', 'aria-live': 'polite' }));
  }
  if (b.status === 'published') parts.push(el('p', {}, el('a', { href: `/ballots/${id}/results` }, 'See the published results')));
  fill($('#content'), parts);
  if (b.status === 'open') {
    await turnout(id);
    timer = setInterval(() => turnout(id).catch(() => {}), 10000);
  }
}

function action(label, cls, path, message, name, confirmText) {
  return el('button', { type: 'button', class: cls, 'data-action': name, onclick: async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      const r = await api('POST', path);
      const msg = message(r);
      if (msg) fill($('#action-result'), el('p', { class: 'notice success' }, msg));
      else await route();
    } catch (e) { showErrors([{ message: e.message }]); }
  } }, label);
}

async function turnout(id) {
  const t = await api('GET', `/ballots/${id}/turnout`);
  const row = (r) => el('tr', {}, el('th', { scope: 'row' }, r.group), el('td', { class: 'num' }, String(r.eligible)),
    el('td', { class: 'num' }, r.suppressed ? 'hidden' : `${r.voted}+`),
    el('td', { class: 'num' }, r.suppressed ? (r.note || 'too few to show') : percent(r.turnout)));
  const table = (caption, rows) => el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
    el('caption', { class: 'label' }, caption),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Group'), el('th', { scope: 'col', class: 'num' }, 'Eligible'),
      el('th', { scope: 'col', class: 'num' }, 'Voted'), el('th', { scope: 'col', class: 'num' }, 'Turnout'))),
    el('tbody', {}, rows.map(row))));
  fill($('#turnout'),
    el('h2', {}, 'Turnout so far'),
    el('p', { class: 'lede', id: 'turnout-total' }, `${t.voted} of ${t.eligible} have voted (${percent(t.turnout)}).`),
    barChart([{ label: 'Turnout', share: t.turnout, text: percent(t.turnout) }], 'Turnout'),
    el('p', { class: 'hint' }, 'Turnout only: nobody can see how anyone voted, or any results, until the ballot closes. It updates every 10 seconds. Groups with fewer than 10 on the roll are hidden, and group figures move in steps of 10, so that no single vote can be placed in a group.'),
    table('By LMC area', t.by_lmc),
    table('By role', t.by_role));
}

function rollForm(b) {
  const out = el('div', { id: 'roll-result', 'aria-live': 'polite' });
  const form = el('form', { id: 'roll-form', class: 'card', novalidate: true },
    el('h2', {}, 'Import the electoral roll'),
    el('div', { class: 'form-group' },
      el('label', { for: 'roll-file' }, 'A CSV file'),
      el('span', { class: 'hint', id: 'roll-hint' }, 'The first line must be: membership_no,name,email,lmc,role. Role is partner, salaried, locum or registrar.'),
      el('input', { type: 'file', id: 'roll-file', accept: '.csv,text/csv', 'aria-describedby': 'roll-hint' })),
    el('div', { class: 'form-group' },
      el('label', { for: 'roll-text' }, 'Or paste the CSV'),
      el('textarea', { id: 'roll-text', rows: '6', spellcheck: 'false' })),
    el('button', { type: 'submit', id: 'import-roll' }, 'Import'),
    out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = $('#roll-file').files[0];
    const text = file ? await file.text() : $('#roll-text').value;
    if (!text.trim()) return showErrors([{ field: 'roll-text', message: 'Choose a CSV file or paste the roll' }]);
    try {
      const r = await api('POST', `/ballots/${b.id}/roll`, text, { contentType: 'text/csv' });
      showErrors([]);
      fill($('#roll-size'), String(r.roll_size));
      fill(out, el('div', { class: 'notice ' + (r.rejected.length ? 'fail' : 'success') },
        el('p', {}, el('strong', {}, `${r.added} added; ${r.rejected.length} rejected. ${r.roll_size} on the roll now.`)),
        r.rejected.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', { id: 'rejected' },
          el('caption', { class: 'label' }, 'Lines not imported'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num' }, 'Line'), el('th', { scope: 'col' }, 'Why'))),
          el('tbody', {}, r.rejected.map((x) => el('tr', {}, el('td', { class: 'num' }, String(x.line)), el('td', {}, x.reason)))))) : null));
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return form;
}

function openForm(b) {
  return el('section', { class: 'card warning' },
    el('h2', {}, 'Open the ballot'),
    el('p', {}, 'Opening freezes the roll and emails each voter their own voting code. The questions cannot be changed afterwards.'),
    action('Open the ballot and send invitations', '', `/ballots/${b.id}/open`, () => null, 'open', 'Open the ballot now and send the invitations?'),
    el('div', { id: 'action-result', 'aria-live': 'polite' }));
}
