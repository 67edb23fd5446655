// The chair's running order: a compact index of the agenda (sections, numbers, marks, outcomes) with
// Now and Next, search by number or LMC, jump links, moving items up or down and deleting them before a
// vote; and a bar that stays on screen with the open vote, its count and Close.
import { api, el, fill, showErrors, MARK_WORDS } from './common.js';

/** The motion being taken now (the one with a vote open, else the first undecided), and the next. */
export function nowAndNext(motions, open) {
  const openIds = new Set(open.flatMap((p) => (p.motion_id != null ? [p.motion_id] : [])));
  const undecided = motions.filter((m) => !m.outcome_text);
  const now = motions.find((m) => openIds.has(m.id)) || undecided[0] || null;
  const after = now ? undecided.filter((m) => motions.indexOf(m) > motions.indexOf(now)) : [];
  return { now, next: after[0] || null };
}

export function renderIndex(box, confId, motions, open, refresh) {
  const { now, next } = nowAndNext(motions, open);
  const search = el('input', { type: 'search', id: 'index-search', 'aria-describedby': 'index-search-hint', autocomplete: 'off' });
  const rows = [];
  let section = null;
  motions.forEach((m, i) => {
    const where = [m.section, m.subsection].filter(Boolean).join(' — ');
    if (where && where !== section) {
      section = where;
      rows.push(el('tr', { class: 'index-section' }, el('th', { colspan: '6', scope: 'rowgroup' }, where)));
    }
    const tag = m === now ? el('span', { class: 'tag now' }, 'Now') : m === next ? el('span', { class: 'tag' }, 'Next') : '';
    const move = async (delta) => {
      const ids = motions.map((x) => x.id);
      const j = i + delta;
      if (j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j], ids[i]];
      try { await api('POST', `/conferences/${confId}/order`, { motions: ids }); await refresh(); } catch (e) { showErrors([{ message: e.message }]); }
    };
    const remove = async () => {
      try { await api('DELETE', `/motions/${m.id}`); await refresh(); } catch (e) { showErrors([{ message: e.message }]); }
    };
    const untouched = !m.outcome_text && !m.taken_as && !(m.voided_polls || []).length;
    rows.push(el('tr', { 'data-index-item': m.item, 'data-search': `${m.item} ${m.proposer || ''}`.toLowerCase(), class: m === now ? 'is-now' : '' },
      el('th', { scope: 'row' }, el('a', { href: `#motion-${m.id}` }, m.item), ' ', tag),
      el('td', {}, m.kind !== 'motion' ? `${m.kind}${m.amends ? ` to ${m.amends}` : ''}: ` : '', m.proposer || '—'),
      el('td', {}, m.marks.map((k) => MARK_WORDS[k] || k).join(', '), m.bracket ? `${m.marks.length ? ', ' : ''}bracket ${m.bracket}` : ''),
      el('td', { class: 'index-outcome' }, m.outcome_text || ''),
      el('td', { class: 'index-actions' },
        el('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${m.item} up`, onclick: () => move(-1), disabled: i === 0 }, '↑'),
        el('button', { type: 'button', class: 'secondary small', 'aria-label': `Move ${m.item} down`, onclick: () => move(1), disabled: i === motions.length - 1 }, '↓'),
        untouched ? el('button', { type: 'button', class: 'secondary small', 'data-delete': m.item, 'aria-label': `Delete ${m.item}`, onclick: remove }, 'Delete') : '')));
  });
  const table = el('table', { id: 'running-order', class: 'compact index' },
    el('caption', {}, `Running order: ${motions.length} items, ${motions.filter((m) => m.outcome_text).length} decided`),
    el('thead', {}, el('tr', {}, ['Item', 'Proposer', 'Marks', 'Outcome', 'Move'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    for (const tr of table.querySelectorAll('tr[data-search]')) {
      const item = tr.dataset.indexItem.toLowerCase();
      tr.hidden = !!q && !(item === q || item.startsWith(q) || tr.dataset.search.includes(q));
    }
    for (const tr of table.querySelectorAll('tr.index-section')) tr.hidden = !!q;
  });
  const kept = box.querySelector('#index-search')?.value || '';
  fill(box,
    el('h2', { id: 'running-order-title' }, 'Running order'),
    el('p', {}, now ? ['Now: ', el('a', { href: `#motion-${now.id}` }, `item ${now.item}`)] : 'Every item is decided.',
      next ? [' · Next: ', el('a', { href: `#motion-${next.id}` }, `item ${next.item}`)] : ''),
    el('div', { class: 'form-group' },
      el('label', { for: 'index-search' }, 'Find an item'),
      el('span', { class: 'hint', id: 'index-search-hint' }, 'Its number (27, 27a) or the LMC'),
      search),
    el('div', { class: 'table-wrap index-wrap' }, table));
  if (kept) { search.value = kept; search.dispatchEvent(new Event('input')); }
}

/** The bar that stays on screen: the open vote, its count and Close. */
export function renderBar(bar, open, nReps, close) {
  const p = open[0];
  if (!p) { fill(bar); bar.hidden = true; return; }
  bar.hidden = false;
  fill(bar, el('div', { class: 'width' },
    el('p', {}, el('strong', {}, 'Vote open: '), p.question, ' — ',
      p.method === 'electronic' ? [el('strong', { 'data-bar-votes': p.id }, String(p.votes_cast)), ` of ${nReps} voted `] : 'show of hands ',
      p.method === 'electronic' ? el('button', { type: 'button', class: 'warning small', id: 'bar-close', onclick: () => close(p.id) }, 'Close this vote') : el('a', { href: '#polls' }, 'Declare the result'))));
}
