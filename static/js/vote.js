// Voter: the invitation link opens the ballot with the code filled in; answer, review, cast, receipt.
// No account needed (a member who is signed in may leave the code empty). The receipt is kept in this
// browser (localStorage, one key per ballot), so a reload shows it again with "you have already voted".
import { api, el, fill, $, start, idFromPath, showErrors, fieldError, hasRole } from './common.js';
import { castEndToEnd, looksLikeCredential, progressBar } from './vote-e2e.js';

const ballotId = idFromPath('/vote/');
let ballot = null;
let user = null;
let answers = [];
let code = '';
// An end-to-end verifiable ballot is encrypted in this browser with the code as its credential (vote-e2e.js).
let e2e = false;
const RECEIPT_KEY = `carried.receipt.${ballotId}`;

function storedReceipt() {
  try {
    const v = JSON.parse(localStorage.getItem(RECEIPT_KEY) || 'null');
    return v && typeof v.receipt === 'string' ? v : null;
  } catch { return null; }
}

function keepReceipt(receipt, fingerprint) {
  try {
    localStorage.setItem(RECEIPT_KEY, JSON.stringify({ receipt, cast_at: new Date().toISOString(), fingerprint }));
  } catch { /* storage refused (private mode): the receipt is shown only now */ }
}

start(async (u) => {
  user = u;
  ballot = await api('GET', `/ballots/${ballotId}`);
  e2e = ballot.verifiability === 'end_to_end';
  document.title = `Vote: ${ballot.title} – carried`;
  fill($('#page-title'), ballot.title);
  const params = new URLSearchParams(location.search);
  code = params.get('code') || '';
  if (code) {
    // Keep the code out of the address bar (and so out of history and shoulder-surfing) once read.
    history.replaceState(null, '', location.pathname);
  }
  const kept = storedReceipt();
  if (kept) {
    showReceipt(kept.receipt, kept.cast_at, kept.fingerprint);
    return;
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
  const memberHint = hasRole(user, 'member') && !e2e ? ' You are signed in: if you are on this ballot’s roll and set your password through the link we emailed you, you can leave the code empty.' : '';
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
    if (!code && (e2e || !hasRole(user, 'member'))) errors.push({ field: 'code', message: 'Enter your voting code' });
    else if (e2e && !looksLikeCredential(code)) errors.push({ field: 'code', message: 'That is not a voting code: check it against your invitation email' });
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
    const codeError = errors.find((e) => e.field === 'code');
    if (codeError) fieldError('code', codeError.message);
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
      if (e2e) {
        const progress = progressBar('encrypt-progress', 'Encrypting your vote in this browser');
        $('#content').append(progress.node);
        const r = await castEndToEnd(ballotId, code, answers, ballot.questions, progress);
        keepReceipt(r.receipt, r.fingerprint);
        showReceipt(r.receipt, undefined, r.fingerprint);
        return;
      }
      const body = { answers };
      if (code) body.code = code;
      const r = await api('POST', `/ballots/${ballotId}/votes`, body);
      keepReceipt(r.receipt);
      showReceipt(r.receipt);
    } catch (e) {
      cast.disabled = false;
      $('#encrypt-progress')?.closest('.e2e-progress')?.remove();
      let msg = e.message;
      if (e.status === 403 && code) msg = 'That voting code is not valid for this ballot. Check it against your invitation email.';
      else if (e.status === 403) {
        msg = `You are signed in as ${user ? user.email : 'a member'}, but that address is not on this ballot’s roll. `
          + 'If you were sent a voting code by email, go back and enter it.';
      }
      showErrors([{ message: msg }]);
    }
  });
  fill($('#content'),
    el('p', {}, 'Your vote is secret: nothing links it to you. Once cast it cannot be changed.'),
    list,
    el('div', { class: 'button-row' }, cast, el('button', { type: 'button', class: 'secondary', id: 'change', onclick: () => { fill($('#page-title'), ballot.title); showForm(); } }, 'Change my answers')));
  $('#main').focus();
}

