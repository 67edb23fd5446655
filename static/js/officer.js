// Officer: create or edit a ballot, import a roll (a summary, with how the header was read), open, watch
// delivery of the invitations (progress, failing addresses), resend one invitation, watch turnout by LMC
// area, send reminders (with how many and when the last went, confirmed), close, publish.
import { api, el, fill, $, start, hasRole, showErrors, fieldError, percent, barChart } from './common.js';
import { rollSection, loadRoll, turnoutCsvLink } from './officer-roll.js';
import { scheduleSection, loadSchedule } from './officer-reminders.js';
import { verifiabilityFieldset, readVerifiability, fillVerifiability, trusteesSection, loadTrustees } from './officer-e2e.js';

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
  const e = /^#edit-(\d+)$/.exec(location.hash);
  if (e) return showNew(await api('GET', `/ballots/${e[1]}`));
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

/** Create a ballot, or (given a draft) edit it. */
async function showNew(draft = null) {
  fill($('#page-title'), draft ? `Edit: ${draft.title}` : 'Create a ballot');
  nq = 0;
  const questions = el('div', { id: 'questions' }, draft ? draft.questions.map(() => questionFieldset()) : questionFieldset());
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
    verifiabilityFieldset(),
    el('button', { type: 'submit', id: 'create-ballot' }, draft ? 'Save changes' : 'Create ballot'));
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
    const checking = readVerifiability(errors);
    for (const id of ['title', ...qs.map((_, i) => `q${i + 1}-text`)]) fieldError(id, null);
    errors.forEach((e) => fieldError(e.field, e.message));
    if (errors.length) return showErrors(errors);
    const body = { title, description: $('#description').value.trim(), questions: qs, publication: $('#publication').value, ...checking };
    if ($('#opens').value) body.opens_at = $('#opens').value;
    if ($('#closes').value) body.closes_at = $('#closes').value;
    try {
      const b = draft ? await api('PUT', `/ballots/${draft.id}`, body) : await api('POST', '/ballots', body);
      location.hash = `#ballot-${b.id}`;
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  fill($('#content'), el('p', {}, el('a', { href: draft ? `#ballot-${draft.id}` : '#' }, draft ? 'Back to the ballot' : 'Back to all ballots')), form);
  if (draft) {
    const local = (t) => (t ? new Date(t).toLocaleString('sv-SE', { timeZone: 'Europe/London' }).slice(0, 16).replace(' ', 'T') : '');
    $('#title').value = draft.title;
    $('#description').value = draft.description || '';
    $('#publication').value = draft.publication;
    $('#opens').value = local(draft.opens_at);
    $('#closes').value = local(draft.closes_at);
    draft.questions.forEach((q, i) => {
      const k = i + 1;
      $(`#q${k}-text`).value = q.text;
      $(`#q${k}-kind`).value = q.kind;
      $(`#q${k}-kind`).dispatchEvent(new Event('change'));
      if (q.options && q.options.length) $(`#q${k}-options`).value = q.options.join('\n');
      if (q.max) $(`#q${k}-max`).value = String(q.max);
    });
    await fillVerifiability(draft);
  }
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
  parts.push(trusteesSection(b));
  if (b.status === 'draft') parts.push(rollForm(b), openForm(b));
  if (b.status === 'draft') parts.push(el('p', {}, el('a', { href: `#edit-${id}`, id: 'edit-ballot' }, 'Edit the questions and times')));
  parts.push(rollSection(b));
  if (b.status === 'draft') parts.push(scheduleSection(b));
  if (b.status !== 'draft') parts.push(el('section', { id: 'delivery', class: 'card', 'aria-labelledby': 'delivery-title' }, el('h2', { id: 'delivery-title' }, 'Invitations and reminders')));
  if (b.status === 'open') {
    parts.push(resendForm(b), remindersSection(b), scheduleSection(b));
    parts.push(el('section', { id: 'turnout', 'aria-live': 'polite' }));
    parts.push(el('div', { class: 'button-row' },
      action('Close the ballot', 'warning', `/ballots/${id}/close`, () => null, 'close', 'Close the ballot now? Nobody will be able to vote after this.')));
    parts.push(el('div', { id: 'action-result', 'aria-live': 'polite' }));
  }
  if (b.status === 'closed') {
    parts.push(el('p', {}, el('a', { href: `/ballots/${id}/results` }, 'See the results')), turnoutCsvLink(id),
      action('Publish the results', '', `/ballots/${id}/publish`, () => null, 'publish', 'Publish the results and email everyone on the roll?'),
      el('div', { id: 'action-result', 'aria-live': 'polite' }));
  }
  if (b.status === 'published') parts.push(el('p', {}, el('a', { href: `/ballots/${id}/results` }, 'See the published results')));
  fill($('#content'), parts);
  await Promise.all([loadRoll(id), loadSchedule(id, { setField: true }), loadTrustees(b)]);
  if (b.status !== 'draft') await delivery(id);
  if (b.status === 'open') {
    await Promise.all([turnout(id), reminderInfo(id)]);
    let tick = 0;
    timer = setInterval(() => {
      tick += 1;
      delivery(id).catch(() => {});
      if (tick % 5 === 0) { turnout(id).catch(() => {}); reminderInfo(id).catch(() => {}); loadSchedule(id).catch(() => {}); }
    }, 2000);
  }
}

