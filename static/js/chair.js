// Chair: the agenda with marks; paste a motion and see its parts before saving; take a motion as a
// whole or in parts; open and close polls; show-of-hands results; the live count of votes cast.
import { api, el, fill, $, start, idFromPath, liveEvents, motionText, MARK_WORDS, showErrors, fieldError, hasRole } from './common.js';

const confId = idFromPath('/conference/');
let conf = null;

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
    el('nav', { class: 'no-print', 'aria-label': 'Conference pages' }, el('p', {},
      el('a', { href: `/conference/${confId}/projector` }, 'Open the projector screen'), ' · ',
      el('a', { href: `/conference/${confId}/resolutions` }, 'Resolutions'), ' · ',
      el('a', { href: `/conference/${confId}` }, 'Representatives’ voting page'))),
    el('section', { id: 'agenda-section', 'aria-labelledby': 'agenda-title' }, el('h2', { id: 'agenda-title' }, 'Agenda'), el('ol', { id: 'agenda', class: 'agenda' })),
    addMotionForm(),
    closeConferenceForm());
  await refresh();
  liveEvents(confId, {
    ready: () => refresh(),
    poll_opened: () => refresh(),
    poll_closed: () => refresh(),
    motion_updated: () => refresh(),
    resync: () => refresh(),
    poll_progress: (d) => {
      const n = document.querySelector(`[data-votes-cast="${d.poll_id}"]`);
      if (n) n.textContent = String(d.votes_cast);
    },
  }, (s) => fill($('#live-status'), s === 'live' ? 'Live: votes cast update by themselves.' : 'Reconnecting…'));
});

let refreshing = null;
function refresh() {
  // Coalesce bursts of events into one reload.
  if (!refreshing) refreshing = Promise.resolve().then(load).finally(() => { refreshing = null; });
  return refreshing;
}

async function load() {
  const [motions, open, reps] = await Promise.all([
    api('GET', `/conferences/${confId}/motions`),
    api('GET', `/conferences/${confId}/polls?open=true`),
    api('GET', `/conferences/${confId}/representatives`).catch(() => []),
  ]);
  renderPolls(open, reps.length);
  fill($('#agenda'), motions.map((m) => agendaItem(m, open)));
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
    el('p', {}, p.majority === 'two_thirds' ? 'Two-thirds majority. ' : 'Simple majority. ',
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

async function closePoll(pollId, declaration) {
  try {
    await api('POST', `/polls/${pollId}/close`, declaration);
    showErrors([]);
    await refresh();
  } catch (e) {
    showErrors([{ message: e.message }]);
  }
}

function agendaItem(m, open) {
  const busy = open.some((p) => p.motion_id === m.id);
  const decided = !!m.outcome_text;
  const marks = m.marks.map((k) => el('span', { class: 'tag' + (k === 'grey' ? ' grey' : '') }, MARK_WORDS[k] || k));
  const actions = [];
  if (!decided && !busy && conf.status === 'open') {
    if (!m.taken_as) {
      actions.push(el('p', {}, 'How will you take it?'),
        el('div', { class: 'button-row' },
          el('button', { type: 'button', class: 'secondary', 'data-take': 'whole', onclick: () => take(m.id, 'whole') }, 'Take as a whole'),
          m.parts.length > 1 ? el('button', { type: 'button', class: 'secondary', 'data-take': 'parts', onclick: () => take(m.id, 'parts') }, 'Take in parts') : null));
    } else {
      actions.push(openPollForm(m));
    }
    actions.push(decideForm(m));
  }
  return el('li', { class: 'motion card', id: `motion-${m.id}`, 'data-motion': m.id },
    el('h3', {}, `Motion ${m.number}`, m.title ? `: ${m.title}` : ''),
    marks.length ? el('p', {}, marks) : null,
    m.needs_two_thirds ? el('p', {}, el('span', { class: 'tag' }, 'Needs two-thirds')) : null,
    motionText(m),
    m.taken_as ? el('p', { class: 'hint' }, m.taken_as === 'parts' ? 'Taken in parts.' : 'Taken as a whole.') : null,
    decided ? el('p', { class: 'outcome-text', 'data-outcome': m.id }, m.outcome_text) : null,
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

function openPollForm(m) {
  const undecided = m.taken_as === 'parts' ? m.parts.filter((p) => !p.outcome) : [];
  const idp = `poll-${m.id}`;
  const subjects = m.taken_as === 'parts'
    ? undecided.map((p) => ({ value: JSON.stringify({ part: p.label }), text: `Part ${p.label}` }))
    : [{ value: '"whole"', text: 'The whole motion' }];
  if (!subjects.length) return null;
  const form = el('form', { class: 'open-poll', novalidate: true, 'data-open-poll-form': m.id },
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-subject` }, 'Vote on'),
      el('select', { id: `${idp}-subject` }, subjects.map((s) => el('option', { value: s.value }, s.text)))),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-majority` }, 'Majority'),
      el('select', { id: `${idp}-majority` },
        el('option', { value: 'simple', selected: !m.needs_two_thirds }, 'Simple (more for than against)'),
        el('option', { value: 'two_thirds', selected: m.needs_two_thirds }, 'Two-thirds of those voting'))),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-method` }, 'How'),
      el('select', { id: `${idp}-method` },
        el('option', { value: 'electronic' }, 'Electronic vote'),
        el('option', { value: 'show_of_hands' }, 'Show of hands'))),
    el('button', { type: 'submit', 'data-open-vote': m.id }, 'Open the vote'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', `/motions/${m.id}/polls`, {
        subject: JSON.parse($(`#${idp}-subject`).value),
        majority: $(`#${idp}-majority`).value,
        method: $(`#${idp}-method`).value,
      });
      showErrors([]);
      await refresh();
    } catch (e) { showErrors([{ message: e.message }]); }
  });
  return form;
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

function closeConferenceForm() {
  if (conf.status !== 'open') return el('p', { class: 'notice' }, 'This conference is closed.');
  return el('details', { class: 'no-print' }, el('summary', {}, 'Close the conference'),
    el('p', {}, 'Every motion not yet decided becomes NOT REACHED. This cannot be undone.'),
    el('button', { type: 'button', class: 'warning', onclick: async () => {
      try { await api('POST', `/conferences/${confId}/close`); location.reload(); } catch (e) { showErrors([{ message: e.message }]); }
    } }, 'Close the conference'));
}