function showReceipt(receipt, castAt, fingerprint) {
  const again = Boolean(castAt);
  fill($('#page-title'), again ? 'You have already voted' : 'Your vote has been cast');
  showErrors([]);
  const status = el('p', { id: 'receipt-status', 'aria-live': 'polite', class: 'hint' });
  const copy = el('button', { type: 'button', id: 'copy-receipt', class: 'secondary' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(receipt);
      fill(status, 'Copied. Paste it somewhere you will keep.');
    } catch {
      getSelection().selectAllChildren($('#receipt'));
      fill(status, 'Your browser would not copy it: it is selected, so copy it yourself (Ctrl+C or ⌘C).');
    }
  });
  const save = el('a', {
    id: 'save-receipt', class: 'button secondary', download: `receipt-ballot-${ballotId}.txt`,
    href: 'data:text/plain;charset=utf-8,' + encodeURIComponent(`Ballot: ${ballot.title}\nReceipt: ${receipt}\n`
      + (fingerprint ? `Election fingerprint: ${fingerprint}\n` : '')
      + `Check it at ${location.origin}/ballots/${ballotId}/results once the ballot has closed.\n`),
  }, 'Save as a file');
  const forget = el('button', { type: 'button', id: 'forget-receipt', class: 'secondary' }, 'Forget it on this browser');
  forget.addEventListener('click', () => {
    try { localStorage.removeItem(RECEIPT_KEY); } catch { /* nothing kept */ }
    forget.disabled = true;
    fill(status, 'This browser no longer keeps your receipt. Make sure you have your own copy.');
  });
  fill($('#content'),
    again ? el('div', { class: 'notice', id: 'already-voted' },
      el('p', {}, el('strong', {}, 'You have already voted in this ballot'),
        ` (from this browser, ${new Date(castAt).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' })}). Your vote is final.`)) : null,
    el('div', { class: 'card success' },
      el('h2', {}, 'Your receipt'),
      el('p', {}, el('span', { class: fingerprint ? 'receipt tracker' : 'receipt', id: 'receipt' }, receipt)),
      fingerprint ? el('p', { class: 'hint' }, 'This is your ballot’s tracker: it identifies your encrypted ballot in the published record. ',
        'The election fingerprint, which you can compare with the one in the record, is ',
        el('span', { class: 'tracker', id: 'fingerprint' }, fingerprint), '.') : null,
      el('div', { class: 'notice warning', id: 'receipt-warning' },
        el('p', {}, el('strong', {}, 'Keep your receipt now: we cannot show it to you again or send it to you.'),
          ' It is not linked to your name anywhere we keep, which is what keeps your vote secret.')),
      el('div', { class: 'button-row no-print' },
        copy,
        el('button', { type: 'button', id: 'print-receipt', class: 'secondary', onclick: () => window.print() }, 'Print'),
        save),
      status,
      el('p', { class: 'hint no-print' }, 'This browser also keeps a copy for this ballot, so reloading this page shows it again. ',
        'On a shared computer, anyone using this browser could see it: save or copy it, then ', forget, '.')),
    el('h2', {}, 'What happens next'),
    fingerprint
      ? el('p', { id: 'next-e2e' }, 'When the ballot closes, the trustees decrypt the total (never a single ballot) and the results are published with ',
        'the ballot’s Belenios record, ', el('a', { href: `/api/v1/ballots/${ballotId}/record.bel` }, 'record.bel'),
        '. Your tracker is in it if your vote was counted; anyone can verify the whole record with carried verify or Belenios’s own belenios-tool.')
      : el('p', {}, 'When the ballot closes, the results and the full record of every ballot are published. ',
        'You can then find your receipt in the record to see that your vote was counted, and recount the whole ballot yourself.'),
    el('p', {}, el('a', { href: `/ballots/${ballotId}/results` }, fingerprint ? 'Results of this ballot' : 'Results and receipt check for this ballot')));
  $('#main').focus();
}
