// Projector: full screen, read from the back of the hall. While a vote is open: the words put to the vote
// and "N of M representatives have voted" (never a running for or against). At close: the result in the
// resolutions' words, the counts with percentages of those voting for or against (abstentions apart), the
// majority needed, and the motion's outcome once decided. It reconnects by itself after a dropped
// connection and catches up from one snapshot (/conferences/{id}/hall).
import { api, el, fill, $, start, idFromPath, liveEvents, resultWords, wordingView } from './common.js';
import { mountProjector } from './speakers.js';

const confId = idFromPath('/conference/');
let hall = null;
/** Who is speaking (static/js/speakers.js); hidden while a vote is open. */
let speakers = null;

start(async () => {
  await refresh();
  // Who is speaking, and their clock, above the vote.
  speakers = mountProjector($('#speakers-floor'), confId, () => fit(), () => !!(hall && hall.open_poll));
  await speakers.refresh();
  liveEvents(confId, {
    ready: () => { refresh(); speakers.refresh(); },
    speakers_updated: (d) => speakers.event(d),
    poll_opened: () => refresh(),
    poll_closed: () => refresh(),
    motion_updated: () => refresh(),
    resync: () => { refresh(); speakers.refresh(); },
    conference_closed: () => { refresh(); speakers.refresh(); },
    poll_progress: (d) => {
      if (hall && hall.open_poll && hall.open_poll.id === d.poll_id) {
        hall.open_poll.votes_cast = d.votes_cast;
        const n = document.querySelector(`[data-votes-cast="${d.poll_id}"]`);
        if (n) n.textContent = votedText(hall.open_poll);
      }
    },
  }, (s) => {
    const status = $('#live-status');
    fill(status, s === 'live' ? '' : 'Reconnecting…');
    status.classList.toggle('hidden', s === 'live');
  });
  window.addEventListener('resize', fit);
});

const votedText = (p) => `${p.votes_cast} of ${p.representatives} representatives have voted`;

let loading = null;
let again = false;
function refresh() {
  if (loading) { again = true; return loading; }
  loading = (async () => {
    try {
      do {
        again = false;
        hall = await api('GET', `/conferences/${confId}/hall`);
        show();
        if (speakers) speakers.rerender();
      } while (again);
    } catch (e) {
      if (e.status && e.status !== 0) throw e;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

function show() {
  document.title = `${hall.conference.name} – projector – carried`;
  const content = $('#content');
  const closed = hall.conference.status === 'closed';
  const header = el('p', { class: 'status-line conf-name' }, hall.conference.name, closed ? ': the conference has closed' : '');
  const p = hall.open_poll || hall.last_closed;
  if (!p) {
    fill(content, header, el('p', { class: 'question' }, 'Waiting for the first vote.'));
    return fit();
  }
  if (p.status === 'open') {
    fill(content, header,
      el('p', { class: 'status-line vote-open' }, 'Vote now'),
      el('h2', { class: 'question', id: 'projector-question' }, p.wording.heading),
      el('div', { class: 'proj-wording' }, wordingView(p.wording, { id: 'projector-wording' })),
      el('div', { class: 'proj-foot' },
        p.method === 'electronic'
          ? el('p', { class: 'proj-count', 'data-votes-cast': p.id }, votedText(p))
          : el('p', { class: 'proj-count' }, 'Show of hands'),
        el('p', { class: 'status-line' }, p.wording.majority_needed)));
    return fit();
  }
  const c = p.counts;
  const pc = p.percentages;
  const carried = p.result === 'carried';
  const lostLike = (t) => /LOST|WITHDRAWN|NOT REACHED|NEXT BUSINESS|OUT OF ORDER|SUPERSEDED/.test(t) && !/CARRIED/.test(t);
  fill(content, header,
    el('p', { class: 'status-line' }, 'Result'),
    el('h2', { class: 'question', id: 'projector-question' }, p.wording.heading),
    el('p', { class: 'big-outcome' + (carried ? '' : ' lost'), id: 'poll-result' }, resultWords(p)),
    c
      ? el('table', { class: 'proj-counts', id: 'proj-counts' },
          el('caption', { class: 'visually-hidden' }, 'Votes'),
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Vote'), el('th', { scope: 'col' }, 'Votes'), el('th', { scope: 'col' }, 'Of those voting for or against'))),
          el('tbody', {},
            el('tr', { class: 'for' }, el('th', { scope: 'row' }, 'For'), el('td', {}, String(c.for)), el('td', {}, pc ? `${pc.for}%` : '–')),
            el('tr', { class: 'against' }, el('th', { scope: 'row' }, 'Against'), el('td', {}, String(c.against)), el('td', {}, pc ? `${pc.against}%` : '–')),
            el('tr', { class: 'abstain' }, el('th', { scope: 'row' }, 'Abstain'), el('td', {}, String(c.abstain)), el('td', {}, 'not counted'))))
      : el('p', { class: 'status-line' }, 'Declared on a show of hands.'),
    el('p', { class: 'status-line' }, p.wording.majority_needed),
    p.outcome_text
      ? el('div', { class: 'motion-outcome' },
          el('p', { class: 'status-line' }, `Motion ${p.motion_item ?? p.motion_number}:`),
          el('p', { class: 'big-outcome' + (lostLike(p.outcome_text) ? ' lost' : ''), id: 'motion-outcome' }, p.outcome_text))
      : null);
  return fit();
}

// On a wide screen everything must fit without scrolling: shrink the type until it does. A phone scrolls.
function fit() {
  const root = document.documentElement;
  const body = document.body;
  body.style.setProperty('--proj-scale', '1');
  if (window.innerWidth < 800) return;
  let scale = 1;
  while (scale > 0.4 && root.scrollHeight > window.innerHeight) {
    scale -= 0.05;
    body.style.setProperty('--proj-scale', scale.toFixed(2));
  }
}
