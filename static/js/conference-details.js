// The conference's name, venue and dates, as printed on its resolutions: a chair of the conference (or an
// admin) corrects them here (PUT /api/v1/conferences/{id}).
import { api, el, $, showErrors, fieldError, announce } from './common.js';

const FIELDS = [
  ['conf-name', 'name', 'Name', 'text', 'As printed at the top of the resolutions.'],
  ['conf-venue', 'venue', 'Venue', 'text', 'For example, Manchester Central. Leave empty for none.'],
  ['conf-starts', 'starts_on', 'First day', 'date', ''],
  ['conf-ends', 'ends_on', 'Last day', 'date', 'Only for a conference of more than one day.'],
];

/** The form, filled from `conf`; `onSaved(conference)` after a save. */
export function conferenceDetailsForm(conf, onSaved) {
  const status = el('p', { id: 'conf-details-status' });
  const groups = FIELDS.map(([id, key, label, type, hint]) => el('div', { class: 'form-group' },
    el('label', { for: id }, label),
    hint ? el('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
    el('input', { id, type, value: conf[key] || '', ...(hint ? { 'aria-describedby': `${id}-hint` } : {}) })));
  const form = el('form', { id: 'conference-details', novalidate: true },
    ...groups,
    el('div', { class: 'button-row' }, el('button', { type: 'submit', class: 'secondary', id: 'save-conference-details' }, 'Save')),
    status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    FIELDS.forEach(([id]) => fieldError(id, null));
    const value = (id) => $(`#${id}`).value.trim();
    if (!value('conf-name')) {
      fieldError('conf-name', 'Give the conference a name');
      return showErrors([{ field: 'conf-name', message: 'Give the conference a name' }]);
    }
    const body = {
      name: value('conf-name'),
      venue: value('conf-venue') || null,
      starts_on: value('conf-starts') || null,
      ends_on: value('conf-ends') || null,
    };
    try {
      const saved = await api('PUT', `/conferences/${conf.id}`, body);
      showErrors([]);
      announce(status, 'Saved.');
      if (onSaved) await onSaved(saved);
    } catch (e) {
      const field = /ends_on/.test(e.message) ? 'conf-ends' : /starts_on/.test(e.message) ? 'conf-starts' : null;
      if (field) fieldError(field, e.message);
      showErrors([{ field, message: e.message }]);
    }
  });
  return el('details', { class: 'no-print card', id: 'conference-details-section' },
    el('summary', {}, 'Name, venue and dates printed on the resolutions'), form);
}
