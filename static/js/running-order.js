// The chair's running order: a compact index of the agenda (sections, numbers, marks, outcomes) with
// Now and Next, search by number or LMC, jump links to sections, moving items up or down and deleting
// them before a vote; the item chosen in the index is shown in full beside it (chair.js); and a bar that
// stays on screen with Now, Next, the open vote, its count and Close (which asks first).
import { api, el, fill, showErrors } from './common.js';

/** Short marks for the index. */
const MARK_SHORT = { starred: '★', chosen: 'chosen', a: 'A', ar: 'AR', grey: 'grey', composite: 'composite', incompetent: 'incompetent' };

/** The motion ids a poll is on: its motion, or the 'A' motions it puts together. */
function pollMotionIds(p) {
  if (p.motion_id != null) return [p.motion_id];
  return (p.subject && p.subject.a_motions_en_bloc) || [];
}

/**
 * The order items are taken in: the running order, except that the amendments and riders printed for an
 * item (their `amends` names it) are taken just before it, amendments first.
 */
export function takingOrder(motions) {
  const key = (s) => String(s || '').toLowerCase();
  const byItem = new Map(motions.map((m) => [key(m.item), m]));
  const linked = (m) => motions.filter((x) => x !== m && x.amends && key(x.amends) === key(m.item) && (x.kind === 'amendment' || x.kind === 'rider'));
  const out = [];
  for (const m of motions) {
    const target = m.amends && (m.kind === 'amendment' || m.kind === 'rider') ? byItem.get(key(m.amends)) : null;
    if (target && target !== m) continue;
    const own = linked(m);
    out.push(...own.filter((x) => x.kind === 'amendment'), ...own.filter((x) => x.kind === 'rider'), m);
  }
  return out;
}

/** The item being taken now (the one with a vote open, else the first undecided in taking order), and the next. */
export function nowAndNext(motions, open) {
  const openIds = new Set(open.flatMap(pollMotionIds));
  const order = takingOrder(motions);
  const undecided = order.filter((m) => !m.outcome_text);
  // An amendment or rider voted on a motion is the first undecided printed amendment (or rider) for it.
  const put = open.flatMap((p) => {
    const kind = p.subject && (p.subject.amendment ? 'amendment' : p.subject.rider ? 'rider' : null);
    const target = kind && motions.find((m) => m.id === p.motion_id);
    const item = target && undecided.find((x) => x.kind === kind && String(x.amends || '').toLowerCase() === target.item.toLowerCase());
    return item ? [item] : [];
  });
  const now = put[0] || order.find((m) => openIds.has(m.id)) || undecided[0] || null;
  const after = now ? undecided.filter((m) => order.indexOf(m) > order.indexOf(now) && m !== now) : [];
  return { now, next: after[0] || null };
}

// The item the chair chose in the index; when a vote opens or closes, the page goes back to the item in hand.
let chosen = null;
let openKey = null;
let lastShown = null;

/** The motion to show in full: the one the chair chose, else the one in hand. */
export function selectedMotion(motions, open) {
  const key = open.map((p) => p.id).join(',');
  if (openKey !== null && key !== openKey) chosen = null;
  openKey = key;
  const { now } = nowAndNext(motions, open);
  return motions.find((m) => m.id === chosen) || now || motions[0] || null;
}

/** Choose the item shown in full. */
export function chooseMotion(id) {
  chosen = id;
}

/** "#item-27a" for an item, so that a link to an item can be shared or kept in the history. */
export function itemHash(m) {
  return `#item-${encodeURIComponent(m.item)}`;
}