const n = (x) => Number(x).toLocaleString('en-GB');
const when = (t) => new Date(t).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' });
const KIND = { invitation: 'Invitations', reminder: 'Reminders', confirmation: 'Vote confirmations', results: 'Results notices' };

/** Delivery status, refreshed every 2 seconds while the ballot is open: a progress bar per kind of mail,
 * and the failing addresses with the relay's answer. */
async function delivery(id) {
  const m = await api('GET', `/ballots/${id}/mail`);
  const box = $('#delivery');
  if (!box) return;
  const kinds = m.by_kind.length ? m.by_kind : [{ kind: 'invitation', total: 0, sent: 0 }];
  fill(box,
    el('h2', { id: 'delivery-title' }, 'Invitations and reminders'),
    kinds.map((k) => el('div', { class: 'form-group', 'data-kind': k.kind },
      el('label', { for: `progress-${k.kind}` }, `${KIND[k.kind] || k.kind}: ${n(k.sent)} of ${n(k.total)} sent`),
      el('progress', { id: `progress-${k.kind}`, max: String(Math.max(1, k.total)), value: String(k.sent) }))),
    el('p', { id: 'delivery-summary' },
      `${n(m.sent)} sent, ${n(m.pending)} queued`,
      m.failing ? [', ', el('strong', {}, `${n(m.failing)} failing`)] : '',
      m.cancelled ? `, ${n(m.cancelled)} cancelled at close` : '', '.'),
    m.failures.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Failing addresses' }, el('table', { id: 'failing' },
      el('caption', { class: 'label' }, 'Not delivered yet (retried automatically, waiting longer each time)'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'To'), el('th', { scope: 'col', class: 'num' }, 'Attempts'),
        el('th', { scope: 'col' }, 'Why'), el('th', { scope: 'col' }, 'Next try'))),
      el('tbody', {}, m.failures.map((f) => el('tr', {},
        el('td', {}, `${f.to_name} <${f.to_addr}>`), el('td', { class: 'num' }, String(f.attempts)),
        el('td', {}, f.error), el('td', {}, when(f.next_attempt_at))))))) : null);
}

function resendForm(b) {
  const out = el('div', { id: 'resend-result', 'aria-live': 'polite' });
  const form = el('form', { id: 'resend-form', class: 'card', novalidate: true },
    el('h2', {}, 'Resend one invitation'),
    el('div', { class: 'form-group' },
      el('label', { for: 'resend-no' }, 'Membership number'),
      el('span', { class: 'hint', id: 'resend-hint' }, 'The GP gets the same voting code again, at the address on the roll.'),
      el('input', { type: 'text', id: 'resend-no', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'resend-hint' })),
    el('button', { type: 'submit', class: 'secondary', id: 'resend' }, 'Resend the invitation'),
    out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const no = $('#resend-no').value.trim();
    fieldError('resend-no', null);
    if (!no) { fieldError('resend-no', 'Enter a membership number'); return showErrors([{ field: 'resend-no', message: 'Enter a membership number' }]); }
    try {
      await api('POST', `/ballots/${b.id}/resend`, { membership_no: no });
      showErrors([]);
      fill(out, el('p', { class: 'notice success' }, `Invitation for ${no} queued again.`));
      delivery(b.id).catch(() => {});
    } catch (e) {
      fill(out, null);
      fieldError('resend-no', e.message);
      showErrors([{ field: 'resend-no', message: e.message }]);
    }
  });
  return form;
}

