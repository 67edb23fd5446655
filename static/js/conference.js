// Representative: the current poll of this conference, big for / against / abstain buttons, the vote
// cast, updated live as the chair opens and closes polls.
import { api, el, fill, $, start, idFromPath, liveEvents, CHOICE_WORDS, motionText, hasRole } from './common.js';

const confId = idFromPath('/conference/');
let user = null;
const motions = new Map();

start(async (u) => {
  user = u;
  const conf = await api('GET', `/conferences/${confId}`);
  document.title = `${conf.name} – carried`;
  fill($('#page-title'), conf.name);
  if (!user) {
    fill($('#content'), el('div', { class: 'notice' },
      el('p', {}, 'You need to sign in to vote at this conference.'),
      el('p', {}, el('a', { href: '/' }, 'Sign in'))));
    fill($('#live-status'));
    return;
  }
  await refresh();
  liveEvents(confId, {
    ready: () => refresh(),
    poll_opened: () => refresh(),
    poll_closed: (d) => refresh(d.poll),
    poll_progress: (d) => {
      const n = document.querySelector(`[data-votes-cast="${d.poll_id}"]`);
      if (n) n.textContent = votesCastText(d.votes_cast);
    },
    resync: () => refresh(),
    conference_closed: () => refresh(),
  }, (s) => fill($('#live-status'), s === 'live' ? 'Live: this page updates by itself.' : 'Reconnecting…'));
});

function votesCastText(n) {
  return `${n} ${n === 1 ? 'vote' : 'votes'} cast so far`;
}

async function motion(id) {
  if (!motions.has(id)) motions.set(id, await api('GET', `/motions/${id}`));
  return motions.get(id);
}

let lastClosed = null;

async function refresh(closedPoll) {
  if (closedPoll) lastClosed = closedPoll;
  const open = await api('GET', `/conferences/${confId}/polls?open=true`);
  const content = $('#content');
  const blocks = [];
  if (!hasRole(user, 'representative')) {
    blocks.push(el('div', { class: 'notice' }, el('p', {}, 'You are not registered as a representative, so you can watch but not vote.')));
  }
  if (open.length === 0) {
    blocks.push(el('div', { class: 'card', id: 'no-poll' },
      el('h2', {}, 'No vote open'), el('p', {}, 'Wait for the chair to open the next vote. This page will change by itself.')));
  }
  for (const p of open) blocks.push(await pollCard(p));
  if (lastClosed) {
    const c = lastClosed.counts;
    blocks.push(el('div', { class: 'card ' + (lastClosed.result === 'carried' ? 'success' : 'danger'), id: 'last-result' },
      el('h2', {}, 'Last vote'),
      el('p', {}, lastClosed.question),
      el('p', { class: 'outcome-text' }, (lastClosed.result || '').toUpperCase(),
        c ? ` — for ${c.for}, against ${c.against}, abstain ${c.abstain}` : ''),
      lastClosed.outcome_text ? el('p', {}, 'The motion: ', el('strong', {}, lastClosed.outcome_text)) : null));
  }
  fill(content, blocks);
}

async function pollCard(p) {
  const m = p.motion_id ? await motion(p.motion_id) : null;
  let mine = null;
  try { mine = (await api('GET', `/polls/${p.id}/my-vote`)).choice; } catch { /* not a representative */ }
  const status = el('p', { class: 'your-vote', id: `your-vote-${p.id}`, 'aria-live': 'polite' }, yourVote(mine));
  const canVote = hasRole(user, 'representative') && p.method === 'electronic';
  const buttons = canVote
    ? el('div', { class: 'vote-buttons', role: 'group', 'aria-label': 'Your vote' },
        ['for', 'against', 'abstain'].map((choice) => el('button', {
          type: 'button', class: choice, 'data-choice': choice, 'data-poll': p.id, 'aria-pressed': String(mine === choice),
          onclick: () => vote(p.id, choice),
        }, CHOICE_WORDS[choice])))
    : el('p', {}, p.method === 'show_of_hands' ? 'This vote is by show of hands in the hall.' : '');
  return el('section', { class: 'card feature poll', 'data-poll-id': p.id, 'aria-labelledby': `q-${p.id}` },
    el('h2', { id: `q-${p.id}` }, p.question),
    el('p', { class: 'hint' }, p.majority === 'two_thirds' ? 'Needs a two-thirds majority of those voting for or against.' : 'Needs more votes for than against.'),
    buttons,
    canVote ? status : null,
    el('p', { 'data-votes-cast': p.id }, votesCastText(p.votes_cast)),
    m ? el('details', {}, el('summary', {}, `Motion ${m.number} in full`), motionText(m)) : null);
}

function yourVote(choice) {
  return choice ? `You voted: ${CHOICE_WORDS[choice]}. You can change your vote until the chair closes the poll.` : 'You have not voted yet.';
}

async function vote(pollId, choice) {
  const status = $(`#your-vote-${pollId}`);
  try {
    await api('POST', `/polls/${pollId}/votes`, { choice });
    fill(status, yourVote(choice));
    document.querySelectorAll(`button[data-poll="${pollId}"]`).forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.choice === choice)));
  } catch (e) {
    fill(status, el('span', { class: 'error-message' }, e.status === 409 ? 'This vote has closed.' : e.message));
  }
}
