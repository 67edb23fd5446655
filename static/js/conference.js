// Representative: the vote open now with the exact words put, three big buttons, the representative's own
// vote, the last result and the agenda (now, next, decided). Live through the hall's wifi: every
// (re)connection fetches one snapshot (/conferences/{id}/hall), so the page catches up with whatever
// happened while it was away. A tap shows "Sending…" at once and ends "recorded" or "not recorded";
// a vote that could not be sent is sent again when the connection is back (the service keeps one vote
// per representative per poll, so sending again never counts twice).
import {
  api, el, fill, $, start, idFromPath, liveEvents, liveWords, CHOICE_WORDS, resultWords, countsWords, wordingView,
} from './common.js';
import { mountHall } from './speakers.js';

const confId = idFromPath('/conference/');
let hall = null;
let shownPoll = null; // id of the open poll on screen
let announcedOpen = null;
let announcedClosed = null;
// The representative's vote in the open poll: {pollId, choice, phase: 'recorded'|'sending'|'unsent'|'refused', message}
let myVote = null;

start(async (user) => {
  if (!user) {
    const conf = await api('GET', `/conferences/${confId}`);
    fill($('#page-title'), conf.name);
    fill($('#content'), el('div', { class: 'notice' },
      el('p', {}, 'You need to sign in to vote at this conference.'),
      el('p', {}, el('a', { href: '/' }, 'Sign in'))));
    fill($('#live-status'));
    return;
  }
  await refresh();
  const speakers = mountHall($('#speakers'), confId);
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
      if (hall && hall.open_poll && hall.open_poll.id === d.poll_id) hall.open_poll.votes_cast = d.votes_cast;
      const n = document.querySelector(`[data-votes-cast="${d.poll_id}"]`);
      if (n) n.textContent = votesCastText(d.votes_cast, hall && hall.open_poll ? hall.open_poll.representatives : null);
    },
  }, (s) => {
    const status = $('#live-status');
    fill(status, liveWords(s));
    status.classList.toggle('offline', s !== 'live');
    updateVoteUi();
  });
});

function votesCastText(n, of) {
  return of ? `${n} of ${of} representatives have voted` : `${n} ${n === 1 ? 'vote' : 'votes'} cast so far`;
}

