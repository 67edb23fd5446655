// Officer: the roll, paged and searchable; while the ballot is a draft, correct one voter (name, email,
// LMC, role) or remove one. Also the link that downloads turnout by LMC as CSV.
import { api, el, fill, $, showErrors, fieldError } from './common.js';

const n = (x) => Number(x).toLocaleString('en-GB');
const ROLES = ['partner', 'salaried', 'locum', 'registrar'];
const PER_PAGE = 25;

let current = { id: null, q: '', page: 1 };
let debounce = null;
/** Counts roll requests; `latest` is the newest for the ballot shown. An answer is shown only if it is the
 * answer to that newest request, so a late answer (or one for a ballot no longer shown) never overwrites it. */
let loadSeq = 0;
let latest = 0;

/** The roll's card: a search box, a page of voters, and page buttons. Call loadRoll(id) to fill it. */
export function rollSection(b) {
  current = { id: b.id, q: '', page: 1 };
  const search = el('form', { id: 'roll-search', role: 'search', novalidate: true },
    el('div', { class: 'form-group' },
      el('label', { for: 'roll-q' }, 'Search the roll'),
      el('span', { class: 'hint', id: 'roll-q-hint' }, 'Part of a name, email address, membership number or LMC.'),
      el('input', { type: 'search', id: 'roll-q', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'roll-q-hint' })),
    el('button', { type: 'submit', class: 'secondary', id: 'roll-search-button' }, 'Search'));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    current.q = $('#roll-q').value.trim();
    current.page = 1;
    loadRoll(b.id).catch((e) => showErrors([{ message: e.message }]));
  });
  search.querySelector('#roll-q').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      current.q = $('#roll-q').value.trim();
      current.page = 1;
      loadRoll(b.id).catch(() => {});
    }, 300);
  });
  return el('section', { id: 'roll', class: 'card', 'aria-labelledby': 'roll-title' },
    el('h2', { id: 'roll-title' }, 'The roll'),
    search,
    el('p', { id: 'roll-count', 'aria-live': 'polite' }, 'Loading…'),
    el('div', { id: 'roll-done', 'aria-live': 'polite' }),
    el('div', { id: 'roll-list' }),
    el('div', { id: 'voter-edit' }),
    el('nav', { class: 'button-row', 'aria-label': 'Pages of the roll', id: 'roll-pages' }));
}

/** Fetch and show the current page of the roll (after a search, a correction or an import). */
export async function loadRoll(id, { page } = {}) {
  if (String(current.id) !== String(id)) return; // a request left over from a ballot no longer shown
  if (page) current.page = page;
  const params = new URLSearchParams({ page: String(current.page), per_page: String(PER_PAGE) });
  if (current.q) params.set('q', current.q);
  const seq = ++loadSeq;
  latest = seq;
  const r = await api('GET', `/ballots/${id}/roll?${params}`);
  if (seq !== latest || String(current.id) !== String(id) || !$('#roll-list')) return;
  fill($('#roll-count'), r.q
    ? `${n(r.total)} ${r.total === 1 ? 'voter matches' : 'voters match'} “${r.q}”.`
    : `${n(r.total)} ${r.total === 1 ? 'voter' : 'voters'} on the roll.`,
  r.editable ? ' You can correct or remove a voter until the ballot opens.' : ' The roll froze when the ballot opened.');
  fill($('#roll-list'), r.voters.length ? el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'The roll' },
    el('table', { id: 'roll-table' },
      el('caption', { class: 'visually-hidden' }, `The roll, page ${r.page} of ${r.pages}`),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Membership no.'), el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Email'),
        el('th', { scope: 'col' }, 'LMC'), el('th', { scope: 'col' }, 'Role'),
        r.editable ? el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')) : null)),
      el('tbody', {}, r.voters.map((v) => el('tr', { 'data-voter': v.membership_no },
        el('td', {}, v.membership_no), el('td', {}, v.name), el('td', {}, v.email), el('td', {}, v.lmc), el('td', {}, v.role),
        r.editable ? el('td', {},
          el('button', { type: 'button', class: 'link', 'data-correct': v.membership_no, onclick: () => editVoter(id, v) },
            'Correct', el('span', { class: 'visually-hidden' }, ` ${v.name}`)),
          ' ',
          el('button', { type: 'button', class: 'link', 'data-remove': v.membership_no, onclick: () => removeVoter(id, v) },
            'Remove', el('span', { class: 'visually-hidden' }, ` ${v.name}`))) : null))))) : null);
  const pages = $('#roll-pages');
  fill(pages, r.pages > 1 ? [
    el('button', { type: 'button', class: 'secondary', id: 'roll-prev', disabled: r.page <= 1, onclick: () => loadRoll(id, { page: r.page - 1 }) }, 'Previous page'),
    el('span', { id: 'roll-page' }, `Page ${r.page} of ${n(r.pages)}`),
    el('button', { type: 'button', class: 'secondary', id: 'roll-next', disabled: r.page >= r.pages, onclick: () => loadRoll(id, { page: r.page + 1 }) }, 'Next page'),
  ] : null);
}

