// The conference's resolutions: every motion with its outcome text, printable.
import { api, el, fill, $, start, idFromPath, motionText, hasRole } from './common.js';
import { conferenceDetailsForm } from './conference-details.js';

const confId = idFromPath('/conference/');

start(async (user) => {
  const r = await api('GET', `/conferences/${confId}/resolutions`);
  document.title = `Resolutions: ${r.conference.name} – carried`;
  fill($('#page-title'), `Resolutions: ${r.conference.name}`);
  const motions = await Promise.all(r.motions.map((m) => api('GET', `/motions/${m.id}`)));
  fill($('#content'),
    hasRole(user, 'chair', 'admin') ? conferenceDetailsForm(r.conference, (c) => fill($('#page-title'), `Resolutions: ${c.name}`)) : null,
    el('div', { class: 'button-row no-print' },
      el('button', { type: 'button', class: 'secondary', id: 'print', onclick: () => window.print() }, 'Print'),
      el('p', {}, el('a', { href: `/conference/${confId}/resolutions/print` }, 'The resolutions as published, to print or save as PDF')),
      el('p', {}, 'Download: ',
        el('a', { href: `/api/v1/conferences/${confId}/resolutions?format=csv` }, 'CSV (one row per part)'), ' · ',
        el('a', { href: `/api/v1/conferences/${confId}/resolutions?format=text` }, 'text'), ' · ',
        el('a', { href: `/api/v1/conferences/${confId}/resolutions?format=md` }, 'Markdown'), ' · ',
        el('a', { href: `/api/v1/conferences/${confId}/resolutions?format=html` }, 'HTML'))),
    motions.length === 0 ? el('p', {}, 'No motions yet.') : null,
    el('div', { class: 'resolutions' }, motions.map((m) => el('section', { class: 'motion', 'aria-labelledby': `m-${m.id}` },
      el('h2', { id: `m-${m.id}` }, `Motion ${m.item ?? m.number}`),
      motionText(m),
      el('p', { class: 'outcome-text', 'data-outcome': m.id }, m.outcome_text || 'NOT YET DECIDED')))));
});
