// A trustee's part of an end-to-end verifiable ballot (docs/e2e.md), in their own browser:
//  1. before the ballot opens, generate a key pair here: the private key file is saved to their computer
//     (this page never sends it), and only the public key, with its proof of knowledge, is uploaded;
//  2. after the ballot closes, load that file, compute the partial decryption of the encrypted tally with
//     its proofs here, and upload it. The service checks every proof; the result needs every trustee's.
import { api, el, fill, $, start, idFromPath, showErrors } from './common.js';
import * as belenios from './belenios.js';
import { fetchElection, progressBar } from './vote-e2e.js';
import { ceremonySection } from './trustee-ceremony.js';

const ballotId = idFromPath('/ballots/');
let view = null; // GET /ballots/{id}/trustees: the status, and each trustee's key and decryption
let me = null; // this user's entry in it

start(async (user) => {
  if (!user) {
    fill($('#content'), el('p', {}, 'Sign in as the trustee to take part. ', el('a', { href: '/#sign-in' }, 'Sign in')));
    return;
  }
  try {
    view = await api('GET', `/ballots/${ballotId}/trustees`);
  } catch (e) {
    if (e.status === 409) {
      fill($('#content'), el('p', {}, 'This ballot is not end-to-end verifiable: it has no trustees.'));
      return;
    }
    throw e;
  }
  me = view.trustees.find((t) => t.user_id === user.id) || null;
  // Its trustees read the ballot while it is a draft too (as do its officers and the scrutineer).
  let title = `ballot ${ballotId}`;
  try { title = (await api('GET', `/ballots/${ballotId}`)).title; } catch { /* not readable by this account: keep the number */ }
  document.title = `Trustee: ${title} – carried`;
  fill($('#page-title'), `Trustee: ${title}`);
  if (!me) {
    fill($('#content'), el('p', {}, `You are not a trustee of this ballot. Its trustees are ${view.trustees.map((t) => t.name).join(', ')}.`));
    return;
  }
  if (view.threshold) {
    // Threshold trustees: a key ceremony with the carried program, one command per step.
    fill($('#content'),
      el('p', { class: 'lede' }, 'As a trustee you hold a share of the key without which the votes cannot be counted. ',
        `Any ${view.threshold} of the ${view.trustees.length} trustees together can decrypt the result; fewer cannot.`),
      el('p', { id: 'trustee-status' }, statusWords()),
      await ceremonySection(ballotId, view, me));
    return;
  }
  fill($('#content'),
    el('p', { class: 'lede' }, 'As a trustee you hold one of the keys without which the votes cannot be counted. ',
      'Your private key is made in this browser and saved to your computer; it is never sent to the service.'),
    el('p', { id: 'trustee-status' }, statusWords()),
    keySection(),
    decryptSection());
});

function statusWords() {
  const n = view.trustees.length;
  if (view.status === 'draft' && view.threshold) {
    return 'The ballot has not opened: it opens once the trustees\' key ceremony is complete.';
  }
  if (view.status === 'draft') {
    return view.missing_keys.length
      ? `The ballot has not opened. Waiting for the keys of: ${view.missing_keys.join(', ')} (${n} ${n === 1 ? 'trustee' : 'trustees'} in all).`
      : 'Every trustee has registered a key: the ballot can open.';
  }
  if (view.status === 'open') return 'The ballot is open. Come back when it has closed.';
  if (view.result_ready) return 'Enough trustees have decrypted: the result is published.';
  if (view.threshold && view.decryptions_needed) {
    return `The ballot has closed. ${view.decryptions_needed} more partial ${view.decryptions_needed === 1 ? 'decryption is' : 'decryptions are'} needed (any ${view.threshold} of the ${view.trustees.length} trustees).`;
  }
  return view.missing_decryptions.length
    ? `The ballot has closed. Waiting for the partial decryptions of: ${view.missing_decryptions.join(', ')}.`
    : 'The ballot has closed.';
}

const isClosed = () => ['closed', 'published'].includes(view.status);

const saveLink = (text, name, id, label) => el('a', {
  id, class: 'button secondary', download: name,
  href: URL.createObjectURL(new Blob([text], { type: 'application/json' })),
}, label);