function editVoter(id, v) {
  fill($('#roll-done'), null);
  const form = el('form', { id: 'voter-form', class: 'card', novalidate: true, 'aria-labelledby': 'voter-form-title' },
    el('h3', { id: 'voter-form-title' }, `Correct ${v.membership_no}`),
    el('p', { class: 'hint' }, 'The membership number cannot be changed: remove the voter and import the right line instead.'),
    el('div', { class: 'form-group' }, el('label', { for: 'voter-name' }, 'Name'), el('input', { type: 'text', id: 'voter-name', value: v.name })),
    el('div', { class: 'form-group' }, el('label', { for: 'voter-email' }, 'Email address'),
      el('input', { type: 'email', id: 'voter-email', value: v.email, autocomplete: 'off', spellcheck: 'false' })),
    el('div', { class: 'form-group' }, el('label', { for: 'voter-lmc' }, 'LMC'), el('input', { type: 'text', id: 'voter-lmc', value: v.lmc })),
    el('div', { class: 'form-group' }, el('label', { for: 'voter-role' }, 'Role'),
      el('select', { id: 'voter-role' }, ROLES.map((r) => el('option', { value: r, selected: r === v.role }, r[0].toUpperCase() + r.slice(1))))),
    el('div', { class: 'button-row' },
      el('button', { type: 'submit', id: 'voter-save' }, 'Save the correction'),
      el('button', { type: 'button', class: 'secondary', id: 'voter-cancel', onclick: () => fill($('#voter-edit'), null) }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const [field, input] of [['name', 'voter-name'], ['email', 'voter-email'], ['lmc', 'voter-lmc'], ['role', 'voter-role']]) {
      fieldError(input, null);
      const value = $('#' + input).value.trim();
      if (value !== v[field]) body[field] = value;
    }
    if (!Object.keys(body).length) { fill($('#voter-edit'), null); return; }
    try {
      await api('PATCH', `/ballots/${id}/roll/${encodeURIComponent(v.membership_no)}`, body);
      showErrors([]);
      fill($('#voter-edit'), null);
      fill($('#roll-done'), el('p', { class: 'notice success', id: 'voter-corrected' }, `Corrected ${v.membership_no}: ${Object.keys(body).join(', ')}.`));
      await loadRoll(id);
    } catch (e) {
      const field = { email: 'voter-email', name: 'voter-name', lmc: 'voter-lmc', role: 'voter-role' };
      const which = Object.keys(field).find((f) => new RegExp(`\\b${f}\\b`, 'i').test(e.message)) || 'name';
      fieldError(field[which], e.message);
      showErrors([{ field: field[which], message: e.message }]);
    }
  });
  fill($('#voter-edit'), form);
  $('#voter-name').focus();
}

async function removeVoter(id, v) {
  if (!window.confirm(`Remove ${v.name} (${v.membership_no}) from the roll? They will not be invited to vote.`)) return;
  try {
    await api('DELETE', `/ballots/${id}/roll/${encodeURIComponent(v.membership_no)}`);
    showErrors([]);
    fill($('#voter-edit'), null);
    fill($('#roll-done'), el('p', { class: 'notice success', id: 'voter-removed' }, `Removed ${v.name} (${v.membership_no}) from the roll.`));
    const b = await api('GET', `/ballots/${id}`);
    if ($('#roll-size')) fill($('#roll-size'), n(b.roll_size));
    await loadRoll(id);
  } catch (e) { showErrors([{ message: e.message }]); }
}

/** A link that downloads turnout by LMC area as CSV (the session cookie goes with it). */
export function turnoutCsvLink(id) {
  return el('p', {}, el('a', { class: 'button secondary', id: 'turnout-csv', href: `/api/v1/ballots/${id}/turnout?format=csv`, download: `turnout-ballot-${id}.csv` },
    'Download turnout by LMC (CSV)'));
}