function remindersSection(b) {
  const button = el('button', { type: 'button', class: 'secondary', id: 'remind', 'data-action': 'remind' }, 'Send reminders…');
  button.addEventListener('click', async () => {
    const r = await api('GET', `/ballots/${b.id}/reminders`);
    const soon = r.next_without_force_at && new Date(r.next_without_force_at) > new Date();
    const confirmBox = el('div', { class: 'notice warning', id: 'remind-confirm', role: 'alertdialog', 'aria-labelledby': 'remind-confirm-text' },
      el('p', { id: 'remind-confirm-text' }, el('strong', {}, `Send ${n(r.would_send)} reminders now?`),
        r.last_sent_at ? ` The last ${n(r.last_count)} went ${when(r.last_sent_at)}.` : ' None have been sent yet.',
        soon ? ' That was less than an hour ago: sending again now means some GPs get two reminders within the hour.' : ''),
      el('div', { class: 'button-row' },
        el('button', { type: 'button', id: 'remind-yes', onclick: async () => {
          try {
            const q = await api('POST', `/ballots/${b.id}/remind${soon ? '?force=true' : ''}`);
            fill($('#remind-result'), el('p', { class: 'notice success' }, `${n(q.reminders_queued)} reminders queued.`));
            reminderInfo(b.id).catch(() => {});
            delivery(b.id).catch(() => {});
          } catch (e) { fill($('#remind-result'), null); showErrors([{ message: e.message }]); }
        } }, soon ? 'Send them again anyway' : `Send ${n(r.would_send)} reminders`),
        el('button', { type: 'button', class: 'secondary', id: 'remind-no', onclick: () => fill($('#remind-result'), null) }, 'Cancel')));
    fill($('#remind-result'), confirmBox);
    $('#remind-yes').focus();
  });
  return el('section', { class: 'card', 'aria-labelledby': 'reminders-title' },
    el('h2', { id: 'reminders-title' }, 'Reminders'),
    el('p', { id: 'reminder-info' }, 'Loading…'),
    button,
    el('div', { id: 'remind-result', 'aria-live': 'polite' }));
}

async function reminderInfo(id) {
  const r = await api('GET', `/ballots/${id}/reminders`);
  const box = $('#reminder-info');
  if (!box) return;
  fill(box, `${n(r.would_send)} on the roll have not voted and would be reminded. `,
    r.last_sent_at ? `The last reminders (${n(r.last_count)}) went ${when(r.last_sent_at)}.` : 'No reminders have been sent yet.');
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
    turnoutCsvLink(id),
    table('By LMC area', t.by_lmc),
    table('By role', t.by_role));
}

function rollForm(b) {
  const out = el('div', { id: 'roll-result', 'aria-live': 'polite' });
  const form = el('form', { id: 'roll-form', class: 'card', novalidate: true },
    el('h2', {}, 'Import the electoral roll'),
    el('div', { class: 'form-group' },
      el('label', { for: 'roll-file' }, 'A CSV file'),
      el('span', { class: 'hint', id: 'roll-hint' }, 'A spreadsheet saved as CSV (commas, semicolons or tabs). The first line names the columns: membership number, name, email, LMC and role, in any order (e.g. “Membership No”, “Email address”, “LMC area”). Role is partner, salaried, locum or registrar. Importing again adds new GPs and corrects changed ones.'),
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
      fill($('#roll-size'), n(r.roll_size));
      loadRoll(b.id, { page: 1 }).catch(() => {});
      fill(out, el('div', { class: 'notice ' + (r.rejected.length ? 'fail' : 'success'), id: 'roll-summary' },
        el('p', {}, el('strong', {}, `${n(r.added)} added, ${n(r.changed)} changed, ${n(r.unchanged)} unchanged, ${n(r.rejected.length)} rejected. ${n(r.roll_size)} on the roll now.`)),
        el('p', { class: 'hint', id: 'roll-mapping' }, `Read with “${r.separator === '\t' ? 'tab' : r.separator}” between fields: `,
          r.columns.map((c) => `${c.field} from “${c.header}” (column ${c.column})`).join(', '), '.'),
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
