// Chair: the agenda with marks; paste a motion and see its parts before saving; take a motion as a
// whole or in parts; open and close polls; show-of-hands results; the live count of votes cast.
import { api, el, fill, $, start, idFromPath, liveEvents, motionText, MARK_WORDS, showErrors, fieldError, hasRole } from './common.js';
import { agendaImportSection } from './agenda-import.js';
import { renderIndex, renderBar, selectedMotion, chooseMotion, motionFromHash, itemHash } from './running-order.js';
import { itemTools } from './chair_item.js';
import { mountChair } from './speakers.js';

const confId = idFromPath('/conference/');
let conf = null;
/** The latest closed poll of each motion (the one the chair may void). */
let lastClosed = new Map();
/** The agenda as last loaded, and the speakers' panel (which lists the motions to debate). */
let agendaNow = [];
let speakers = null;

start(async (user) => {
  conf = await api('GET', `/conferences/${confId}`);
  document.title = `Chair: ${conf.name} – carried`;
  fill($('#page-title'), `Chair: ${conf.name}`);
  if (!hasRole(user, 'chair')) {
    fill($('#content'), el('div', { class: 'notice' }, el('p', {}, 'This page is for the conference chair. '),
      el('p', {}, user ? 'Your account does not have the chair role.' : el('a', { href: '/' }, 'Sign in'))));
    fill($('#live-status'));
    return;
  }
  fill($('#content'),
    el('section', { id: 'polls', 'aria-labelledby': 'polls-title' }),
    el('section', { id: 'speakers-section', class: 'no-print', 'aria-labelledby': 'speakers-title' }),
    el('nav', { class: 'no-print', 'aria-label': 'Conference pages' }, el('p', {},
      el('a', { href: `/conference/${confId}/projector` }, 'Open the projector screen'), ' · ',
      el('a', { href: `/conference/${confId}/resolutions` }, 'Resolutions'), ' · ',
      el('a', { href: `/conference/${confId}/resolutions/print`, id: 'print-resolutions' }, 'Resolutions to print or save as PDF'), ' · ',
      el('a', { href: `/conference/${confId}` }, 'Representatives’ voting page'))),
    el('section', { id: 'a-motions', class: 'hidden', 'aria-labelledby': 'a-motions-title' }),
    el('section', { id: 'running-order-section', 'aria-labelledby': 'running-order-title' }),
    el('section', { id: 'agenda-section', 'aria-labelledby': 'agenda-title' }, el('h2', { id: 'agenda-title' }, 'The item shown'), el('ol', { id: 'agenda', class: 'agenda' })),
    el('details', { id: 'agenda-setup', open: true }, el('summary', {}, 'Set up: import the agenda, add a motion, register representatives'),
      agendaImportSection(confId, () => refresh()),
      addMotionForm(),
      representativesSection()),
    closeConferenceForm(),
    el('div', { id: 'vote-bar', class: 'vote-bar', role: 'region', 'aria-label': 'Open vote', hidden: true }));
  speakers = mountChair($('#speakers-section'), confId, () => agendaNow);
  await refresh();
  await speakers.refresh();
  window.addEventListener('hashchange', () => {
    const m = last && motionFromHash(last.motions, location.hash);
    if (m) { chooseMotion(m.id); render(); }
  });
  liveEvents(confId, {
    ready: () => { refresh(); speakers.refresh(); },
    speakers_updated: (d) => speakers.event(d),
    poll_opened: () => refresh(),
    poll_closed: () => refresh(),
    motion_updated: () => refresh(),
    agenda_updated: () => refresh(),
    poll_voided: () => refresh(),
    resync: () => { refresh(); speakers.refresh(); },
    poll_progress: (d) => {
      for (const n of document.querySelectorAll(`[data-votes-cast="${d.poll_id}"], [data-bar-votes="${d.poll_id}"]`)) n.textContent = String(d.votes_cast);
    },
  }, (s) => fill($('#live-status'), s === 'live' ? 'Live: votes cast update by themselves.' : 'Reconnecting…'));
});

let refreshing = null;
let again = false;
function refresh() {
  // Coalesce bursts of events into one reload; an event during a reload loads once more after it, so that
  // what the page shows is never older than the last event.
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => { do { again = false; await load(); } while (again); })().finally(() => { refreshing = null; });
  return refreshing;
}

/** The latest state loaded, so that choosing an item shows it without loading again. */
let last = null;
const loadedMotions = () => (last ? last.motions : []);

