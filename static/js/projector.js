// Projector screen: the current question in large type; on close, the result with a bar chart and
// the motion's outcome text.
import { api, el, fill, $, start, idFromPath, liveEvents, barChart } from './common.js';

const confId = idFromPath('/conference/');
let conf = null;

start(async () => {
  conf = await api('GET', `/conferences/${confId}`);
  document.title = `${conf.name} – projector – carried`;
  await refresh();
  liveEvents(confId, {
    ready: () => refresh(),
    poll_opened: () => refresh(),
    poll_closed: (d) => show(d.poll ? [d.poll] : []),
    resync: () => refresh(),
    poll_progress: (d) => {
      const n = document.querySelector(`[data-votes-cast="${d.poll_id}"]`);
      if (n) n.textContent = votes(d.votes_cast);
    },
  });
});

const votes = (n) => `${n} ${n === 1 ? 'vote' : 'votes'} cast`;

async function refresh() {
  const polls = await api('GET', `/conferences/${confId}/polls`);
  const open = polls.filter((p) => p.status === 'open');
  if (open.length) return show(open);
  const closed = polls.filter((p) => p.status === 'closed').sort((a, b) => b.id - a.id);
  return show(closed.slice(0, 1));
}

async function show(polls) {
  const content = $('#content');
  const header = el('p', { class: 'status-line' }, conf.name);
  if (!polls.length) {
    fill(content, header, el('p', { class: 'question' }, 'Waiting for the first vote.'));
    return;
  }
  const p = polls[0];
  if (p.status === 'open') {
    fill(content, header,
      el('p', { class: 'status-line' }, 'Vote now'),
      el('h2', { class: 'question', id: 'projector-question' }, p.question),
      p.method === 'electronic'
        ? el('p', { class: 'status-line', 'data-votes-cast': p.id }, votes(p.votes_cast))
        : el('p', { class: 'status-line' }, 'Show of hands'));
    return;
  }
  const c = p.counts;
  const total = c ? c.for + c.against + c.abstain : 0;
  const motion = p.motion_id ? await api('GET', `/motions/${p.motion_id}`).catch(() => null) : null;
  const outcomeText = motion && motion.outcome_text ? motion.outcome_text : p.outcome_text;
  const lost = outcomeText && /LOST|WITHDRAWN|NOT REACHED/.test(outcomeText) && !/CARRIED/.test(outcomeText);
  fill(content, header,
    el('h2', { class: 'question', id: 'projector-question' }, p.question),
    el('p', { class: 'big-outcome' + (p.result === 'carried' ? '' : ' lost'), id: 'poll-result' },
      (p.result || '').toUpperCase(), p.qualifier ? ' ' + String(p.qualifier).replace(/_/g, ' ').toUpperCase() : ''),
    outcomeText ? el('div', { class: 'motion-outcome' },
      el('p', { class: 'status-line' }, `Motion ${p.motion_number ?? ''} as a whole:`),
      el('p', { class: 'big-outcome' + (lost ? ' lost' : ''), id: 'motion-outcome' }, outcomeText)) : null,
    c ? barChart(['for', 'against', 'abstain'].map((k) => ({
      label: k[0].toUpperCase() + k.slice(1), cls: k, share: total ? c[k] / total : 0, text: String(c[k]),
    })), 'Votes') : el('p', { class: 'status-line' }, 'Declared on a show of hands.'));
}
