// The chair's tools for the one item shown in full: its amendments and riders in the order they are
// voted, its bracket; move it in the running order, edit it, withdraw it, move it to or from the grey
// section, star it, bracket it, delete it before a vote; apply a carried agenda-committee motion
// ("that item 217 be an 'A' motion").
import { api, el, fill, showErrors, fieldError } from './common.js';
import { itemHash } from './running-order.js';

const same = (a, b) => String(a || '').toLowerCase() === String(b || '').toLowerCase();

/** Amendments and riders printed for item `m` (their `amends` names it), in agenda order. */
export function amendmentsOf(m, motions) {
  return motions.filter((x) => x.id !== m.id && x.amends && same(x.amends, m.item));
}

/** The order in which the item and what amends it are voted: amendments, riders, then the item. */
export function votingOrder(m, motions) {
  const linked = amendmentsOf(m, motions);
  return [...linked.filter((x) => x.kind === 'amendment'), ...linked.filter((x) => x.kind === 'rider'), m];
}

/** Wordings an agenda-committee motion about the agenda uses (the server reads them exactly). */
const COMMITTEE_WORDING = /\b(items?|motions?)\s+(number\s+)?[a-z]{0,2}\d{1,4}[a-z]{0,2}\b[^.]*\bbe\b/i;

function link(m, select, text) {
  return el('a', { href: itemHash(m), 'data-select': m.item, onclick: (ev) => { ev.preventDefault(); select(m); } }, text || `item ${m.item}`);
}

async function act(fn, refresh) {
  try {
    await fn();
    showErrors([]);
    await refresh();
  } catch (e) {
    showErrors([{ message: e.message }]);
  }
}

/** A button that asks before it acts: the first click shows the question, the second does it. */
function confirmButton(label, question, attrs, onConfirm) {
  const box = el('span', { class: 'confirm-box', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', class: 'secondary small', ...attrs, onclick: () => {
    fill(box, el('span', { class: 'notice warning-panel inline', role: 'alertdialog' },
      el('strong', {}, question), ' ',
      el('button', { type: 'button', class: 'warning small', 'data-confirm': attrs['data-action'], onclick: onConfirm }, 'Yes'),
      el('button', { type: 'button', class: 'secondary small', onclick: () => fill(box) }, 'No')));
    box.querySelector('button')?.focus();
  } }, label);
  return [button, box];
}

/** The tools below the item shown in full. `ctx`: `{ confId, conf, motions, open, select, refresh }`. */
export function itemTools(m, ctx) {
  const { confId, conf, motions, select, refresh } = ctx;
  const out = [];
  // What amends it, and what it amends.
  const order = votingOrder(m, motions);
  if (order.length > 1) {
    out.push(el('div', { class: 'voting-order', id: `voting-order-${m.id}` },
      el('h4', {}, 'Voting order'),
      el('ol', {}, order.map((x) => el('li', { 'data-voting-order': x.item },
        x === m ? `item ${m.item} itself` : [link(x, select, `${x.kind} ${x.item}`), x.proposer ? ` (${x.proposer})` : ''],
        x.outcome_text ? ` — ${x.outcome_text}` : '')))));
  }
  if (m.amends) {
    const target = motions.find((x) => same(x.item, m.amends));
    out.push(el('p', { class: 'hint', 'data-amends': m.amends }, `This ${m.kind} is to item ${m.amends}. `,
      target ? link(target, select, `Show item ${target.item}`) : '(not on this agenda)'));
  }
  if (m.bracket) {
    const members = motions.filter((x) => x.bracket === m.bracket && x.id !== m.id);
    out.push(el('p', { class: 'hint' }, `Bracket ${m.bracket}`, members.length ? [': with ', members.flatMap((x, k) => (k ? [', ', link(x, select)] : [link(x, select)]))] : ''));
  }
  if (conf.status !== 'open') return out;

  const busy = ctx.open.some((p) => p.motion_id === m.id || ((p.subject && p.subject.a_motions_en_bloc) || []).includes(m.id));
  const voted = !!m.outcome_text || !!m.taken_as || (m.voided_polls || []).length > 0 || busy;
  // While a vote on it is open, or once it is decided, its marks and outcome stay as they are.
  const decided = !!m.outcome_text || busy;
  const marks = (change) => act(() => api('POST', `/motions/${m.id}/marks`, change), refresh);
  const toggle = (k) => marks({ marks: m.marks.includes(k) ? m.marks.filter((x) => x !== k) : [...m.marks, k] });
  const row = [];
  if (!decided) {
    row.push(el('button', { type: 'button', class: 'secondary small', 'data-action': 'grey', onclick: () => toggle('grey') },
      m.marks.includes('grey') ? 'Move out of the grey section' : 'Move to the grey section'));
    row.push(el('button', { type: 'button', class: 'secondary small', 'data-action': 'star', onclick: () => toggle('starred') },
      m.marks.includes('starred') ? 'Unstar' : 'Star'));
    row.push(el('button', { type: 'button', class: 'secondary small', 'data-action': 'a', onclick: () => toggle('a') },
      m.marks.includes('a') ? 'Not an ‘A’ motion' : 'Make it an ‘A’ motion'));
    row.push(confirmButton('Withdraw…', `Withdraw item ${m.item}? It is recorded as WITHDRAWN.`, { 'data-action': 'withdraw' },
      () => act(() => api('POST', `/motions/${m.id}/decide`, { outcome: 'withdrawn' }), refresh)));
  }
  if (!voted) {
    row.push(confirmButton('Delete…', `Delete item ${m.item} from the agenda? This cannot be undone.`, { 'data-action': 'delete' },
      () => act(() => api('DELETE', `/motions/${m.id}`), refresh)));
  }
  out.push(el('div', { class: 'button-row item-actions' }, row));
  if ((m.kind === 'amendment' || m.kind === 'rider') && m.amends && !decided && !ctx.open.length) {
    const target = motions.find((x) => same(x.item, m.amends));
    if (target && !target.outcome_text) out.push(putForm(m, target, refresh));
  }
  out.push(el('details', { 'data-keep': `tools-${m.id}`, class: 'item-tools' },
    el('summary', {}, voted ? 'Move or bracket this item' : 'Move, bracket or correct this item'),
    moveForm(m, confId, motions, refresh),
    decided ? null : bracketForm(m, refresh),
    voted ? null : editForm(m, refresh)));
  if (COMMITTEE_WORDING.test([m.stem, ...m.parts.map((p) => p.text)].join(' '))) out.push(applySection(m, refresh));
  return out;
}

