// The threshold (t of n) key ceremony of an end-to-end ballot on the trustee's page (docs/e2e.md,
// "Threshold trustees"): which step the ceremony is at, who is still to act, and the `carried trustee`
// command this trustee runs for each step (the service relays what the commands sign and encrypt; the
// secret seed never leaves the trustee's computer). Decryption after close is a command too.
import { api, el } from './common.js';

const STEPS = [
  ['certificates', '1. Certificate', 'Make your secret seed and post your certificate.'],
  ['polynomials', '2. Polynomial', 'Once every certificate is in: post your polynomial (your shares for the others, encrypted to each of them).'],
  ['verification', '3. Verification', 'Once every polynomial is in: check the shares sent to you and post your verification key.'],
];

const quote = (s) => (/^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** The command a trustee runs for `sub`, with this service's address and the ballot's id. */
export function command(ballotId, sub, extra) {
  const remote = ['--server', window.location.origin, '--ballot', String(ballotId), '--token-file', 'token.txt'];
  return ['carried', 'trustee', sub, ...extra, ...remote].map(quote).join(' ');
}

const code = (id, text) => el('pre', { class: 'command' }, el('code', { id }, text));

/** The ceremony's section for trustee `me` (an entry of GET /ballots/{id}/trustees). */
export async function ceremonySection(ballotId, view, me) {
  const box = el('section', { class: 'card', id: 'ceremony-section', 'aria-labelledby': 'ceremony-title' },
    el('h2', { id: 'ceremony-title' }, `Key ceremony: any ${view.threshold} of the ${view.trustees.length} trustees will decrypt`));
  let c;
  try {
    c = await api('GET', `/ballots/${ballotId}/ceremony`);
  } catch (e) {
    box.append(el('p', { class: 'error-message' }, `The ceremony could not be loaded: ${e.message}`));
    return box;
  }
  const seed = `ballot-${ballotId}.key`;
  const dkey = `ballot-${ballotId}.dkey`;
  const mine = c.trustees.find((t) => t.user_id === me.user_id) || {};
  const stepWords = c.step === 'complete'
    ? 'The key ceremony is complete: the ballot can open.'
    : `The ceremony is at step “${c.step}”. Still to act: ${c.waiting_for.join(', ')}.`;
  box.append(el('p', { id: 'ceremony-status', 'aria-live': 'polite' }, stepWords),
    el('p', { class: 'hint' }, 'Each step is a command of the carried program on your own computer. Your secret seed (',
      el('code', {}, seed), ') stays there: keep it, and the decryption key file the third step writes, until the result is published. ',
      'The commands read your sign-in token from token.txt (the "token" that POST /api/v1/auth/login answers).'));
  const done = { certificates: mine.certificate, polynomials: mine.polynomial, verification: mine.voutput };
  const cmds = {
    certificates: command(ballotId, 'threshold-cert', ['--key-out', seed]),
    polynomials: command(ballotId, 'threshold-polynomial', ['--key', seed]),
    verification: command(ballotId, 'threshold-voutput', ['--key', seed, '--dkey-out', dkey]),
  };
  const list = el('ol', { id: 'ceremony-steps', class: 'steps' });
  for (const [step, title, words] of STEPS) {
    const state = done[step] ? 'done' : (c.step === step ? 'now: your turn' : 'later');
    list.append(el('li', { 'data-step': step },
      el('strong', {}, title), ` (${state}). ${words}`, code(`cmd-${step}`, cmds[step])));
  }
  if (view.status === 'draft') box.append(list);
  if (['closed', 'published'].includes(view.status)) {
    box.append(el('h3', {}, 'Decrypt the result'),
      me.decrypted
        ? el('p', { id: 'decrypt-status' }, 'Your partial decryption is uploaded and its proofs checked.')
        : el('p', {}, 'Run this with your seed and decryption key file; it fetches the encrypted tally, decrypts your part and posts it:'),
      me.decrypted ? null : code('cmd-decrypt', command(ballotId, 'threshold-decrypt', ['--key', seed, '--decryption-key', dkey])));
  }
  return box;
}
