// Officer: choose how a ballot can be checked (tier 1 receipts, or end to end with trustees), pick the
// trustees from the accounts holding the trustee role, and follow each trustee's part on the ballot's page.
import { api, el, fill, $ } from './common.js';

/** The "Verifiability" choice and, for end to end, the trustee picker (filled from GET /trustees). */
export function verifiabilityFieldset() {
  const radio = (value, id, label, hint) => el('div', { class: 'choice' },
    el('input', { type: 'radio', name: 'verifiability', id, value, 'aria-describedby': `${id}-hint`, checked: value === 'receipts' }),
    el('label', { for: id }, el('strong', {}, label), el('span', { class: 'hint', id: `${id}-hint` }, hint)));
  const picker = el('div', { id: 'trustee-picker', class: 'form-group hidden' },
    el('p', { class: 'label', id: 'trustee-picker-title' }, 'Trustees'),
    el('p', { class: 'hint' }, 'Each trustee makes a key before the ballot opens and decrypts their share of the result after it closes. Choose at least one; the result needs all of them.'),
    el('div', { id: 'trustee-options', role: 'group', 'aria-labelledby': 'trustee-picker-title' }, el('p', { class: 'muted' }, 'Loading the trustees…')),
    el('div', { class: 'form-group' },
      el('label', { for: 'threshold' }, 'How many trustees must decrypt (optional)'),
      el('span', { class: 'hint', id: 'threshold-hint' }, 'Leave empty for all of them. With a number t, any t of the trustees decrypt (they first run a key ceremony together), so a trustee who is absent or loses their key does not stop the count.'),
      el('input', { type: 'number', id: 'threshold', min: '1', max: '10', class: 'input-width-2', 'aria-describedby': 'threshold-hint' })));
  const fs = el('fieldset', { class: 'card', id: 'verifiability' },
    el('legend', {}, 'Verifiability'),
    radio('receipts', 'verifiability-receipts', 'Receipts (tier 1, the usual choice)',
      'Each voter gets a receipt and can find it in the published record; the returning officer’s server counts the votes.'),
    radio('end_to_end', 'verifiability-e2e', 'End to end',
      'Votes are encrypted in the voter’s browser and only the trustees together can decrypt the total, so anyone can check the count without trusting the server.'),
    picker);
  fs.addEventListener('change', () => picker.classList.toggle('hidden', chosen() !== 'end_to_end'));
  loaded = loadCandidates(fs).catch((e) => fill(fs.querySelector('#trustee-options'), el('p', { class: 'error-message' }, `Could not load the trustees: ${e.message}`)));
  return fs;
}

let loaded = Promise.resolve();

const chosen = () => document.querySelector('input[name="verifiability"]:checked')?.value ?? 'receipts';

async function loadCandidates(fs) {
  const people = await api('GET', '/trustees');
  fill(fs.querySelector('#trustee-options'), people.length
    ? people.map((p) => el('div', { class: 'choice' },
      el('input', { type: 'checkbox', id: `trustee-${p.id}`, value: String(p.id), 'data-trustee': p.id }),
      el('label', { for: `trustee-${p.id}` }, p.name)))
    : el('p', {}, 'No account holds the trustee role yet: an admin can give it on the accounts page.'));
}

/** The ballot body's `verifiability` and `trustees`, pushing an error if end to end has no trustee. */
export function readVerifiability(errors) {
  if (chosen() !== 'end_to_end') return { verifiability: 'receipts' };
  const trustees = Array.from(document.querySelectorAll('#trustee-options input:checked'), (i) => Number(i.value));
  if (!trustees.length) errors.push({ field: 'trustee-options', message: 'Choose at least one trustee for an end-to-end ballot' });
  const t = $('#threshold')?.value.trim();
  if (t && !(Number(t) >= 1 && Number(t) <= trustees.length)) {
    errors.push({ field: 'threshold', message: `The number who must decrypt is between 1 and ${trustees.length || 'the number of trustees'}` });
  }
  return t ? { verifiability: 'end_to_end', trustees, threshold: Number(t) } : { verifiability: 'end_to_end', trustees };
}

/** Editing a draft: show its current choice and trustees (kept as they are, with their keys, if unchanged). */
export async function fillVerifiability(draft) {
  if (draft.verifiability !== 'end_to_end') return;
  $('#verifiability-e2e').checked = true;
  $('#trustee-picker').classList.remove('hidden');
  const [v] = await Promise.all([api('GET', `/ballots/${draft.id}/trustees`), loaded]);
  for (const t of v.trustees) {
    const box = document.querySelector(`[data-trustee="${t.user_id}"]`);
    if (box) box.checked = true;
  }
  if (v.threshold && $('#threshold')) $('#threshold').value = String(v.threshold);
}

/** On an end-to-end ballot's page: each trustee's part, and the link to send them. */
export function trusteesSection(b) {
  if (b.verifiability !== 'end_to_end') return null;
  return el('section', { id: 'trustees', class: 'card', 'aria-labelledby': 'trustees-title', 'aria-live': 'polite' },
    el('h2', { id: 'trustees-title' }, 'Trustees'));
}

export async function loadTrustees(b) {
  const box = $('#trustees');
  if (!box) return;
  const v = await api('GET', `/ballots/${b.id}/trustees`);
  const link = new URL(`/ballots/${b.id}/trustee`, location.origin).href;
  const yes = (ok, done, waiting) => el('span', { class: `tag ${ok ? 'green' : 'grey'}` }, ok ? done : waiting);
  const after = b.status !== 'draft' && b.status !== 'open';
  fill(box,
    el('h2', { id: 'trustees-title' }, 'Trustees'),
    el('p', {}, 'Send each trustee this link (they sign in with their own account): ',
      el('a', { href: link, id: 'trustee-link', class: 'mono' }, link)),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Trustees' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Trustee'), el('th', { scope: 'col' }, 'Key'),
        el('th', { scope: 'col' }, 'Share of the result'))),
      el('tbody', {}, v.trustees.map((t) => el('tr', { 'data-trustee-row': t.user_id },
        el('th', { scope: 'row' }, t.name),
        el('td', {}, yes(t.key_uploaded, 'Key uploaded', 'No key yet')),
        el('td', {}, after ? yes(t.decrypted, 'Decrypted', 'Not decrypted yet') : '—')))))),
    b.status === 'draft' && v.missing_keys.length
      ? el('p', { class: 'notice', id: 'missing-keys' },
        `The ballot cannot open until every trustee has uploaded a key. Still waiting for: ${v.missing_keys.join(', ')}.`)
      : null,
    after && v.missing_decryptions.length
      ? el('p', { class: 'notice', id: 'missing-decryptions' },
        `The result appears once every trustee has decrypted their share. Still waiting for: ${v.missing_decryptions.join(', ')}.`)
      : null);
}