async function load() {
  const [motions, open, reps, all] = await Promise.all([
    api('GET', `/conferences/${confId}/motions`),
    api('GET', `/conferences/${confId}/polls?open=true`),
    api('GET', `/conferences/${confId}/representatives`).catch(() => []),
    api('GET', `/conferences/${confId}/polls`).catch(() => []),
  ]);
  lastClosed = new Map();
  agendaNow = motions;
  if (speakers) speakers.rerender();
  for (const p of all) if (p.status === 'closed') for (const id of pollMotions(p)) lastClosed.set(id, p);
  if (!last) {
    // The first load: an item named in the address is shown; with an agenda, the setup forms fold away.
    const named = motionFromHash(motions, location.hash);
    if (named) chooseMotion(named.id);
    if (motions.length) $('#agenda-setup').open = false;
  }
  last = { motions, open, reps };
  renderPolls(open, reps.length);
  renderRepresentatives(reps);
  renderAMotions(motions, open);
  render();
}

/** The index, the one item shown in full, and the bar, from the latest state. */
function render() {
  const { motions, open, reps } = last;
  const shown = selectedMotion(motions, open);
  const select = (m) => {
    chooseMotion(m.id);
    if (location.hash !== itemHash(m)) history.pushState(null, '', itemHash(m));
    render();
    $('#agenda-section').scrollIntoView({ block: 'nearest' });
  };
  renderIndex($('#running-order-section'), { confId, motions, open, selected: shown, select, refresh });
  renderBar($('#vote-bar'), { motions, open, nReps: reps.length, close: (id, confirmed) => closePoll(id, null, confirmed), select });
  // Live events re-render the item: keep what the chair was typing or choosing in a poll form.
  const kept = keepFormState($('#agenda'));
  if (shown) {
    const item = agendaItem(shown, open);
    item.append(...itemTools(shown, { confId, conf, motions, open, select, refresh }));
    fill($('#agenda'), item);
  } else {
    fill($('#agenda'), el('li', {}, 'No items yet: import the agenda or add a motion below.'));
  }
  restoreFormState($('#agenda'), kept);
}

function keepFormState(root) {
  const kept = { values: {}, open: [] };
  // Only what the chair changed: an untouched field takes its default for the motion's new state.
  root.querySelectorAll('.open-poll [data-touched][id], form[data-edit] [data-touched][id]').forEach((e) => { kept.values[e.id] = e.value; });
  root.querySelectorAll('details[data-keep][open]').forEach((d) => kept.open.push(d.dataset.keep));
  return kept;
}

function restoreFormState(root, kept) {
  for (const [id, value] of Object.entries(kept.values)) {
    const e = document.getElementById(id);
    if (!e || !root.contains(e)) continue;
    if (e.tagName === 'SELECT' && !Array.from(e.options).some((o) => o.value === value)) continue;
    e.value = value;
    e.dataset.touched = '1';
  }
  root.querySelectorAll('details[data-keep]').forEach((d) => { if (kept.open.includes(d.dataset.keep)) d.open = true; });
  root.querySelectorAll('.open-poll').forEach((f) => f.dispatchEvent(new Event('sync')));
}

function renderPolls(open, nReps) {
  const box = $('#polls');
  const title = el('h2', { id: 'polls-title' }, open.length ? 'Open votes' : 'No vote open');
  if (!open.length) {
    fill(box, title, el('p', {}, `Choose a motion on the agenda below and open a vote. ${nReps} representatives are registered.`));
    return;
  }
  fill(box, title, open.map((p) => el('div', { class: 'card feature', 'data-open-poll': p.id },
    el('h3', {}, p.question),
    el('p', {}, MAJORITY_NEEDED[p.majority] ? `${MAJORITY_NEEDED[p.majority]} ` : null,
      p.method === 'show_of_hands' ? 'Show of hands.' : 'Electronic vote.'),
    p.method === 'electronic'
      ? el('p', { class: 'lede' }, 'Votes cast: ', el('strong', { 'data-votes-cast': p.id }, String(p.votes_cast)), ` of ${nReps} representatives`)
      : showOfHandsForm(p),
    p.method === 'electronic' ? el('button', { type: 'button', class: 'warning', 'data-close-poll': p.id, onclick: () => closePoll(p.id) }, 'Close this vote') : null)));
}