/** The motion a "#item-27a" hash names. */
export function motionFromHash(motions, hash) {
  const want = decodeURIComponent((hash || '').replace(/^#item-/, '')).toLowerCase();
  return want ? motions.find((m) => m.item.toLowerCase() === want) || null : null;
}

function where(m) {
  return [m.section, m.subsection].filter(Boolean).join(' — ');
}

/** Whether a row matches what the chair typed: the number (27, 27a) or part of the LMC's name. */
export function matches(m, q) {
  const query = q.trim().toLowerCase().replace(/^item\s+/, '');
  if (!query) return true;
  const item = m.item.toLowerCase();
  if (item === query || (item.startsWith(query) && /^\d/.test(query))) return true;
  return (m.proposer || '').toLowerCase().includes(query) || (m.seconder || '').toLowerCase().includes(query);
}

/**
 * The index. `ctx`: `{ confId, motions, open, selected, select(motion), refresh }`.
 */
export function renderIndex(box, ctx) {
  const { confId, motions, open, selected, select, refresh } = ctx;
  const { now, next } = nowAndNext(motions, open);
  const search = el('input', { type: 'search', id: 'index-search', 'aria-describedby': 'index-search-hint', autocomplete: 'off' });
  const rows = [];
  const sections = [];
  let section = null;
  motions.forEach((m, i) => {
    const w = where(m);
    if (w && w !== section) {
      section = w;
      const id = `index-section-${sections.length}`;
      sections.push({ id, name: m.section || w, sub: !!m.subsection && sections.some((s) => s.name === m.section) });
      rows.push(el('tr', { class: 'index-section', id }, el('th', { colspan: '5', scope: 'rowgroup' }, w)));
    }
    const tag = m === now ? el('span', { class: 'tag now' }, 'Now') : m === next ? el('span', { class: 'tag' }, 'Next') : '';
    const move = async (delta) => {
      const ids = motions.map((x) => x.id);
      const j = i + delta;
      if (j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j], ids[i]];
      try { await api('POST', `/conferences/${confId}/order`, { motions: ids }); await refresh(); } catch (e) { showErrors([{ message: e.message }]); }
    };
    const kind = m.kind !== 'motion' ? `${m.kind === 'emergency' ? 'emergency' : m.kind}${m.amends ? ` to ${m.amends}` : ''}: ` : '';
    const marks = [...m.marks.map((k) => MARK_SHORT[k] || k), m.bracket ? `bracket ${m.bracket}` : null].filter(Boolean).join(', ');
    const cls = [m === now ? 'is-now' : '', selected && m.id === selected.id ? 'is-selected' : '', m.marks.includes('grey') ? 'is-grey' : ''].filter(Boolean).join(' ');
    rows.push(el('tr', { 'data-index-item': m.item, 'data-motion-id': m.id, 'data-search': `${m.item} ${m.proposer || ''}`.toLowerCase(), class: cls || null, 'aria-current': selected && m.id === selected.id ? 'true' : null },
      el('th', { scope: 'row' }, el('a', { href: itemHash(m), 'data-select': m.item, onclick: (ev) => { ev.preventDefault(); select(m); } }, m.item), ' ', tag),
      el('td', {}, kind, m.proposer || (m.agenda_committee ? 'Agenda committee' : '—')),
      el('td', { class: 'index-marks' }, marks),
      el('td', { class: 'index-outcome' }, m.outcome_text || ''),
      el('td', { class: 'index-actions' },
        el('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${m.item} up`, onclick: () => move(-1), disabled: i === 0 }, '↑'),
        el('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${m.item} down`, onclick: () => move(1), disabled: i === motions.length - 1 }, '↓'))));
  });
  const table = el('table', { id: 'running-order', class: 'compact index' },
    el('caption', {}, `Running order: ${motions.length} items, ${motions.filter((m) => m.outcome_text).length} decided`),
    el('thead', {}, el('tr', {}, ['Item', 'Proposer', 'Marks', 'Outcome', 'Move'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
  const wrap = el('div', { class: 'table-wrap index-wrap', id: 'index-wrap', tabindex: '0', role: 'region', 'aria-label': 'Running order' }, table);
  // The row near the top of the box, with a row's height of what comes before it.
  const scrollToRow = (row) => {
    if (!row) return;
    const head = table.tHead ? table.tHead.getBoundingClientRect().height : 0;
    wrap.scrollTop += row.getBoundingClientRect().top - wrap.getBoundingClientRect().top - head;
  };
  const found = el('p', { class: 'hint', id: 'index-found', 'aria-live': 'polite' });
  const filter = () => {
    const q = search.value;
    let shown = 0;
    let first = null;
    for (const tr of table.querySelectorAll('tr[data-index-item]')) {
      const m = motions.find((x) => String(x.id) === tr.dataset.motionId);
      tr.hidden = !matches(m, q);
      if (!tr.hidden) { shown += 1; first = first || m; }
    }
    for (const tr of table.querySelectorAll('tr.index-section')) tr.hidden = !!q.trim();
    fill(found, q.trim() ? (shown ? `${shown} found. Press Enter to show ${first.item}.` : 'No item found.') : '');
    return first;
  };
  search.addEventListener('input', filter);
  search.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    const first = filter();
    if (first) select(first);
  });
  const jumpTo = (m) => el('a', { href: itemHash(m), 'data-jump': m.item, onclick: (ev) => { ev.preventDefault(); select(m); scrollToRow(table.querySelector(`tr[data-motion-id="${m.id}"]`)); } }, `item ${m.item}`);
  const grey = motions.find((m) => m.marks.includes('grey'));
  const jumps = sections.filter((s, k) => !s.sub && sections.findIndex((t) => t.name === s.name) === k).map((s) =>
    el('a', { href: `#${s.id}`, 'data-jump-section': s.name, onclick: (ev) => { ev.preventDefault(); scrollToRow(table.querySelector(`#${s.id}`)); } }, s.name));
  if (grey && !sections.some((s) => /grey/i.test(s.name))) {
    jumps.push(el('a', { href: itemHash(grey), 'data-jump-section': 'grey', onclick: (ev) => { ev.preventDefault(); scrollToRow(table.querySelector(`tr[data-motion-id="${grey.id}"]`)); } }, 'Grey section'));
  }
  const kept = box.querySelector('#index-search')?.value || '';
  const keptScroll = box.querySelector('#index-wrap')?.scrollTop;
  fill(box,
    el('h2', { id: 'running-order-title' }, 'Running order'),
    el('p', { id: 'now-next' }, now ? ['Now: ', jumpTo(now)] : 'Every item is decided.', next ? [' · Next: ', jumpTo(next)] : ''),
    el('div', { class: 'index-tools' },
      el('div', { class: 'form-group' },
        el('label', { for: 'index-search' }, 'Find an item'),
        el('span', { class: 'hint', id: 'index-search-hint' }, 'Its number (27, 27a) or the LMC; Enter shows the first found'),
        search, found),
      jumps.length ? el('nav', { class: 'index-jumps', 'aria-label': 'Sections of the agenda' }, 'Jump to: ', jumps.flatMap((a, k) => (k ? [' · ', a] : [a]))) : null),
    wrap);
  if (kept) { search.value = kept; filter(); }
  // The index keeps where the chair scrolled it, unless another item is shown: then it scrolls to that one.
  const moved = selected && selected.id !== lastShown;
  lastShown = selected ? selected.id : null;
  if (keptScroll != null && !moved) wrap.scrollTop = keptScroll;
  else if (selected) scrollToRow(table.querySelector(`tr[data-motion-id="${selected.id}"]`));
  return { scrollTo: (m) => scrollToRow(table.querySelector(`tr[data-motion-id="${m.id}"]`)) };
}

/**
 * The bar that stays on screen: Now and Next, the open vote with its count, and Close, which asks
 * first. `close(pollId, confirmed)` closes the vote.
 */
export function renderBar(bar, { motions, open, nReps, close, select }) {
  const p = open[0];
  const { now, next } = nowAndNext(motions, open);
  // Only while a vote is open: it must not cover the page's own buttons otherwise.
  if (!p) { fill(bar); bar.hidden = true; return; }
  bar.hidden = false;
  const link = (m, word) => el('a', { href: itemHash(m), 'data-bar-item': word, onclick: (ev) => { ev.preventDefault(); select(m); } }, `${word}: ${m.item}`);
  const where = el('span', { class: 'bar-where' }, now ? link(now, 'Now') : null, next ? [' · ', link(next, 'Next')] : null);
  const confirmBox = el('span', { class: 'bar-confirm', 'aria-live': 'polite' });
  const ask = async () => {
    try {
      const check = await api('GET', `/polls/${p.id}/close-check`);
      const message = check.message || `${check.votes_cast} of ${check.registered} registered representatives have voted. Close the vote now?`;
      fill(confirmBox, el('span', { class: 'notice warning-panel inline', role: 'alertdialog', id: `confirm-close-bar-${p.id}`, 'aria-labelledby': `confirm-close-bar-${p.id}-q` },
        el('strong', { id: `confirm-close-bar-${p.id}-q` }, message), ' ',
        el('button', { type: 'button', class: 'warning small', 'data-confirm-close': p.id, onclick: () => close(p.id, true) }, 'Close the vote'),
        el('button', { type: 'button', class: 'secondary small', 'data-keep-open': p.id, onclick: () => fill(confirmBox) }, 'Keep it open')));
      confirmBox.querySelector('button')?.focus();
    } catch (e) { showErrors([{ message: e.message }]); }
  };
  fill(bar, el('div', { class: 'width' },
    el('p', {}, where, ' · ', el('strong', {}, 'Vote open: '), p.question, ' — ',
      p.method === 'electronic' ? [el('strong', { 'data-bar-votes': p.id }, String(p.votes_cast)), ` of ${nReps} voted `] : 'show of hands ',
      p.method === 'electronic' ? el('button', { type: 'button', class: 'warning small', id: 'bar-close', onclick: ask }, 'Close this vote…') : el('a', { href: '#polls' }, 'Declare the result'),
      confirmBox)));
}
