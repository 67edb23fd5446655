// The chair imports the whole agenda as printed: paste it or choose a .txt file, see how it reads (a
// table of items, with each warning on its line), then save. Importing again updates items by number.
import { api, el, fill, $, showErrors, fieldError, MARK_WORDS } from './common.js';

const KIND_WORDS = { motion: 'Motion', amendment: 'Amendment', rider: 'Rider', emergency: 'Emergency motion' };

/** The import form. `onSaved` is called after a save. */
export function agendaImportSection(confId, onSaved) {
  const preview = el('div', { id: 'agenda-preview', 'aria-live': 'polite' });
  const form = el('form', { id: 'import-agenda', class: 'card', novalidate: true },
    el('h2', { id: 'import-agenda-title' }, 'Import the agenda'),
    el('div', { class: 'form-group' },
      el('label', { for: 'agenda-file' }, 'A .txt file of the agenda'),
      el('span', { class: 'hint', id: 'agenda-file-hint' }, 'Save the agenda from Word or the PDF as plain text, or paste it below.'),
      el('input', { type: 'file', id: 'agenda-file', accept: '.txt,text/plain', 'aria-describedby': 'agenda-file-hint' })),
    el('div', { class: 'form-group' },
      el('label', { for: 'agenda-text' }, 'The agenda as printed'),
      el('span', { class: 'hint', id: 'agenda-text-hint' }, 'All of it: headings, numbered items, amendments and riders. Nothing is saved until you confirm.'),
      el('textarea', { id: 'agenda-text', rows: '8', 'aria-describedby': 'agenda-text-hint' })),
    el('div', { class: 'button-row' },
      el('button', { type: 'submit', class: 'secondary', id: 'preview-agenda' }, 'Preview the agenda')),
    preview);

  form.querySelector('#agenda-file').addEventListener('change', async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    $('#agenda-text').value = await file.text();
    await showPreview();
  });

  async function showPreview() {
    const text = $('#agenda-text').value;
    fieldError('agenda-text', null);
    if (!text.trim()) {
      fieldError('agenda-text', 'Paste the agenda or choose a file first');
      return showErrors([{ field: 'agenda-text', message: 'Paste the agenda or choose a file first' }]);
    }
    try {
      const r = await api('POST', `/conferences/${confId}/agenda?dry_run=true`, { text });
      showErrors([]);
      fill(preview, previewOf(r, text, async () => {
        try {
          const saved = await api('POST', `/conferences/${confId}/agenda`, { text });
          const c = saved.changes;
          fill(preview, el('p', { class: 'notice success', id: 'agenda-saved', role: 'status' },
            `Saved: ${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged`,
            c.kept.length ? `, ${c.kept.length} kept as they were (already voted on)` : '', '.'));
          $('#agenda-text').value = '';
          if (onSaved) await onSaved();
        } catch (e) {
          showErrors([{ field: 'agenda-text', message: e.message }]);
        }
      }));
      preview.querySelector('h3')?.focus();
    } catch (e) {
      fieldError('agenda-text', e.message);
      showErrors([{ field: 'agenda-text', message: e.message }]);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await showPreview();
  });
  return form;
}

/** The preview: a summary, the warnings, and one row per item with its warnings beside it. */
function previewOf(r, text, confirm) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const byLine = new Map();
  for (const w of r.warnings) {
    if (!byLine.has(w.line)) byLine.set(w.line, []);
    byLine.get(w.line).push(w);
  }
  const itemOf = new Map();
  for (const it of r.items) for (const l of it.lines) itemOf.set(l, it);
  const loose = r.warnings.filter((w) => !itemOf.has(w.line));
  const onItems = r.warnings.filter((w) => itemOf.has(w.line));
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const c = r.changes;
  const rows = r.items.map((it) => {
    const warns = it.lines.flatMap((l) => (byLine.get(l) || []).map((w) => ({ ...w })));
    return el('tr', { class: warns.length ? 'has-warning' : '', 'data-item': it.number, id: `preview-item-${it.number}` },
      el('th', { scope: 'row' }, it.number),
      el('td', {}, String(it.line)),
      el('td', {}, KIND_WORDS[it.kind] || it.kind, it.amends ? ` to ${it.amends}` : ''),
      el('td', {}, it.proposer || '—', it.agenda_committee ? ' (agenda committee)' : ''),
      el('td', {}, it.stem.length > 90 ? `${it.stem.slice(0, 90)}…` : it.stem,
        it.parts.length ? el('span', { class: 'hint' }, ` ${it.parts.length} ${it.parts.length === 1 ? 'part' : 'parts'}: ${it.parts.map((p) => p.label).join(' ')}`) : ''),
      el('td', {}, it.marks.map((m) => MARK_WORDS[m] || m).join(', '), it.bracket ? `${it.marks.length ? ', ' : ''}bracket ${it.bracket}` : ''),
      el('td', {}, warns.length ? el('ul', { class: 'warnings' }, warns.map((w) => el('li', {}, `Line ${w.line}: ${w.message}`))) : ''));
  });
  return el('div', { class: 'notice' },
    el('h3', { tabindex: '-1' }, `It reads as ${plural(r.items.length, 'item', 'items')} and ${plural(r.notes.length, 'note', 'notes')}`,
      r.warnings.length ? `, with ${plural(r.warnings.length, 'warning', 'warnings')}` : ''),
    onItems.length ? el('div', { class: 'warnings', id: 'agenda-item-warnings' }, el('h4', {}, 'Check these items'),
      el('ul', {}, onItems.map((w) => el('li', {}, el('a', { href: `#preview-item-${itemOf.get(w.line).number}` }, `Item ${itemOf.get(w.line).number}`), `, line ${w.line}: ${w.message}`)))) : '',
    el('p', {}, `If you save: ${c.added.length} added, ${c.updated.length} updated, ${c.unchanged.length} unchanged`,
      c.kept.length ? `, ${c.kept.length} kept as they were (already voted on: ${c.kept.map((k) => k.number).join(', ')})` : '',
      c.not_in_agenda.length ? `; not in this agenda and left as they are: ${c.not_in_agenda.join(', ')}` : '', '.'),
    loose.length ? el('div', { class: 'warnings', id: 'agenda-loose-warnings' }, el('h4', {}, 'Lines not read into any item'),
      el('ul', {}, loose.map((w) => el('li', {}, `Line ${w.line}: ${w.message}`, w.text || lines[w.line - 1] ? el('q', {}, (w.text || lines[w.line - 1] || '').trim()) : '')))) : '',
    el('div', { class: 'table-wrap' }, el('table', { id: 'agenda-preview-table', class: 'compact' },
      el('caption', {}, 'The items as read'),
      el('thead', {}, el('tr', {}, ['Item', 'Line', 'Kind', 'Proposer', 'Text', 'Marks', 'Warnings'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))),
    el('div', { class: 'button-row' },
      r.items.length ? el('button', { type: 'button', id: 'confirm-agenda', onclick: confirm }, `Save these ${r.items.length} items`) : el('p', {}, 'Nothing to save: no numbered items were found.')));
}