function showOfHandsForm(p) {
  const id = (s) => `soh-${p.id}-${s}`;
  const form = el('form', { novalidate: true },
    el('fieldset', {}, el('legend', {}, 'Result declared'),
      ['carried', 'lost'].map((r) => el('div', { class: 'choice' },
        el('input', { type: 'radio', name: id('result'), id: id(r), value: r }), el('label', { for: id(r) }, r === 'carried' ? 'Carried' : 'Lost')))),
    el('fieldset', {}, el('legend', {}, 'Counts, if taken (optional)'),
      ['for', 'against', 'abstain'].map((c) => el('div', { class: 'form-group' },
        el('label', { for: id(c) }, c[0].toUpperCase() + c.slice(1)),
        el('input', { type: 'number', min: '0', inputmode: 'numeric', id: id(c) })))),
    el('button', { type: 'submit', class: 'warning' }, 'Declare the result and close'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const checked = form.querySelector(`input[name="${id('result')}"]:checked`);
    if (!checked) return showErrors([{ field: id('carried'), message: 'Choose carried or lost' }]);
    const vals = ['for', 'against', 'abstain'].map((c) => $('#' + id(c)).value.trim());
    let counts = null;
    if (vals.some((v) => v !== '')) {
      if (vals.some((v) => !/^\d+$/.test(v))) return showErrors([{ field: id('for'), message: 'Give all three counts as whole numbers, or none' }]);
      counts = { for: +vals[0], against: +vals[1], abstain: +vals[2] };
    }
    await closePoll(p.id, { result: checked.value, counts });
  });
  return form;
}

function askToConfirmClose(pollId, message) {
  const card = document.querySelector(`[data-open-poll="${pollId}"]`);
  const panel = el('div', { class: 'notice warning-panel', role: 'alertdialog', 'aria-labelledby': `confirm-close-${pollId}-title`, id: `confirm-close-${pollId}` },
    el('p', { id: `confirm-close-${pollId}-title` }, el('strong', {}, message)),
    el('div', { class: 'button-row' },
      el('button', { type: 'button', class: 'warning', 'data-confirm-close': pollId, onclick: () => closePoll(pollId, null, true) }, 'Close the vote anyway'),
      el('button', { type: 'button', class: 'secondary', onclick: () => panel.remove() }, 'Keep it open')));
  card?.querySelector('[id^="confirm-close-"]')?.remove();
  card?.append(panel);
  panel.querySelector('button')?.focus();
}

async function closePoll(pollId, declaration, confirmed = false) {
  try {
    if (!declaration && !confirmed) {
      // Fewer than half of the registered representatives voting: ask first.
      const check = await api('GET', `/polls/${pollId}/close-check`);
      if (check.needs_confirmation) return askToConfirmClose(pollId, check.message);
    }
    // Confirmed by the chair: the service closes a vote few have voted in only with {confirm: true}.
    await api('POST', `/polls/${pollId}/close`, declaration || (confirmed ? { confirm: true } : undefined));
    showErrors([]);
    await refresh();
  } catch (e) {
    // The service asks too (someone registered meanwhile): the same question, with its figures.
    if (e.code === 'confirmation_needed') return askToConfirmClose(pollId, `${e.message[0].toUpperCase()}${e.message.slice(1)}`);
    showErrors([{ message: e.message }]);
  }
}

/** The motion ids a poll is on: its motion, or the 'A' motions it puts together. */
function pollMotions(p) {
  if (p.motion_id != null) return [p.motion_id];
  return (p.subject && p.subject.a_motions_en_bloc) || [];
}

