// Officer: scheduled reminders. The officer sets rounds at so many days before the close (e.g. 7 and 2);
// the service sends each once, when due, to everyone who has not voted by then. The card shows when the
// next goes, and for each round sent when it went and how many.
import { api, el, fill, $, showErrors, fieldError } from './common.js';

const n = (x) => Number(x).toLocaleString('en-GB');
const when = (t) => new Date(t).toLocaleString('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const days = (d) => `${d} ${d === 1 ? 'day' : 'days'} before the close`;

/** The card (draft or open ballots). Call loadSchedule(id) to fill it. */
export function scheduleSection(b) {
  if (!b.closes_at) {
    return el('section', { id: 'schedule', class: 'card', 'aria-labelledby': 'schedule-title' },
      el('h2', { id: 'schedule-title' }, 'Scheduled reminders'),
      el('p', {}, 'This ballot has no closing time. ',
        b.status === 'draft' ? el('a', { href: `#edit-${b.id}` }, 'Set one') : 'Set one before opening',
        ' to send reminders at so many days before the close.'));
  }
  const form = el('form', { id: 'schedule-form', novalidate: true },
    el('div', { class: 'form-group' },
      el('label', { for: 'schedule-days' }, 'Send reminders this many days before the close'),
      el('span', { class: 'hint', id: 'schedule-hint' }, 'Whole days, separated by commas: “7, 2” sends one round seven days before the close and another two days before. Each round goes once, to everyone who has not voted by then. Leave empty to cancel the rounds not yet sent.'),
      el('input', { type: 'text', id: 'schedule-days', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'schedule-hint' })),
    el('button', { type: 'submit', class: 'secondary', id: 'save-schedule' }, 'Save the schedule'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fieldError('schedule-days', null);
    const text = $('#schedule-days').value.trim();
    const parts = text ? text.split(/[\s,;]+/).filter(Boolean) : [];
    const list = parts.map((p) => Number(p));
    if (list.some((d) => !Number.isInteger(d))) {
      const msg = 'Enter whole numbers of days, separated by commas, such as 7, 2';
      fieldError('schedule-days', msg);
      return showErrors([{ field: 'schedule-days', message: msg }]);
    }
    try {
      const r = await api('PUT', `/ballots/${b.id}/reminders/schedule`, { days_before_close: list });
      showErrors([]);
      showSchedule(r, true);
      fill($('#schedule-result'), el('p', { class: 'notice success', id: 'schedule-saved' },
        list.length ? `Saved: reminders go ${[...new Set(list)].sort((a, c) => c - a).join(' and ')} days before the close.` : 'Saved: no reminders are scheduled.'));
    } catch (e) {
      fieldError('schedule-days', e.message);
      showErrors([{ field: 'schedule-days', message: e.message }]);
    }
  });
  return el('section', { id: 'schedule', class: 'card', 'aria-labelledby': 'schedule-title' },
    el('h2', { id: 'schedule-title' }, 'Scheduled reminders'),
    el('p', { id: 'schedule-next', 'aria-live': 'polite' }, 'Loading…'),
    el('div', { id: 'schedule-rounds' }),
    form,
    el('div', { id: 'schedule-result', 'aria-live': 'polite' }));
}

/** Refresh the card from GET /ballots/{id}/reminders (every 10 seconds while the ballot is open). */
export async function loadSchedule(id, { setField = false } = {}) {
  if (!$('#schedule-rounds')) return;
  const r = await api('GET', `/ballots/${id}/reminders`);
  showSchedule(r, setField);
}

function showSchedule(r, setField) {
  if (!$('#schedule-rounds')) return;
  const next = r.schedule.filter((x) => x.state === 'pending').sort((a, b) => new Date(a.due_at) - new Date(b.due_at))[0];
  const sent = r.schedule.filter((x) => x.state === 'sent').sort((a, b) => new Date(b.done_at) - new Date(a.done_at))[0];
  fill($('#schedule-next'),
    next ? [el('strong', {}, `The next round goes ${when(next.due_at)}`), ` (${days(next.days_before_close)}), to everyone who has not voted by then. `]
      : (r.schedule.length ? 'No scheduled round is waiting. ' : 'No reminders are scheduled. '),
    sent ? `The last scheduled round went ${when(sent.done_at)}: ${n(sent.sent_count)} reminders.` : '');
  fill($('#schedule-rounds'), r.schedule.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Scheduled rounds' },
    el('table', { id: 'schedule-table' },
      el('caption', { class: 'visually-hidden' }, 'Scheduled rounds'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Round'), el('th', { scope: 'col' }, 'Due'), el('th', { scope: 'col' }, 'What happened'))),
      el('tbody', {}, r.schedule.map((x) => el('tr', { 'data-round': x.days_before_close },
        el('th', { scope: 'row' }, days(x.days_before_close)),
        el('td', {}, x.due_at ? when(x.due_at) : '—'),
        el('td', {}, x.state === 'pending' ? 'Waiting'
          : x.state === 'sent' ? `Sent ${when(x.done_at)}: ${n(x.sent_count)} reminders${x.note ? ` (${x.note})` : ''}`
            : `Not sent: ${x.note || 'skipped'}`))))))
    : null);
  if (setField) {
    const field = $('#schedule-days');
    if (field && document.activeElement !== field) field.value = r.schedule.map((x) => x.days_before_close).join(', ');
  }
}