function keySection() {
  const box = el('section', { class: 'card', id: 'key-section', 'aria-labelledby': 'key-title' },
    el('h2', { id: 'key-title' }, '1. Your key'));
  if (view.status !== 'draft') {
    let words = 'The ballot has opened without your key.';
    if (me.key_uploaded && me.decrypted) words = 'Your public key was registered before the ballot opened, and you have decrypted with it.';
    else if (me.key_uploaded) words = 'Your public key is registered. Keep your private key file safe: you need it to decrypt once the ballot closes.';
    box.append(el('p', { id: 'key-status' }, words));
    return box;
  }
  if (me.key_uploaded) {
    box.append(el('p', { id: 'key-status' }, 'Your public key is registered (',
      el('span', { class: 'tracker' }, `${me.public_key.public_key.slice(0, 24)}…`),
      '). Keep your private key file safe: you need it to decrypt once the ballot closes. ',
      'If you have lost the file, generate a new key now, before the ballot opens: it replaces the old one.'));
  }
  const go = el('button', { type: 'button', id: 'generate-key' }, 'Generate my key');
  const out = el('div', { id: 'key-output' });
  go.addEventListener('click', async () => {
    go.disabled = true;
    showErrors([]);
    const progress = progressBar('key-progress', 'Generating your key in this browser');
    fill(out, progress.node);
    progress.set(0, 1, 'Generating…');
    let key;
    try {
      key = await belenios.trusteeKeygen();
    } catch (e) {
      go.disabled = false;
      showErrors([{ message: e.message }]);
      return;
    }
    progress.set(1, 1, 'Your key pair is ready.');
    const fileName = `carried-trustee-ballot-${ballotId}.key.json`;
    const save = saveLink(key.privateKeyFile, fileName, 'save-key', 'Save my private key file');
    const saved = el('input', { type: 'checkbox', id: 'key-saved' });
    const upload = el('button', { type: 'button', id: 'upload-key', disabled: true }, 'Upload my public key');
    saved.addEventListener('change', () => { upload.disabled = !saved.checked; });
    const status = el('p', { id: 'key-status', 'aria-live': 'polite' });
    upload.addEventListener('click', async () => {
      upload.disabled = true;
      try {
        view = await api('POST', `/ballots/${ballotId}/trustee-key`, key.publicKeyJson, { contentType: 'application/json' });
        fill($('#trustee-status'), statusWords());
        fill(status, el('strong', {}, 'Your public key is registered.'),
          ' Keep your private key file safe: you will need it when the ballot closes. This page has forgotten it.');
        key = null;
        URL.revokeObjectURL(save.href);
        save.remove();
        saved.disabled = true;
      } catch (e) {
        upload.disabled = false;
        showErrors([{ message: e.message }]);
      }
    });
    fill(out, progress.node,
      el('div', { class: 'notice warning' },
        el('p', {}, el('strong', {}, 'Save your private key file now.'),
          ' Without it the ballot cannot be counted, and nobody, not even the service, can make it again.')),
      el('p', {}, el('span', {}, 'Your public key begins '), el('span', { class: 'tracker', id: 'public-key' }, `${key.publicKey.toString().slice(0, 24)}…`)),
      el('div', { class: 'button-row' }, save),
      el('div', { class: 'form-group' }, el('div', { class: 'choice' }, saved,
        el('label', { for: 'key-saved' }, 'I have saved my private key file somewhere safe'))),
      el('div', { class: 'button-row' }, upload),
      status);
    // Offer the file at once (the browser may ask where to save it).
    save.click();
  });
  box.append(el('p', {}, 'Generate your key before the ballot opens. The ballot cannot open until every trustee has registered one.'), go, out);
  return box;
}

function decryptSection() {
  const box = el('section', { class: 'card', id: 'decrypt-section', 'aria-labelledby': 'decrypt-title' },
    el('h2', { id: 'decrypt-title' }, '2. Decrypt the result'));
  if (!isClosed()) {
    box.append(el('p', { id: 'decrypt-status' }, 'When the ballot closes, come back here with your private key file.'));
    return box;
  }
  if (me.decrypted) {
    box.append(el('p', { id: 'decrypt-status' }, 'Your partial decryption is uploaded and its proofs checked. ',
      el('a', { href: `/ballots/${ballotId}/results` }, 'See the results')));
    return box;
  }
  const file = el('input', { type: 'file', id: 'key-file', accept: '.json,.key,.privkey,application/json,text/plain', 'aria-describedby': 'key-file-hint' });
  const go = el('button', { type: 'button', id: 'decrypt' }, 'Decrypt and upload my share');
  const out = el('div', { id: 'decrypt-output' });
  go.addEventListener('click', async () => {
    showErrors([]);
    if (!file.files || file.files.length === 0) {
      showErrors([{ field: 'key-file', message: 'Choose your private key file' }]);
      return;
    }
    go.disabled = true;
    const progress = progressBar('decrypt-progress', 'Decrypting in this browser');
    fill(out, progress.node);
    try {
      const x = belenios.parsePrivateKey(await file.files[0].text());
      if (me.public_key && belenios.publicKeyOf(x).toString() !== me.public_key.public_key) {
        throw new Error('This is not the key file of the public key you registered for this ballot. Choose the file you saved when you generated it.');
      }
      progress.set(0, 1, 'Fetching the election and the encrypted tally…');
      const ctx = await fetchElection(ballotId);
      const tallyRes = await api('GET', `/ballots/${ballotId}/encrypted-tally`, undefined, { raw: true });
      if (!tallyRes.ok) throw new Error(`The encrypted tally could not be fetched (${tallyRes.status}).`);
      const pd = await belenios.partialDecrypt(ctx, x, await tallyRes.text(), (d, t) => progress.set(d, t));
      progress.set(1, 1, 'Uploading…');
      view = await api('POST', `/ballots/${ballotId}/partial-decryptions`, pd, { contentType: 'application/json' });
      progress.set(1, 1, 'Done.');
      fill($('#trustee-status'), statusWords());
      out.append(el('p', { id: 'decrypt-status' }, el('strong', {}, 'Your partial decryption is uploaded and its proofs checked.'),
        view.result_ready ? ' Every trustee has decrypted: the result is published. ' : ' The results are published once every trustee has uploaded theirs. ',
        el('a', { href: `/ballots/${ballotId}/results` }, 'See the results')));
    } catch (e) {
      go.disabled = false;
      progress.set(0, 1, 'Stopped.');
      showErrors([{ message: e.message }]);
    }
  });
  box.append(
    el('div', { class: 'form-group' },
      el('label', { for: 'key-file' }, 'Your private key file'),
      el('span', { class: 'hint', id: 'key-file-hint' }, 'The file you saved when you generated your key. It is read here and not sent.'),
      file),
    go, out);
  return box;
}