function agendaItem(m, open) {
  const busy = open.some((p) => pollMotions(p).includes(m.id));
  const decided = !!m.outcome_text;
  const marks = m.marks.map((k) => el('span', { class: 'tag' + (k === 'grey' ? ' grey' : '') }, MARK_WORDS[k] || k));
  const actions = [];
  // A printed amendment or rider is put on the item it amends (chair_item.js), not voted on by itself.
  const putOnItsItem = (m.kind === 'amendment' || m.kind === 'rider') && m.amends
    && loadedMotions().some((x) => x.id !== m.id && x.item.toLowerCase() === m.amends.toLowerCase());
  if (!decided && !busy && conf.status === 'open' && !putOnItsItem) {
    if (!m.taken_as) {
      actions.push(el('p', {}, 'How will you take it?'),
        el('div', { class: 'button-row' },
          el('button', { type: 'button', class: 'secondary', 'data-take': 'whole', onclick: () => take(m.id, 'whole') }, 'Take as a whole'),
          m.parts.length > 1 ? el('button', { type: 'button', class: 'secondary', 'data-take': 'parts', onclick: () => take(m.id, 'parts') }, 'Take in parts') : null),
        el('details', { 'data-keep': `other-${m.id}` }, el('summary', {}, 'Amendment, rider or procedural motion'), openPollForm(m)));
    } else {
      const partDecided = m.parts.some((p) => p.outcome);
      if (m.taken_as === 'parts' && !partDecided) {
        actions.push(el('p', {}, 'Taken in parts. ',
          el('button', { type: 'button', class: 'secondary', 'data-take': 'whole', onclick: () => take(m.id, 'whole') }, 'Take it as a whole instead')));
      }
      actions.push(openPollForm(m));
    }
    actions.push(decideForm(m));
  }
  const last = lastClosed.get(m.id);
  if (last && conf.status === 'open' && !open.length) actions.push(voidForm(m, last));
  return el('li', { class: 'motion card', id: `motion-${m.id}`, 'data-motion': m.id },
    el('h3', {}, `Motion ${m.item ?? m.number}`, m.title ? `: ${m.title}` : ''),
    marks.length ? el('p', {}, marks) : null,
    m.needs_two_thirds ? el('p', {}, el('span', { class: 'tag' }, 'Needs two-thirds')) : null,
    motionText(m),
    m.taken_as ? el('p', { class: 'hint' }, m.taken_as === 'parts' ? 'Taken in parts.' : 'Taken as a whole.') : null,
    decided ? el('p', { class: 'outcome-text', 'data-outcome': m.id }, m.outcome_text) : null,
    (m.voided_polls || []).map((v) => el('p', { class: 'hint', 'data-voided': v.poll_id }, `Vote voided by the chair: ${v.question} (${v.reason})`)),
    busy ? el('p', {}, el('strong', {}, 'A vote on this motion is open (above).')) : null,
    actions,
    conf.status === 'open' && !decided ? marksForm(m) : null);
}

async function take(motionId, as) {
  try {
    await api('POST', `/motions/${motionId}/take`, { as });
    await refresh();
  } catch (e) { showErrors([{ message: e.message }]); }
}

const PROCEDURAL = {
  motion_be_now_put: 'That the motion be now put (closure)',
  next_business: 'That conference move to next business',
  taken_as_reference: 'That the motion be taken as a reference',
  withdrawal: 'That the motion be withdrawn',
  standing_orders: 'To change or suspend standing orders',
};
const MAJORITY_WORDS = { simple: 'Simple (more for than against)', two_thirds: 'Two-thirds of those voting' };
/** A majority the service gives (a poll's `majority`, a motion's `default_majorities`), as a card says it. */
const MAJORITY_NEEDED = { simple: 'Simple majority.', two_thirds: 'Two-thirds majority.' };

/** The majority the service uses for this subject unless the chair chooses another: the service says
 * (the motion's `default_majorities`); the page does not work it out. */
function defaultMajority(m, kind, procKind) {
  const key = kind === 'procedural' ? procKind : kind === 'substantive' ? 'whole' : kind;
  return (m.default_majorities || {})[key] || 'simple';
}

function majorityReason(m, kind, procKind) {
  const twoThirds = defaultMajority(m, kind, procKind) === 'two_thirds';
  if (kind === 'procedural') {
    return twoThirds ? 'Closure and standing orders need two-thirds of those voting.' : 'This procedural motion needs a simple majority.';
  }
  if (kind === 'substantive') {
    return twoThirds ? 'The agenda committee marked this motion as needing two-thirds.' : 'A motion needs a simple majority unless marked otherwise.';
  }
  const what = kind === 'rider' ? 'A rider' : 'An amendment';
  return twoThirds ? `${what} on this motion needs two-thirds of those voting.` : `${what} needs a simple majority.`;
}

