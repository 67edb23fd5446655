// Casting an end-to-end verifiable ballot (docs/e2e.md): the voting page (vote.js) hands over the answers
// and the voting code (the voter's Belenios credential, from the invitation link); this module fetches the
// election as published, encrypts every answer in this browser with its proofs and the credential's
// signature (belenios.js), posts {"ballot": …}, and returns the tracker the service acknowledged. Neither
// the answers nor the credential leave the browser: only the encrypted, signed ballot does.
import { api, el, fill } from './common.js';
import * as belenios from './belenios.js';

/** The election exactly as published (its fingerprint is over these bytes, so it is read as text). */
export async function fetchElection(ballotId) {
  const res = await api('GET', `/ballots/${ballotId}/election`, undefined, { raw: true });
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch { /* not a problem document */ }
    throw new Error((problem && (problem.detail || problem.title)) || `The election could not be fetched (${res.status}).`);
  }
  return belenios.parseElection(await res.text());
}

/** A progress bar with a label, and a function to move it. */
export function progressBar(id, label) {
  const text = el('span', { id: `${id}-label` }, label);
  const bar = el('progress', { id, max: '100', value: '0', 'aria-labelledby': `${id}-label` });
  const status = el('p', { class: 'hint', id: `${id}-status`, 'aria-live': 'polite' });
  const node = el('div', { class: 'form-group e2e-progress' }, el('label', { for: id }, text), bar, status);
  let lastSaid = -1;
  const set = (done, total, words) => {
    const pct = total ? Math.round((100 * done) / total) : 0;
    bar.value = pct;
    // Say it at most every quarter, so a screen reader is not flooded.
    const quarter = Math.floor(pct / 25);
    if (quarter !== lastSaid || words) {
      lastSaid = quarter;
      fill(status, words || `${pct}% done`);
    }
  };
  return { node, set };
}

/** Whether a code can be a credential (so a typo is caught before any work). */
export const looksLikeCredential = (code) => belenios.isValidCredential(code.trim());

/** The questions the voter was shown must be the election's: the same texts, in the same order. */
function sameQuestions(election, shown) {
  return election.questions.length === shown.length
    && election.questions.every((q, i) => q.question === shown[i].text);
}

/** Encrypts and casts. `answers` are as tier 1 takes them, to the questions `shown`; `progress` is a
 * progressBar. Returns { receipt: the tracker, fingerprint: the election's }. Throws an ApiError from the
 * service. */
export async function castEndToEnd(ballotId, code, answers, shown, progress) {
  progress.set(0, 1, 'Fetching the election…');
  const ctx = await fetchElection(ballotId);
  if (!sameQuestions(ctx.election, shown)) {
    throw new Error('The questions on this page are not the ones in the published election. Reload the page; if it happens again, tell the returning officer.');
  }
  const choices = belenios.choicesFromAnswers(ctx.election, answers);
  const started = performance.now();
  const { json, tracker } = await belenios.encryptBallot(ctx, code.trim(), choices, (d, t) => progress.set(d, t));
  progress.set(1, 1, `Encrypted in ${((performance.now() - started) / 1000).toFixed(1)} s. Sending…`);
  // The ballot is sent as the exact text that was hashed into its tracker.
  const body = `{"ballot":${json}}`;
  const r = await api('POST', `/ballots/${ballotId}/votes`, body, { contentType: 'application/json' });
  if (r && r.receipt && r.receipt !== tracker) {
    throw new Error(`The service acknowledged a different ballot (${r.receipt}) from the one this browser made (${tracker}).`);
  }
  return { receipt: tracker, fingerprint: ctx.fingerprint };
}