function moveForm(m, confId, motions, refresh) {
  const id = `move-after-${m.id}`;
  const form = el('form', { class: 'inline-form', novalidate: true, 'data-move': m.id },
    el('label', { for: id }, `Take item ${m.item} after item`),
    el('input', { type: 'text', id, class: 'input-short', autocomplete: 'off', 'aria-describedby': `${id}-hint` }),
    el('span', { class: 'hint', id: `${id}-hint` }, ' (0 to take it first)'),
    el('button', { type: 'submit', class: 'secondary small' }, 'Move'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const want = form.querySelector('input').value.trim();
    fieldError(id, null);
    const rest = motions.filter((x) => x.id !== m.id);
    let at;
    if (want === '0') at = 0;
    else {
      const k = rest.findIndex((x) => same(x.item, want));
      if (k < 0) { fieldError(id, `There is no item ${want}`); return showErrors([{ field: id, message: `There is no item ${want || '(none given)'}` }]); }
      at = k + 1;
    }
    const ids = rest.map((x) => x.id);
    ids.splice(at, 0, m.id);
    return act(() => api('POST', `/conferences/${confId}/order`, { motions: ids }), refresh);
  });
  return form;
}

function bracketForm(m, refresh) {
  const id = `bracket-${m.id}`;
  const form = el('form', { class: 'inline-form', novalidate: true, 'data-bracket-form': m.id },
    el('label', { for: id }, 'Bracket'),
    el('input', { type: 'text', id, class: 'input-short', value: m.bracket || '', autocomplete: 'off', 'aria-describedby': `${id}-hint` }),
    el('span', { class: 'hint', id: `${id}-hint` }, ' (the item that leads it, e.g. 27; empty for none)'),
    el('button', { type: 'submit', class: 'secondary small' }, 'Save bracket'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const b = form.querySelector('input').value.trim();
    act(() => api('POST', `/motions/${m.id}/marks`, { bracket: b || null }), refresh);
  });
  return form;
}

function editForm(m, refresh) {
  const idp = `edit-${m.id}`;
  const parts = m.parts.map((p, i) => el('div', { class: 'form-group' },
    el('label', { for: `${idp}-part-${i}` }, `Part ${p.label}`),
    el('textarea', { id: `${idp}-part-${i}`, rows: '2', 'data-label': p.label }, p.text)));
  const form = el('form', { novalidate: true, 'data-edit': m.id },
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-item` }, 'Number as printed'),
      el('input', { type: 'text', id: `${idp}-item`, class: 'input-short', value: m.item })),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-proposer` }, 'Proposer'),
      el('input', { type: 'text', id: `${idp}-proposer`, value: m.proposer || '' })),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-stem` }, 'Opening words (the stem)'),
      el('textarea', { id: `${idp}-stem`, rows: '3' }, m.stem)),
    parts,
    el('button', { type: 'submit', class: 'secondary', 'data-save-edit': m.id }, 'Save the corrections'));
  form.addEventListener('input', (ev) => { ev.target.dataset.touched = '1'; });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {};
    const item = form.querySelector(`#${idp}-item`).value.trim();
    const proposer = form.querySelector(`#${idp}-proposer`).value.trim();
    const stem = form.querySelector(`#${idp}-stem`).value.trim();
    if (item !== m.item) body.item = item;
    if (proposer && proposer !== (m.proposer || '')) body.proposer = proposer;
    if (stem !== m.stem) body.stem = stem;
    const newParts = [...form.querySelectorAll('textarea[data-label]')].map((t) => ({ label: t.dataset.label, text: t.value.trim() }));
    if (newParts.some((p, i) => p.text !== m.parts[i].text)) body.parts = newParts;
    if (!Object.keys(body).length) return showErrors([{ message: `Nothing changed in item ${m.item}` }]);
    return act(() => api('PUT', `/motions/${m.id}`, body), refresh);
  });
  return el('details', { 'data-keep': `edit-${m.id}` }, el('summary', {}, 'Correct the number, proposer or wording'), form);
}