function openPollForm(m) {
  const taken = !!m.taken_as;
  const undecided = m.parts.filter((p) => !p.outcome);
  const idp = `poll-${m.id}`;
  const substantive = !taken ? []
    : m.taken_as === 'parts'
      ? undecided.map((p) => ({ value: JSON.stringify({ part: p.label }), text: `Part ${p.label}` }))
      : [{ value: '"whole"', text: 'The whole motion' }];
  const kindOf = (v) => (['amendment', 'rider', 'procedural'].includes(v) ? v : 'substantive');
  const partOptions = (first) => [el('option', { value: '' }, first), undecided.map((p) => el('option', { value: p.label }, `Part ${p.label}`))];
  const group = (kind, ...children) => el('div', { class: 'hidden', 'data-kind': kind }, children);
  const amendText = `${idp}-amend-text`;
  const riderText = `${idp}-rider-text`;
  const form = el('form', { class: 'open-poll', novalidate: true, 'data-open-poll-form': m.id },
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-subject` }, 'Put to the vote'),
      el('select', { id: `${idp}-subject` },
        substantive.map((s) => el('option', { value: s.value }, s.text)),
        el('option', { value: 'amendment' }, 'An amendment'),
        el('option', { value: 'rider' }, 'A rider (adds a new part)'),
        el('option', { value: 'procedural' }, 'A procedural motion'))),
    group('amendment',
      m.parts.length ? el('div', { class: 'form-group' }, el('label', { for: `${idp}-amend-part` }, 'What it amends'),
        el('select', { id: `${idp}-amend-part` }, partOptions('The opening words (the stem)'))) : null,
      el('div', { class: 'form-group' }, el('label', { for: amendText }, 'The full wording as amended'),
        el('span', { class: 'hint', id: `${amendText}-hint` }, 'If it is carried, this wording replaces the old.'),
        el('textarea', { id: amendText, rows: '3', 'aria-describedby': `${amendText}-hint` }))),
    group('rider',
      el('div', { class: 'form-group' }, el('label', { for: riderText }, 'The wording of the new part'),
        el('span', { class: 'hint', id: `${riderText}-hint` }, 'If it is carried, it is added as the next part.'),
        el('textarea', { id: riderText, rows: '3', 'aria-describedby': `${riderText}-hint` }))),
    group('procedural',
      el('div', { class: 'form-group' }, el('label', { for: `${idp}-proc-kind` }, 'Which procedural motion'),
        el('select', { id: `${idp}-proc-kind` }, Object.entries(PROCEDURAL).map(([v, t]) => el('option', { value: v }, t)))),
      m.parts.length ? el('div', { class: 'form-group', 'data-proc-part': m.id }, el('label', { for: `${idp}-proc-part` }, 'On'),
        el('select', { id: `${idp}-proc-part` }, partOptions('The whole motion'))) : null),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-majority` }, 'Majority'),
      el('span', { class: 'hint', id: `${idp}-majority-hint`, 'data-majority-hint': m.id }),
      el('select', { id: `${idp}-majority`, 'aria-describedby': `${idp}-majority-hint` },
        Object.entries(MAJORITY_WORDS).map(([v, t]) => el('option', { value: v }, t)))),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-method` }, 'How'),
      el('select', { id: `${idp}-method` },
        el('option', { value: 'electronic' }, 'Electronic vote'),
        el('option', { value: 'show_of_hands' }, 'Show of hands'))),
    el('button', { type: 'submit', [taken ? 'data-open-vote' : 'data-open-other']: m.id }, 'Open the vote'));
  const q = (suffix) => form.querySelector(`#${idp}-${suffix}`);
  const current = () => ({ kind: kindOf(q('subject').value), procKind: q('proc-kind').value });
  // Show the fields of the chosen kind of poll, and say which majority it will use.
  const sync = () => {
    const { kind, procKind } = current();
    form.querySelectorAll('[data-kind]').forEach((g) => g.classList.toggle('hidden', g.dataset.kind !== kind));
    const partGroup = form.querySelector('[data-proc-part]');
    if (partGroup) partGroup.classList.toggle('hidden', procKind === 'standing_orders');
    fill(q('majority-hint'), majorityReason(m, kind, procKind));
  };
  const resetMajority = () => {
    const { kind, procKind } = current();
    q('majority').value = defaultMajority(m, kind, procKind);
    sync();
  };
  q('subject').addEventListener('change', resetMajority);
  q('proc-kind').addEventListener('change', resetMajority);
  form.addEventListener('input', (ev) => { ev.target.dataset.touched = '1'; });
  form.addEventListener('change', (ev) => { ev.target.dataset.touched = '1'; });
  // After a re-render: the majority follows the subject unless the chair chose it.
  form.addEventListener('sync', () => (q('majority').dataset.touched ? sync() : resetMajority()));
  resetMajority();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { kind, procKind } = current();
    let subject;
    fieldError(amendText, null);
    fieldError(riderText, null);
    if (kind === 'substantive') {
      subject = JSON.parse(q('subject').value);
    } else if (kind === 'amendment') {
      const text = q('amend-text').value.trim();
      if (!text) {
        fieldError(amendText, 'Give the full wording as amended');
        return showErrors([{ field: amendText, message: `Motion ${m.item ?? m.number}: give the full wording as amended` }]);
      }
      const part = q('amend-part') ? q('amend-part').value : '';
      subject = { amendment: part ? { part, text } : { text } };
    } else if (kind === 'rider') {
      const text = q('rider-text').value.trim();
      if (!text) {
        fieldError(riderText, 'Give the wording of the new part');
        return showErrors([{ field: riderText, message: `Motion ${m.item ?? m.number}: give the wording of the new part` }]);
      }
      subject = { rider: { text } };
    } else {
      const part = procKind !== 'standing_orders' && q('proc-part') ? q('proc-part').value : '';
      subject = { procedural: { kind: procKind, part: part || null } };
    }
    try {
      await api('POST', `/motions/${m.id}/polls`, { subject, majority: q('majority').value, method: q('method').value });
      showErrors([]);
      await refresh();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return form;
}