// Coalesce bursts of events into one snapshot at a time (and one more if something arrived meanwhile).
let loading = null;
let again = false;
function refresh() {
  if (loading) { again = true; return loading; }
  loading = (async () => {
    try {
      do {
        again = false;
        hall = await api('GET', `/conferences/${confId}/hall`);
        render();
      } while (again);
    } catch (e) {
      // Offline: the live connection will call again when it is back.
      if (e.status && e.status !== 0) throw e;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

function render() {
  document.title = `${hall.conference.name} – carried`;
  fill($('#page-title'), hall.conference.name);
  const p = hall.open_poll;
  // My vote: the snapshot says what the service has recorded.
  if (p) {
    if (!myVote || myVote.pollId !== p.id) {
      myVote = hall.my_vote ? { pollId: p.id, choice: hall.my_vote, phase: 'recorded' } : null;
    } else if (myVote.phase === 'unsent') {
      if (hall.my_vote === myVote.choice) myVote.phase = 'recorded';
      else send(p.id, myVote.choice);
    } else if (myVote.phase === 'recorded' && hall.my_vote && hall.my_vote !== myVote.choice) {
      myVote.choice = hall.my_vote;
    }
  } else if (myVote && myVote.phase !== 'recorded' && myVote.phase !== 'refused') {
    myVote = { ...myVote, phase: 'refused', message: `Your vote (${CHOICE_WORDS[myVote.choice]}) was not recorded: the vote closed before it reached the service.` };
  }
  const pollBox = $('#poll');
  if (!p) {
    // Redrawn when the conference closes too.
    const none = `none-${hall.conference.status}`;
    if (shownPoll !== none) {
      fill(pollBox, el('div', { class: 'card', id: 'no-poll' },
        el('h2', {}, hall.conference.status === 'closed' ? 'The conference has closed' : 'No vote open'),
        el('p', {}, hall.conference.status === 'closed' ? 'Thank you for voting.' : 'Wait for the chair to open the next vote. This page will change by itself.'),
        myVote && myVote.phase === 'refused' ? el('p', { class: 'error-message', id: 'vote-refused' }, myVote.message) : null));
      shownPoll = none;
    }
  } else if (shownPoll !== p.id) {
    fill(pollBox, pollCard(p));
    shownPoll = p.id;
  } else {
    const n = document.querySelector(`[data-votes-cast="${p.id}"]`);
    if (n) n.textContent = votesCastText(p.votes_cast, p.representatives);
  }
  updateVoteUi();
  renderLast();
  renderAgenda();
  announceChanges();
}

function announceChanges() {
  const p = hall.open_poll;
  const c = hall.last_closed;
  const say = (text) => fill($('#announcer'), text);
  if (p && announcedOpen !== p.id) {
    announcedOpen = p.id;
    say(`Vote open: ${p.wording.heading}. ${p.method === 'electronic' && hall.representative ? 'Choose For, Against or Abstain.' : ''}`);
  } else if (c && announcedClosed !== c.id && announcedOpen === c.id) {
    say(`Vote closed: ${c.wording.heading}: ${resultWords(c)}.`);
  }
  if (c) announcedClosed = c.id;
}

function pollCard(p) {
  const canVote = hall.representative && p.method === 'electronic';
  return el('section', { class: 'card feature poll', 'data-poll-id': p.id, 'aria-labelledby': `q-${p.id}` },
    el('p', { class: 'vote-now' }, 'Vote now'),
    el('h2', { id: `q-${p.id}`, class: 'poll-heading' }, p.wording.heading),
    el('p', { class: 'hint majority' }, p.wording.majority_needed),
    el('div', { class: 'wording-scroll', tabindex: '0', role: 'region', 'aria-label': 'The words put to the vote' },
      wordingView(p.wording, { id: 'wording' })),
    canVote
      ? el('div', { class: 'vote-buttons', role: 'group', 'aria-label': 'Your vote' },
          ['for', 'against', 'abstain'].map((choice) => el('button', {
            type: 'button', class: choice, 'data-choice': choice, 'data-poll': p.id, 'aria-pressed': 'false',
            onclick: () => send(p.id, choice),
          }, el('span', { class: 'tick', 'aria-hidden': 'true' }), CHOICE_WORDS[choice])))
      : el('p', { class: 'hint' }, p.method === 'show_of_hands'
          ? 'This vote is by show of hands in the hall.'
          : 'You are not registered as a representative at this conference, so you can watch but not vote.'),
    canVote ? el('p', { class: 'your-vote', id: `your-vote-${p.id}`, role: 'status' }) : null,
    p.method === 'electronic' ? el('p', { class: 'hint', 'data-votes-cast': p.id }, votesCastText(p.votes_cast, p.representatives)) : null);
}

/** Buttons and the status line reflect `myVote` and the connection. */
function updateVoteUi() {
  const p = hall && hall.open_poll;
  if (!p) return;
  const status = document.getElementById(`your-vote-${p.id}`);
  const mine = myVote && myVote.pollId === p.id ? myVote : null;
  document.querySelectorAll(`button[data-poll="${p.id}"]`).forEach((b) => {
    const chosen = !!mine && b.dataset.choice === mine.choice;
    b.setAttribute('aria-pressed', String(chosen && mine.phase === 'recorded'));
    b.classList.toggle('pending', chosen && (mine.phase === 'sending' || mine.phase === 'unsent'));
    b.classList.toggle('chosen', chosen && mine.phase === 'recorded');
    const tick = b.querySelector('.tick');
    if (tick) tick.textContent = chosen && mine.phase === 'recorded' ? '✓ ' : chosen && mine.phase !== 'refused' ? '… ' : '';
  });
  if (!status) return;
  status.classList.remove('pending', 'refused', 'recorded');
  if (!mine) {
    fill(status, 'You have not voted yet.');
  } else if (mine.phase === 'sending') {
    status.classList.add('pending');
    fill(status, `Sending your vote: ${CHOICE_WORDS[mine.choice]}…`);
  } else if (mine.phase === 'unsent') {
    status.classList.add('pending');
    fill(status, `Not recorded yet: no connection. Your vote (${CHOICE_WORDS[mine.choice]}) will be sent when the connection is back.`);
  } else if (mine.phase === 'refused') {
    status.classList.add('refused');
    fill(status, mine.message);
  } else {
    status.classList.add('recorded');
    fill(status, `You voted: ${CHOICE_WORDS[mine.choice]} (recorded). You can change your vote until the chair closes the poll.`);
  }
}

// One vote request at a time, in the order tapped: a slower earlier request can never overwrite a later
// choice. A tap while one is on its way becomes the next one sent (only the latest tap is sent).
let inFlight = false;
let wanted = null;
async function send(pollId, choice) {
  wanted = { pollId, choice };
  myVote = { pollId, choice, phase: 'sending' };
  updateVoteUi();
  if (inFlight) return;
  inFlight = true;
  try {
    let sent = null;
    while (wanted !== sent) {
      sent = wanted;
      const outcome = await attempt(sent);
      if (wanted === sent) myVote = outcome;
    }
  } finally {
    inFlight = false;
  }
  updateVoteUi();
}

async function attempt({ pollId, choice }) {
  try {
    await api('POST', `/polls/${pollId}/votes`, { choice });
    return { pollId, choice, phase: 'recorded' };
  } catch (e) {
    if (e.status === 0) {
      // It may or may not have arrived: the next snapshot says; until then it is not counted as recorded.
      if (navigator.onLine) setTimeout(() => { if (myVote && myVote.phase === 'unsent') refresh(); }, 2000);
      return { pollId, choice, phase: 'unsent' };
    }
    const why = e.status === 409 ? 'this vote has closed.' : e.message;
    return { pollId, choice, phase: 'refused', message: `Your vote (${CHOICE_WORDS[choice]}) was not recorded: ${why}` };
  }
}

function renderLast() {
  const box = $('#last-result');
  const c = hall.last_closed;
  if (!c) { fill(box); box.className = 'hidden'; return; }
  box.className = 'card ' + (c.result === 'carried' ? 'success' : 'danger');
  fill(box,
    el('h2', {}, 'Last vote'),
    el('p', {}, c.wording.heading),
    el('p', { class: 'outcome-text' }, resultWords(c)),
    el('p', {}, countsWords(c)),
    c.outcome_text ? el('p', {}, `Motion ${c.motion_item ?? c.motion_number}: `, el('strong', {}, c.outcome_text)) : null);
}

function renderAgenda() {
  const a = hall.agenda;
  const line = (m, outcome) => el('li', {},
    el('strong', {}, `Motion ${m.item ?? m.number}`), m.proposer ? ` (${m.proposer})` : '', ': ', m.first_line,
    outcome && m.outcome_text ? [' ', el('span', { class: 'tag ' + (/^CARRIED/.test(m.outcome_text) ? 'green' : /LOST/.test(m.outcome_text) ? 'red' : 'grey') }, m.outcome_text)] : null);
  fill($('#agenda'),
    el('h2', { id: 'agenda-title' }, 'Agenda'),
    a.motions === 0 ? el('p', { class: 'muted' }, 'No motions yet.') : null,
    el('h3', {}, 'Now'),
    a.now.length ? el('ul', { id: 'agenda-now' }, a.now.map((m) => line(m, false))) : el('p', { class: 'muted', id: 'agenda-now' }, 'Nothing is being taken.'),
    el('h3', {}, 'Next'),
    a.next ? el('ul', { id: 'agenda-next' }, line(a.next, false)) : el('p', { class: 'muted', id: 'agenda-next' }, 'Nothing more is waiting.'),
    el('h3', {}, `Decided (${a.decided.length})`),
    a.decided.length ? el('ul', { id: 'agenda-decided' }, a.decided.map((m) => line(m, true))) : el('p', { class: 'muted', id: 'agenda-decided' }, 'Nothing yet.'));
}