/** A carried agenda-committee motion about the agenda: what it does, and Apply. */
function applySection(m, refresh) {
  const result = el('div', { id: `apply-result-${m.id}`, 'aria-live': 'polite' });
  const describe = (r) => el('ul', {}, r.changes.map((c) => el('li', {}, `Item ${c.item} ${c.changes.join(' and ')}`)));
  const preview = async () => {
    try {
      const r = await api('POST', `/motions/${m.id}/apply?dry_run=true`);
      fill(result, el('p', {}, 'If carried and applied:'), describe(r));
    } catch (e) {
      fill(result, el('p', { class: 'hint' }, e.message));
    }
  };
  const carried = m.outcome === 'carried';
  const apply = async () => {
    try {
      const r = await api('POST', `/motions/${m.id}/apply`);
      showErrors([]);
      fill(result, el('p', { class: 'notice success' }, `Applied item ${m.item}:`), describe(r));
      await refresh();
    } catch (e) {
      showErrors([{ message: e.message }]);
    }
  };
  preview();
  return el('div', { class: 'card apply-committee', 'data-apply': m.id },
    el('h4', {}, 'Agenda-committee motion about the agenda'),
    result,
    carried
      ? el('button', { type: 'button', 'data-apply-button': m.id, onclick: apply }, 'Apply it to the agenda')
      : el('p', { class: 'hint' }, 'Once it is carried, apply it here.'));
}

/** Put an imported amendment or rider to the vote on the item it amends, with the wording as read (or corrected). */
function putForm(m, target, refresh) {
  const idp = `put-${m.id}`;
  const rider = m.kind === 'rider';
  const note = el('p', { class: 'hint', id: `${idp}-note` });
  const partSelect = rider ? null : el('select', { id: `${idp}-part` },
    el('option', { value: '' }, 'The opening words (the stem)'),
    target.parts.map((p) => el('option', { value: p.label }, `Part ${p.label}`)));
  const text = el('textarea', { id: `${idp}-text`, rows: '3', 'aria-describedby': `${idp}-note` });
  const method = el('select', { id: `${idp}-method` }, el('option', { value: 'electronic' }, 'Electronic vote'), el('option', { value: 'show_of_hands' }, 'Show of hands'));
  const form = el('form', { class: 'card put-item', novalidate: true, 'data-put-form': m.id },
    el('h4', {}, `Put ${m.kind} ${m.item} to the vote on item ${target.item}`),
    rider ? null : el('div', { class: 'form-group' }, el('label', { for: `${idp}-part` }, 'What it amends'), partSelect),
    el('div', { class: 'form-group' },
      el('label', { for: `${idp}-text` }, rider ? 'The new part' : 'The wording as amended'),
      note, text),
    el('div', { class: 'form-group' }, el('label', { for: `${idp}-method` }, 'How'), method),
    el('button', { type: 'submit', 'data-put-item': m.item }, `Open the vote on ${m.kind} ${m.item}`));
  api('POST', `/motions/${m.id}/put?dry_run=true`, {}).then((r) => {
    if (text.dataset.touched) return;
    const s = r.subject.amendment || r.subject.rider || {};
    text.value = s.text || '';
    if (partSelect && s.part) partSelect.value = s.part;
    fill(note, r.problem ? `Read from the agenda: ${r.problem}. Give the wording yourself.` : 'Read from the agenda: check it before you open the vote.');
  }).catch((e) => fill(note, e.message));
  text.addEventListener('input', () => { text.dataset.touched = '1'; });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = text.value.trim();
    fieldError(`${idp}-text`, null);
    if (!t) { fieldError(`${idp}-text`, 'Give the wording'); return showErrors([{ field: `${idp}-text`, message: `${m.kind} ${m.item}: give the wording` }]); }
    const body = { text: t, method: method.value };
    if (partSelect && partSelect.value) body.part = partSelect.value;
    return act(() => api('POST', `/motions/${m.id}/put`, body), refresh);
  });
  return form;
}