/** Put the undecided 'A' motions to one vote together. */
function renderAMotions(motions, open) {
  const box = $('#a-motions');
  const pending = motions.filter((m) => m.marks.includes('a') && !m.outcome_text);
  if (conf.status !== 'open' || !pending.length || open.length) {
    box.classList.add('hidden');
    box.replaceChildren();
    return;
  }
  const keptMethod = $('#a-motions-method') ? $('#a-motions-method').value : 'electronic';
  // The service decides the majority of the 'A' motions put together and gives it with each motion.
  const majority = MAJORITY_NEEDED[(pending[0].default_majorities || {}).a_motions_en_bloc];
  const numbers = pending.map((m) => m.item ?? m.number).join(', ');
  const form = el('form', { novalidate: true, id: 'a-motions-form' },
    el('div', { class: 'form-group' }, el('label', { for: 'a-motions-method' }, 'How'),
      el('select', { id: 'a-motions-method' },
        el('option', { value: 'electronic', selected: keptMethod === 'electronic' }, 'Electronic vote'),
        el('option', { value: 'show_of_hands', selected: keptMethod === 'show_of_hands' }, 'Show of hands'))),
    el('button', { type: 'submit', 'data-a-motions': confId }, 'Put the ‘A’ motions to the vote together'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', `/conferences/${confId}/a-motions`, { method: $('#a-motions-method').value });
      showErrors([]);
      await refresh();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  fill(box, el('div', { class: 'card' },
    el('h2', { id: 'a-motions-title' }, 'The ‘A’ motions'),
    el('p', {}, `${pending.length === 1 ? 'Motion' : 'Motions'} ${numbers} ${pending.length === 1 ? 'is' : 'are'} marked ‘A’: `,
      'voted on together without debate. If the vote is carried, each is CARRIED.'),
    majority ? el('p', { class: 'hint' }, majority) : null,
    form));
  box.classList.remove('hidden');
}

const DECISIONS = {
  withdrawn: 'Withdrawn', not_reached: 'Not reached', moved_to_next_business: 'Moved to next business',
  ruled_out_of_order: 'Ruled out of order', superseded: 'Superseded (fell)', carried: 'Carried without a vote (A or AR motion)',
};

function decideForm(m) {
  const id = `decide-${m.id}`;
  const form = el('form', { novalidate: true },
    el('div', { class: 'form-group' }, el('label', { for: id }, 'Or record an outcome without a vote'),
      el('select', { id }, Object.entries(DECISIONS).map(([v, t]) => el('option', { value: v }, t)))),
    el('button', { type: 'submit', class: 'secondary' }, 'Record outcome'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', `/motions/${m.id}/decide`, { outcome: $('#' + id).value });
      await refresh();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return el('details', {}, el('summary', {}, 'Other outcomes'), form);
}

function marksForm(m) {
  const id = (k) => `marks-${m.id}-${k}`;
  const form = el('form', { novalidate: true },
    el('fieldset', {}, el('legend', {}, 'Agenda marks'),
      Object.entries(MARK_WORDS).map(([k, t]) => el('div', { class: 'choice' },
        el('input', { type: 'checkbox', id: id(k), value: k, checked: m.marks.includes(k) }), el('label', { for: id(k) }, t))),
      el('div', { class: 'choice' },
        el('input', { type: 'checkbox', id: id('two-thirds'), checked: m.needs_two_thirds }), el('label', { for: id('two-thirds') }, 'Needs a two-thirds majority'))),
    el('button', { type: 'submit', class: 'secondary' }, 'Save marks'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const marks = Object.keys(MARK_WORDS).filter((k) => $('#' + id(k)).checked);
    try {
      await api('POST', `/motions/${m.id}/marks`, { marks, needs_two_thirds: $('#' + id('two-thirds')).checked });
      await refresh();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return el('details', {}, el('summary', {}, 'Change agenda marks'), form);
}

function addMotionForm() {
  const preview = el('div', { id: 'motion-preview', 'aria-live': 'polite' });
  const form = el('form', { id: 'add-motion', class: 'card', novalidate: true },
    el('h2', {}, 'Add a motion'),
    el('div', { class: 'form-group' },
      el('label', { for: 'motion-text' }, 'The motion as printed in the agenda'),
      el('span', { class: 'hint', id: 'motion-text-hint' }, 'Paste it with the proposer line and its parts, (i), (ii)… or 1., 2.… Check how it splits into parts before you save it.'),
      el('textarea', { id: 'motion-text', rows: '10', 'aria-describedby': 'motion-text-hint' })),
    el('div', { class: 'button-row' },
      el('button', { type: 'button', class: 'secondary', id: 'check-motion' }, 'Check how it splits'),
      el('button', { type: 'submit', id: 'save-motion' }, 'Save motion')),
    preview);
  form.querySelector('#check-motion').addEventListener('click', async () => {
    const text = $('#motion-text').value;
    fieldError('motion-text', null);
    if (!text.trim()) { fieldError('motion-text', 'Paste the motion first'); return showErrors([{ field: 'motion-text', message: 'Paste the motion first' }]); }
    try {
      const parsed = await api('POST', '/motions/parse', { text });
      showErrors([]);
      fill(preview, el('div', { class: 'notice' },
        el('h3', {}, parsed.parts.length ? `It splits into ${parsed.parts.length} parts` : 'It has no parts'),
        el('dl', { class: 'summary' },
          el('dt', {}, 'Proposer'), el('dd', {}, parsed.proposer || 'none given', parsed.agenda_committee ? ' (agenda committee)' : ''),
          parsed.number ? [el('dt', {}, 'Number'), el('dd', {}, String(parsed.number))] : null),
        motionText({ ...parsed, parts: parsed.parts }),
        el('p', {}, 'If this is right, save the motion. If not, correct the text and check again.')));
    } catch (e) {
      fieldError('motion-text', e.message);
      showErrors([{ field: 'motion-text', message: e.message }]);
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = $('#motion-text').value;
    if (!text.trim()) return showErrors([{ field: 'motion-text', message: 'Paste the motion first' }]);
    try {
      await api('POST', `/conferences/${confId}/motions`, { text });
      $('#motion-text').value = '';
      fill(preview, el('p', { class: 'notice success' }, 'Saved. It is on the agenda above.'));
      showErrors([]);
      await refresh();
    } catch (e) {
      fieldError('motion-text', e.message);
      showErrors([{ field: 'motion-text', message: e.message }]);
    }
  });
  return form;
}

/** Void the latest vote on a motion, with a reason; the vote can then be taken again. */
function voidForm(m, p) {
  const id = `void-${p.id}`;
  const form = el('form', { novalidate: true, 'data-void-poll': p.id },
    el('div', { class: 'form-group' },
      el('label', { for: id }, 'Why is this vote void?'),
      el('span', { class: 'hint', id: `${id}-hint` }, 'The result is undone and kept in the motion’s record with your reason; then take the vote again.'),
      el('textarea', { id, rows: '2', 'aria-describedby': `${id}-hint` })),
    el('button', { type: 'submit', class: 'warning' }, 'Void this vote'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = $('#' + id).value.trim();
    if (!reason) { fieldError(id, 'Say why the vote is void'); return showErrors([{ field: id, message: 'Say why the vote is void' }]); }
    try {
      await api('POST', `/polls/${p.id}/void`, { reason });
      showErrors([]);
      await refresh();
    } catch (e) { showErrors([{ field: id, message: e.message }]); }
  });
  return el('details', { 'data-keep': `void-${m.id}` }, el('summary', {}, `Void the last vote (${p.question}: ${p.result || ''})`), form);
}

function closeConferenceForm() {
  if (conf.status !== 'open') return el('p', { class: 'notice' }, 'This conference is closed.');
  const confirmBox = el('div', { id: 'confirm-close-conference', 'aria-live': 'polite' });
  return el('details', { class: 'no-print', id: 'close-conference' }, el('summary', {}, 'Close the conference'),
    el('p', {}, 'Every motion not yet decided becomes NOT REACHED. This cannot be undone.'),
    el('button', { type: 'button', class: 'warning', id: 'close-conference-check', onclick: async () => {
      try {
        const check = await api('GET', `/conferences/${confId}/close-check`);
        if (check.open_poll) return showErrors([{ message: 'A vote is open: close it before closing the conference.' }]);
        fill(confirmBox, el('div', { class: 'notice warning-panel', role: 'alertdialog', 'aria-labelledby': 'confirm-close-conference-title' },
          el('p', { id: 'confirm-close-conference-title' }, el('strong', {},
            check.not_reached === 1 ? '1 motion will become NOT REACHED' : `${check.not_reached} motions will become NOT REACHED`,
            check.not_reached ? ` (${check.items.slice(0, 20).join(', ')}${check.items.length > 20 ? ', …' : ''}).` : '.')),
          el('p', {}, 'Close the conference?'),
          el('div', { class: 'button-row' },
            el('button', { type: 'button', class: 'warning', id: 'close-conference-confirm', onclick: async () => {
              try { await api('POST', `/conferences/${confId}/close`, { confirm: true }); location.reload(); } catch (e) { showErrors([{ message: e.message }]); }
            } }, 'Yes, close the conference'),
            el('button', { type: 'button', class: 'secondary', onclick: () => fill(confirmBox) }, 'Cancel'))));
        confirmBox.querySelector('button')?.focus();
      } catch (e) { showErrors([{ message: e.message }]); }
    } }, 'Close the conference…'),
    confirmBox);
}

// ---- representatives --------------------------------------------------------------------------------

function representativesSection() {
  const out = el('div', { id: 'reps-result', 'aria-live': 'polite' });
  const form = el('form', { id: 'reps-form', class: 'card', novalidate: true },
    el('h3', {}, 'Register representatives'),
    el('p', {}, 'Someone new gets an account and an email with a link to set their password. Someone who already has an account is registered as they are.'),
    el('div', { class: 'form-group' },
      el('label', { for: 'reps-file' }, 'A CSV file'),
      el('span', { class: 'hint', id: 'reps-hint' }, 'The first line must be: name,email,lmc. One representative per line after it.'),
      el('input', { type: 'file', id: 'reps-file', accept: '.csv,text/csv', 'aria-describedby': 'reps-hint' })),
    el('div', { class: 'form-group' },
      el('label', { for: 'reps-text' }, 'Or paste the CSV'),
      el('textarea', { id: 'reps-text', rows: '6', spellcheck: 'false' })),
    el('button', { type: 'submit', id: 'import-reps' }, 'Register representatives'),
    out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fieldError('reps-text', null);
    const file = $('#reps-file').files[0];
    const text = file ? await file.text() : $('#reps-text').value;
    if (!text.trim()) {
      fieldError('reps-text', 'Choose a CSV file or paste the list');
      return showErrors([{ field: 'reps-text', message: 'Choose a CSV file or paste the list of representatives' }]);
    }
    try {
      const r = await api('POST', `/conferences/${confId}/representatives/import`, text, { contentType: 'text/csv' });
      showErrors([]);
      $('#reps-file').value = '';
      fill(out, el('div', { class: 'notice ' + (r.rejected.length ? 'fail' : 'success') },
        el('p', {}, el('strong', {}, `${r.added} registered; ${r.rejected.length} rejected.`)),
        el('p', {}, `${r.invited} new ${r.invited === 1 ? 'account was' : 'accounts were'} emailed a link to set a password.`),
        r.rejected.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Lines not registered' }, el('table', { id: 'reps-rejected' },
          el('caption', { class: 'table-caption' }, 'Lines not registered'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num' }, 'Line'), el('th', { scope: 'col' }, 'Why'))),
          el('tbody', {}, r.rejected.map((x) => el('tr', {}, el('td', { class: 'num' }, String(x.line)), el('td', {}, x.reason)))))) : null));
      await refresh();
    } catch (e) {
      fieldError('reps-text', e.message);
      showErrors([{ field: 'reps-text', message: e.message }]);
    }
  });
  return el('section', { id: 'representatives', class: 'no-print', 'aria-labelledby': 'reps-title' },
    el('h2', { id: 'reps-title' }, 'Representatives'),
    el('details', { id: 'reps-details' }, el('summary', { id: 'reps-summary' }, 'Registered representatives'), el('div', { id: 'reps-list' })),
    conf.status === 'open' ? form : null);
}

function renderRepresentatives(reps) {
  if (!$('#reps-list')) return;
  fill($('#reps-summary'), reps.length === 1 ? '1 representative registered' : `${reps.length} representatives registered`);
  const sorted = [...reps].sort((a, b) => a.lmc.localeCompare(b.lmc) || a.name.localeCompare(b.name));
  fill($('#reps-list'), reps.length
    ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Representatives' }, el('table', { id: 'reps-table' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Email'), el('th', { scope: 'col' }, 'LMC'))),
      el('tbody', {}, sorted.map((r) => el('tr', { 'data-rep': r.user_id },
        el('td', {}, r.name), el('td', { class: 'email' }, r.email), el('td', {}, r.lmc))))))
    : el('p', {}, 'Nobody is registered yet.'));
}
