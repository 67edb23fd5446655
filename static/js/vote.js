// Voter: the invitation link opens the ballot with the code filled in; answer, review, cast, receipt.
// No account needed (a member who is signed in may leave the code empty).
import { api, el, fill, $, start, idFromPath, showErrors, fieldError, hasRole } from './common.js';

const ballotId = idFromPath('/vote/');
let ballot = null;
let user = null;
let answers = [];
let code = '';

start(async (u) => {
  user = u;
  ballot = await api('GET', `/ballots/${ballotId}`);
  document.title = `Vote: ${ballot.title} – carried`;
  fill($('#page-title'), ballot.title);
  const params = new URLSearchParams(location.search);
  code = params.get('code') || '';
  if (code) {
    // Keep the code out of the address bar (and so out of history and shoulder-surfing) once read.
    history.replaceState(null, '', location.pathname);
  }
  if (ballot.status !== 'open') {
    fill($('#content'), el('div', { class: 'notice' },
      el('p', {}, ballot.status === 'draft' ? 'This ballot has not opened yet.' : 'This ballot has closed.'),
      ballot.status !== 'draft' ? el('p', {}, el('a', { href: `/ballots/${ballotId}/results` }, 'See the results')) : null));
    return;
  }
  answers = ballot.questions.map((q) => (q.kind === 'many_of' ? [] : null));
  showForm();
});

function qid(i, j) {
  return j === undefined ? `q${i + 1}` : `q${i + 1}-${j + 1}`;
}

function optionsOf(q) {
  return q.kind === 'yes_no' ? ['yes', 'no'] : q.options;
}

function optionWord(q, o) {
  return q.kind === 'yes_no' ? (o === 'yes' ? 'Yes' : 'No') : o;
}

function showForm() {
  const memberHint = hasRole(user, 'member') ? ' You are signed in: if you are on this ballot’s roll and set your password through the link we emailed you, you can leave the code empty.' : '';
  const form = el('form', { id: 'ballot-form', novalidate: true },
    ballot.description ? el('p', { class: 'lede' }, ballot.description) : null,
    ballot.closes_at ? el('p', {}, `Voting closes ${new Date(ballot.closes_at).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short' })} (UK time).`) : null,
    el('div', { class: 'form-group' },
      el('label', { for: 'code' }, 'Your voting code'),
      el('span', { class: 'hint', id: 'code-hint' }, 'It is in your invitation email. It can be used once.' + memberHint),
      el('input', { type: 'text', id: 'code', class: 'code', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', 'aria-describedby': 'code-hint', value: code })),
    ballot.questions.map((q, i) => {
      const many = q.kind === 'many_of';
      const hintId = `${qid(i)}-hint`;
      return el('div', { class: 'form-group' },
        el('fieldset', { 'aria-describedby': hintId },
          el('legend', {}, `${i + 1}. ${q.text}`),
          el('span', { class: 'hint', id: hintId }, many ? `Choose up to ${q.max} ${q.max === 1 ? 'option' : 'options'}, or none.` : 'Choose one.'),
          optionsOf(q).map((o, j) => el('div', { class: 'choice' },
            el('input', {
              type: many ? 'checkbox' : 'radio', name: qid(i), id: qid(i, j), value: o,
              checked: many ? answers[i].includes(o) : answers[i] === o,
            }),
            el('label', { for: qid(i, j) }, optionWord(q, o))))));
    }),
    el('button', { type: 'submit', id: 'continue' }, 'Continue'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const errors = [];
    code = $('#code').value.trim();
    fieldError('code', null);
    if (!code && !hasRole(user, 'member')) errors.push({ field: 'code', message: 'Enter your voting code' });
    ballot.questions.forEach((q, i) => {
      const chosen = Array.from(form.querySelectorAll(`input[name="${qid(i)}"]:checked`), (x) => x.value);
      if (q.kind === 'many_of') {
        answers[i] = optionsOf(q).filter((o) => chosen.includes(o));
        if (answers[i].length > q.max) errors.push({ field: qid(i, 0), message: `Question ${i + 1}: choose at most ${q.max}` });
      } else {
        answers[i] = chosen[0] ?? null;
        if (answers[i] === null) errors.push({ field: qid(i, 0), message: `Answer question ${i + 1}` });
      }
    });
    if (errors.some((e) => e.field === 'code')) fieldError('code', 'Enter your voting code');
    if (errors.length) return showErrors(errors);
    showErrors([]);
    showReview();
  });
  fill($('#content'), form);
}

function showReview() {
  fill($('#page-title'), 'Check your answers');
  const list = el('dl', { class: 'summary card' }, ballot.questions.map((q, i) => [
    el('dt', {}, `${i + 1}. ${q.text}`),
    el('dd', { 'data-answer': i + 1 }, q.kind === 'many_of'
      ? answers[i].length ? el('ul', {}, answers[i].map((o) => el('li', {}, o))) : 'None of these'
      : optionWord(q, answers[i])),
  ]));
  const cast = el('button', { type: 'button', id: 'cast' }, 'Cast my vote');
  cast.addEventListener('click', async () => {
    cast.disabled = true;
    try {
      const body = { answers };
      if (code) body.code = code;
      const r = await api('POST', `/ballots/${ballotId}/votes`, body);
      showReceipt(r.receipt);
    } catch (e) {
      cast.disabled = false;
      const msg = e.status === 403 ? 'That voting code is not valid for this ballot. Check it against your invitation email.'
        : e.status === 409 ? e.message
        : e.message;
      showErrors([{ message: msg }]);
    }
  });
  fill($('#content'),
    el('p', {}, 'Your vote is secret: nothing links it to you. Once cast it cannot be changed.'),
    list,
    el('div', { class: 'button-row' }, cast, el('button', { type: 'button', class: 'secondary', id: 'change', onclick: () => { fill($('#page-title'), ballot.title); showForm(); } }, 'Change my answers')));
  $('#main').focus();
}

function showReceipt(receipt) {
  fill($('#page-title'), 'Your vote has been cast');
  showErrors([]);
  fill($('#content'),
    el('div', { class: 'card success' },
      el('h2', {}, 'Your receipt'),
      el('p', {}, el('span', { class: 'receipt', id: 'receipt' }, receipt)),
      el('p', {}, 'Write it down or take a screenshot. Nobody else has it, and it is not linked to your name.')),
    el('h2', {}, 'What happens next'),
    el('p', {}, 'When the ballot closes, the results and the full record of every ballot are published. ',
      'You can then find your receipt in the record to see that your vote was counted, and recount the whole ballot yourself.'),
    el('p', {}, el('a', { href: `/ballots/${ballotId}/results` }, 'Results and receipt check for this ballot')));
  $('#main').focus();
}
