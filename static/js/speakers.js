// Speakers and time, on three pages: a representative's phone (ask to speak for or against the motion in
// hand, withdraw, "you are called" with the clock), the projector (who is speaking and the clock, big),
// and the chair's page (open the debate, the queue, call, the clock, the rules).
//
// The clock: every answer and every `speakers_updated` event carries the time left as the server read it
// (`clock.remaining_ms` at `server_time`); each page counts down from the moment it received that, so
// every screen shows the same time whatever its own clock says. Nothing here re-reads the server to tick.
import { api, el, fill, $, showErrors } from './common.js';

export const SIDE_WORDS = { for: 'For', against: 'Against' };
export const KIND_WORDS = { proposer: 'Proposer', speaker: 'Speaker', reply: 'Right of reply' };

/** "2:00", "0:07"; over time "+0:12" (how far over). Same rule as the service's `clock_text`. */
export function clockText(ms) {
  const over = ms < 0;
  const secs = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  return `${over ? '+' : ''}${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
}

/** Words for a screen reader: "1 minute 30 seconds left", "12 seconds over time". */
function clockWords(ms) {
  const over = ms < 0;
  const secs = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const m = Math.floor(secs / 60);
  const s = secs % 60;
  const parts = [m ? `${m} minute${m === 1 ? '' : 's'}` : null, s || !m ? `${s} second${s === 1 ? '' : 's'}` : null].filter(Boolean);
  return `${parts.join(' ')} ${over ? 'over time' : 'left'}`;
}

/** The debate as last heard, and when: the clock is counted from the moment the page received it. */
class Floor {
  constructor() {
    this.view = null;
    this.at = 0;
  }

  set(view) {
    this.view = view;
    this.at = performance.now();
  }

  remaining(speech) {
    const c = speech.clock;
    return c.running ? c.remaining_ms - (performance.now() - this.at) : c.remaining_ms;
  }
}

// Every clock on the page ticks from one timer. A clock element carries data-clock="<speech id>".
const floors = new Set();
setInterval(() => { for (const f of floors) tick(f); }, 250);

function tick(floor) {
  const cur = floor.view && floor.view.current;
  for (const node of document.querySelectorAll('[data-clock]')) {
    if (!cur || String(cur.id) !== node.dataset.clock) continue;
    const left = floor.remaining(cur);
    const text = clockText(left);
    const face = node.querySelector('.clock-face');
    if (face && face.textContent !== text) face.textContent = text;
    const over = left < 0;
    node.classList.toggle('over-time', over);
    node.classList.toggle('running', cur.clock.running);
    const state = node.querySelector('.clock-state');
    const words = over ? 'Over time' : cur.clock.running ? 'Time left' : 'Clock stopped';
    if (state && state.textContent !== words) state.textContent = words;
    const sr = node.querySelector('.clock-words');
    if (sr) {
      // A screen reader hears the clock when asked, and once when the speaker goes over time.
      const w = clockWords(left);
      if (sr.textContent !== w) sr.textContent = w;
    }
    if (over && node.dataset.announced !== 'over') {
      node.dataset.announced = 'over';
      const live = node.querySelector('.clock-alert');
      if (live) live.textContent = `${cur.name} is over time.`;
    }
  }
}

/** A clock: big digits, what they mean, and an over-time flag that is not colour alone. */
function clockView(floor, speech, { big = false } = {}) {
  const left = floor.remaining(speech);
  const node = el('div', { class: 'speech-clock' + (big ? ' big' : '') + (left < 0 ? ' over-time' : '') + (speech.clock.running ? ' running' : ''), 'data-clock': speech.id },
    el('p', { class: 'clock-state' }, left < 0 ? 'Over time' : speech.clock.running ? 'Time left' : 'Clock stopped'),
    el('p', { class: 'clock-face', 'aria-hidden': 'true' }, clockText(left)),
    el('p', { class: 'visually-hidden clock-words' }, clockWords(left)),
    el('p', { class: 'visually-hidden clock-alert', 'aria-live': 'assertive' }),
    el('p', { class: 'clock-limit' }, `Limit ${clockText(speech.clock.limit_seconds * 1000)} (${KIND_WORDS[speech.kind].toLowerCase()})`));
  if (left < 0) node.dataset.announced = 'over';
  return node;
}

function speakerLine(s) {
  return [el('strong', {}, s.name), s.lmc ? ` (${s.lmc})` : '', s.kind === 'speaker' ? ` · ${SIDE_WORDS[s.side]}` : ` · ${KIND_WORDS[s.kind]}`];
}

const motionWords = (m) => `Motion ${m.item}${m.proposer ? ` (${m.proposer})` : ''}`;

/**
 * The shared part of each page: fetch the view, take live events, re-render. `render(floor)` draws the
 * page's own part. Returns {refresh, event} for the page's liveEvents handlers.
 */
function mount(confId, render) {
  const floor = new Floor();
  floors.add(floor);
  let loading = null;
  let again = false;
  const show = (v) => { floor.set(v); render(floor); };
  const refresh = () => {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      try {
        do {
          again = false;
          show(await api('GET', `/conferences/${confId}/speakers`));
        } while (again);
      } catch (e) {
        if (e.status && e.status !== 0) showErrors([{ message: e.message }]);
      } finally {
        loading = null;
      }
    })();
    return loading;
  };
  return {
    floor,
    refresh,
    show,
    /** Draw again with what the page has (its other data changed); the clock keeps counting. */
    rerender() { if (floor.view) render(floor); },
    /** A `speakers_updated` event: the public view; this page keeps what is its own. */
    event(publicView) {
      const old = floor.view;
      const v = { ...publicView, representative: old ? old.representative : false, mine: null };
      if (old && old.mine != null) {
        const stillMine = (v.current && v.current.id === old.mine) || v.queue.some((q) => q.id === old.mine);
        v.mine = stillMine ? old.mine : null;
      }
      show(v);
    },
  };
}

// ---- a representative's phone ------------------------------------------------------------------------

/** The "Speak in the debate" card on a representative's page. */
export function mountHall(box, confId) {
  let busy = false;
  const m = mount(confId, render);
  async function act(method, path, body) {
    if (busy) return;
    busy = true;
    try {
      m.show(await api(method, path, body));
      showErrors([]);
    } catch (e) {
      showErrors([{ message: e.message }]);
      m.refresh();
    } finally {
      busy = false;
    }
  }
  function render(floor) {
    const v = floor.view;
    if (!v.motion) {
      box.className = 'hidden';
      box.replaceChildren();
      return;
    }
    box.className = 'card speakers-hall';
    const cur = v.current;
    const mineCalled = cur && v.mine === cur.id;
    const queued = v.queue.find((q) => q.id === v.mine);
    const focusKeep = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    fill(box,
      el('h2', { id: 'speakers-title' }, mineCalled ? 'You have been called: speak now' : 'Speakers'),
      el('p', {}, `Debate on ${motionWords(v.motion)}`, v.motion.title ? `: ${v.motion.title}` : ''),
      cur
        ? el('div', { class: 'speaking-now' + (mineCalled ? ' mine' : ''), id: 'speaking-now' },
            el('p', {}, mineCalled ? 'You are speaking' : 'Speaking now: ', mineCalled ? null : speakerLine(cur)),
            clockView(floor, cur, { big: mineCalled }))
        : el('p', { class: 'muted', id: 'speaking-now' }, 'Nobody is speaking.'),
      queued
        ? el('div', { id: 'my-request', class: 'notice' },
            el('p', {}, el('strong', {}, `You have asked to speak ${queued.side}.`), ' ',
              queued.position === 1 ? 'You are next.' : `You are number ${queued.position} in the queue.`),
            el('button', { type: 'button', class: 'secondary', id: 'withdraw-request', onclick: () => act('POST', `/speakers/${queued.id}/withdraw`) }, 'Withdraw my request'))
        : null,
      !queued && !mineCalled && v.representative
        ? el('div', { class: 'ask-buttons', role: 'group', 'aria-labelledby': 'ask-label' },
            el('p', { id: 'ask-label' }, 'Ask the chair to speak:'),
            ['for', 'against'].map((side) => el('button', {
              type: 'button', id: `ask-${side}`, class: side === 'for' ? 'ask-for' : 'ask-against',
              onclick: () => act('POST', `/motions/${v.motion.id}/speakers`, { side }),
            }, side === 'for' ? 'Speak for the motion' : 'Speak against the motion')))
        : null,
      el('p', { class: 'hint', id: 'queue-length' }, v.queue.length === 1 ? '1 representative is waiting to speak.' : `${v.queue.length} representatives are waiting to speak.`));
    if (focusKeep && document.getElementById(focusKeep)) document.getElementById(focusKeep).focus();
  }
  return m;
}

// ---- the projector -----------------------------------------------------------------------------------

/** Who is speaking and the clock, read from the back of the hall; not while `voting()` (the vote has the
 * screen). `after` runs after each render. */
export function mountProjector(box, confId, after, voting = () => false) {
  const m = mount(confId, (floor) => {
    const v = floor.view;
    const cur = v.current;
    if (!v.motion || !cur || voting()) {
      box.className = 'hidden';
      box.replaceChildren();
    } else {
      box.className = 'proj-speaker';
      fill(box,
        el('p', { class: 'status-line' }, `${motionWords(v.motion)}: ${KIND_WORDS[cur.kind]}${cur.kind === 'speaker' ? `, ${SIDE_WORDS[cur.side].toLowerCase()} the motion` : ''}`),
        el('p', { class: 'proj-speaker-name', id: 'projector-speaker' }, cur.name, cur.lmc ? el('span', { class: 'lmc' }, ` ${cur.lmc}`) : null),
        clockView(floor, cur, { big: true }),
        v.queue.length ? el('p', { class: 'status-line' }, `${v.queue.length} waiting to speak`) : null);
    }
    if (after) after();
  });
  return m;
}

// ---- the chair -----------------------------------------------------------------------------------------

/** The chair's speakers panel: the debate's motion, the speaker and clock, the queue, the rules. */
export function mountChair(box, confId, getMotions) {
  const m = mount(confId, render);
  async function act(method, path, body) {
    try {
      m.show(await api(method, path, body));
      showErrors([]);
    } catch (e) {
      showErrors([{ message: e.message }]);
      m.refresh();
    }
  }
  function debateForm(v) {
    const motions = (getMotions() || []).filter((x) => !x.outcome_text || (v.motion && x.id === v.motion.id));
    const select = el('select', { id: 'debate-motion' },
      el('option', { value: '' }, 'No debate (not taking speakers)'),
      motions.map((x) => el('option', { value: x.id, selected: v.motion && v.motion.id === x.id }, `Motion ${x.item ?? x.number}${x.proposer ? ` (${x.proposer})` : ''}`)));
    const form = el('form', { novalidate: true, id: 'debate-form' },
      el('div', { class: 'form-group' }, el('label', { for: 'debate-motion' }, 'Taking speakers on'),
        el('span', { class: 'hint', id: 'debate-motion-hint' }, 'Representatives can ask to speak on this motion from their phones. Moving on ends the speech being made; requests on the old motion lapse.'),
        select),
      el('button', { type: 'submit', class: 'secondary', id: 'open-debate' }, 'Take speakers on this motion'));
    select.setAttribute('aria-describedby', 'debate-motion-hint');
    select.addEventListener('change', () => { select.dataset.touched = '1'; });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act('POST', `/conferences/${confId}/speakers/debate`, { motion_id: select.value ? Number(select.value) : null });
    });
    return form;
  }
  function rulesForm(v) {
    const r = v.rules;
    const field = (id, label, value) => el('div', { class: 'form-group' },
      el('label', { for: id }, label),
      el('input', { type: 'number', id, min: '10', max: '3600', step: '1', inputmode: 'numeric', value: String(value), class: 'input-width-5' }));
    const form = el('form', { novalidate: true, id: 'rules-form' },
      el('p', { class: 'hint' }, 'As in the conference’s standing orders, in seconds. A speaker already called keeps their limit.'),
      field('rules-proposer', 'Proposer', r.proposer_seconds),
      field('rules-speaker', 'Other speakers', r.speaker_seconds),
      field('rules-reply', 'Right of reply', r.reply_seconds),
      el('div', { class: 'choice' },
        el('input', { type: 'checkbox', id: 'rules-first-time', checked: r.first_time_speakers_first }),
        el('label', { for: 'rules-first-time' }, 'Call representatives who have not yet spoken at this conference first')),
      el('button', { type: 'submit', class: 'secondary', id: 'save-rules' }, 'Save the speaking rules'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const n = (id) => Number($('#' + id).value);
      try {
        await api('PUT', `/conferences/${confId}/settings/speakers`, {
          proposer_seconds: n('rules-proposer'), speaker_seconds: n('rules-speaker'), reply_seconds: n('rules-reply'),
          first_time_speakers_first: $('#rules-first-time').checked,
        });
        showErrors([]);
        await m.refresh();
      } catch (e) { showErrors([{ message: e.message }]); }
    });
    return el('details', { id: 'rules-details' }, el('summary', {}, `Speaking rules: proposer ${clockText(r.proposer_seconds * 1000)}, others ${clockText(r.speaker_seconds * 1000)}, reply ${clockText(r.reply_seconds * 1000)}${r.first_time_speakers_first ? ', first-time speakers first' : ''}`), form);
  }
  function render(floor) {
    const v = floor.view;
    // Live events redraw the panel: keep what the chair was typing or choosing, and where the focus was.
    const open = document.querySelector('#rules-details[open]') !== null;
    const typed = open ? ['rules-proposer', 'rules-speaker', 'rules-reply'].map((id) => [id, $('#' + id)?.value]) : [];
    const firstTime = open ? $('#rules-first-time')?.checked : null;
    const chosen = $('#debate-motion')?.dataset.touched ? $('#debate-motion').value : null;
    const focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    const cur = v.current;
    const call = (body) => act('POST', `/conferences/${confId}/speakers/call`, body);
    fill(box,
      el('h2', { id: 'speakers-title' }, 'Speakers'),
      debateForm(v),
      v.motion ? [
        el('div', { class: 'card feature', id: 'chair-current' },
          cur
            ? [el('h3', {}, 'Speaking now'), el('p', {}, speakerLine(cur)), clockView(floor, cur),
                el('div', { class: 'button-row' },
                  el('button', { type: 'button', id: 'clock-toggle', class: cur.clock.running ? 'warning' : '', onclick: () => act('POST', `/conferences/${confId}/speakers/timer`, { running: !cur.clock.running }) },
                    cur.clock.running ? 'Stop the clock' : 'Start the clock'),
                  el('button', { type: 'button', class: 'secondary', id: 'end-speech', onclick: () => act('POST', `/conferences/${confId}/speakers/end`) }, 'End this speech'))]
            : [el('h3', {}, 'Nobody is speaking'), el('p', { class: 'hint' }, 'Call the proposer, then speakers from the queue, then the right of reply.')],
          el('div', { class: 'button-row' },
            el('button', { type: 'button', id: 'call-next', disabled: !v.queue.length, onclick: () => call({}) }, v.queue.length ? `Call the next speaker: ${v.queue[0].name}` : 'Nobody is waiting'),
            el('button', { type: 'button', class: 'secondary', id: 'call-proposer', onclick: () => call({ kind: 'proposer' }) }, 'Call the proposer'),
            el('button', { type: 'button', class: 'secondary', id: 'call-reply', onclick: () => call({ kind: 'reply' }) }, 'Right of reply'))),
        el('h3', { id: 'queue-title' }, v.queue.length ? `Waiting to speak (${v.queue.length})` : 'Nobody is waiting to speak'),
        v.rules.first_time_speakers_first ? el('p', { class: 'hint' }, 'Representatives who have not yet spoken at this conference are called first.') : null,
        v.queue.length
          ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'queue-title' }, el('table', { id: 'speakers-queue' },
              el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num' }, 'No.'), el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'LMC'), el('th', { scope: 'col' }, 'Side'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
              el('tbody', {}, v.queue.map((q) => el('tr', { 'data-request': q.id },
                el('td', { class: 'num' }, String(q.position)),
                el('td', {}, q.name, q.first_time ? [' ', el('span', { class: 'tag' }, 'First time')] : null),
                el('td', {}, q.lmc),
                el('td', {}, el('span', { class: 'tag ' + (q.side === 'for' ? 'green' : 'red') }, SIDE_WORDS[q.side])),
                el('td', { class: 'queue-actions' },
                  el('button', { type: 'button', class: 'secondary small', 'data-call': q.id, 'aria-label': `Call ${q.name} (${q.lmc})`, onclick: () => call({ request_id: q.id }) }, 'Call'),
                  el('button', { type: 'button', class: 'secondary small', 'data-remove': q.id, 'aria-label': `Remove ${q.name} (${q.lmc}) from the queue`, onclick: () => act('POST', `/speakers/${q.id}/withdraw`) }, 'Remove')))))))
          : null,
        v.heard.length
          ? el('details', { id: 'heard' }, el('summary', {}, `Heard in this debate (${v.heard.length})`),
              el('ol', {}, v.heard.map((s) => el('li', {}, speakerLine(s), ` – ${clockText(s.clock.limit_seconds * 1000 - s.clock.used_ms)}${s.clock.over_time ? ' (over time)' : ''}`))))
          : null,
      ] : el('p', { class: 'muted' }, 'Choose the motion being debated to take requests to speak.'),
      rulesForm(v));
    if (open) {
      $('#rules-details').open = true;
      for (const [id, value] of typed) if (value != null) $('#' + id).value = value;
      $('#rules-first-time').checked = firstTime;
    }
    if (chosen !== null && $('#debate-motion')) {
      $('#debate-motion').value = chosen;
      $('#debate-motion').dataset.touched = '1';
    }
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }
  return m;
}
