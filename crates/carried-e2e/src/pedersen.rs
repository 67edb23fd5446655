//! The threshold (t of n) key ceremony of Belenios 2.0's "Pedersen" trustees, as pure functions, one per
//! step of `belenios-tool setup generate-trustee-key-threshold --step N`, with the same formats and formulas
//! (`../shared/notes/belenios-2.0.md` §3.4, upstream `src/lib/v1/trustees.ml`):
//!
//! 1. [`step1`]: each trustee draws a seed (22 base58 characters, kept secret) and publishes a certificate:
//!    the verification key g^sk and the encryption key g^dk, signed with sk, where
//!    sk = int(SHA-256("sk|" + seed)) and dk = int(SHA-256("dk|" + seed)).
//! 2. [`check_certs`]: anyone checks the n certificates.
//! 3. [`step3`]: each trustee draws a polynomial of t coefficients, publishes the commitments g^(a_k)
//!    (signed), and sends f(j) to each trustee j, signed and encrypted to j's encryption key; and its own
//!    polynomial encrypted to itself.
//! 4. [`step4`]: the relay (the service) hands trustee j what was sent to it: its verification input.
//! 5. [`step5`]: trustee j decrypts and checks every f_i(j) against the commitments, and publishes its
//!    verification key g^(Σ_i f_i(j)) with a proof of knowledge, and its decryption key Σ_i f_i(j) encrypted
//!    to itself.
//! 6. [`step6`]: anyone assembles `threshold.json` after checking every verification key.
//!
//! Then [`decryption_key`] gives trustee j its key for the partial decryption (as `belenios-tool election
//! decrypt-threshold` does). Messages between trustees are ElGamal-encrypted AES-256-CCM (8-byte tag), as
//! Belenios's `Platform.encrypt`.

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes256;
use rand::Rng;
use rug::integer::Order;
use rug::ops::RemRounding;
use rug::Integer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::formats::{to_json, Big, CertKeys, Pedersen, Proof, RawCoefexps, SignedMsg, TrusteePublicKey};
use crate::group::Group;
use crate::Error;

/// An ElGamal-encrypted AES key with the AES-CCM data (hex), as Belenios's `encrypted_msg`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedMsg {
    pub alpha: Big,
    pub beta: Big,
    pub data: String,
}

/// A message for one recipient (signed by the sender, then encrypted to the recipient).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelMsg {
    pub recipient: Big,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolynomial {
    polynomial: Vec<Big>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Secret {
    secret: Big,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialDecryptionKey {
    decryption_key: Big,
}

/// A trustee's step-3 output (a line of `polynomials.jsons`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Polynomial {
    /// The trustee's own polynomial, sent to itself (an `encrypted_msg` as JSON text).
    pub polynomial: String,
    /// f(j) for each trustee j, sent to j (each an `encrypted_msg` as JSON text).
    pub secrets: Vec<String>,
    /// The signed commitments g^(a_0) … g^(a_(t−1)).
    pub coefexps: SignedMsg,
}

/// What trustee j receives at step 4 (its `.vinput`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vinput {
    pub polynomial: String,
    pub secrets: Vec<String>,
    pub coefexps: Vec<SignedMsg>,
}

/// Trustee j's step-5 output (its `.voutput`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voutput {
    /// The decryption key, sent to itself (an `encrypted_msg` as JSON text): the `.dkey` file.
    pub private_key: String,
    pub public_key: TrusteePublicKey,
}

// ---------------------------------------------------------------- keys and signatures

/// A new secret seed: 22 base58 characters (as `belenios-tool`'s `.key`).
pub fn genkey() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..22).map(|_| crate::credential::DIGITS[rng.gen_range(0..58usize)] as char).collect()
}

fn sha256_int(text: &str) -> Integer {
    Integer::from_digits(&Sha256::digest(text.as_bytes()), Order::Msf)
}

/// The signing key of a seed (not reduced mod q, as Belenios).
pub fn derive_sk(seed: &str) -> Integer {
    sha256_int(&format!("sk|{seed}"))
}

/// The decryption key of a seed (not reduced mod q).
pub fn derive_dk(seed: &str) -> Integer {
    sha256_int(&format!("dk|{seed}"))
}

/// Signs a message: c = H("sigmsg|" + message + "|", [g^w]), r = w − sk·c mod q.
pub fn sign(group: &Group, sk: &Integer, message: String) -> SignedMsg {
    let w = group.random_nonzero_scalar();
    let a = group.g_pow_secret(&w);
    let c = group.hash(&format!("sigmsg|{message}|"), &[&a]);
    let r = group.response(&w, sk, &c);
    SignedMsg { message, signature: Proof { challenge: Big(c), response: Big(r) } }
}

/// Whether `m` is signed by the key whose public part is `vk`.
pub fn verify_signed(group: &Group, vk: &Integer, m: &SignedMsg) -> bool {
    let p = &m.signature;
    group.is_scalar(&p.challenge) && group.is_scalar(&p.response) && {
        let a = group.mul(&group.g_pow(&p.response), &group.pow(vk, &p.challenge));
        group.hash(&format!("sigmsg|{}|", m.message), &[&a]) == p.challenge.0
    }
}

/// A key pair with a proof of knowledge of x (a Belenios `trustee_public_key`).
pub fn prove_key(group: &Group, x: &Integer) -> TrusteePublicKey {
    let y = group.g_pow_secret(x);
    let w = group.random_nonzero_scalar();
    let a = group.g_pow_secret(&w);
    let c = group.hash(&format!("pok|{}|{}|", group.name, y), &[&a]);
    let r = group.response(&w, x, &c);
    TrusteePublicKey { pok: Proof { challenge: Big(c), response: Big(r) }, public_key: Big(y), name: None }
}

// ---------------------------------------------------------------- AES-256-CCM, as Belenios (from SJCL)

fn aes_block(cipher: &Aes256, block: &[u8; 16]) -> [u8; 16] {
    let mut b = aes::Block::from(*block);
    cipher.encrypt_block(&mut b);
    b.into()
}

/// The length field's size L for a message of `len` bytes (at least 2), and so a nonce of 15 − L bytes.
fn ccm_l(len: usize) -> usize {
    let mut l = 2;
    while l < 4 && (len >> (8 * l)) != 0 {
        l += 1;
    }
    l
}

const TAG: usize = 8;

fn ccm_tag(cipher: &Aes256, nonce: &[u8], l: usize, plaintext: &[u8]) -> [u8; 16] {
    let mut b0 = [0u8; 16];
    b0[0] = (((TAG - 2) / 2) << 3) as u8 | (l - 1) as u8;
    b0[1..16 - l].copy_from_slice(&nonce[..15 - l]);
    let len = plaintext.len() as u64;
    for i in 0..l {
        b0[15 - i] = (len >> (8 * i)) as u8;
    }
    let mut mac = aes_block(cipher, &b0);
    for chunk in plaintext.chunks(16) {
        for (m, p) in mac.iter_mut().zip(chunk) {
            *m ^= p;
        }
        mac = aes_block(cipher, &mac);
    }
    mac
}

fn ccm_ctr(cipher: &Aes256, nonce: &[u8], l: usize, counter: u32) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0] = (l - 1) as u8;
    a[1..16 - l].copy_from_slice(&nonce[..15 - l]);
    for i in 0..l.min(4) {
        a[15 - i] = (counter >> (8 * i)) as u8;
    }
    aes_block(cipher, &a)
}

fn ccm_xor(cipher: &Aes256, nonce: &[u8], l: usize, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (i, chunk) in data.chunks(16).enumerate() {
        let s = ccm_ctr(cipher, nonce, l, i as u32 + 1);
        out.extend(chunk.iter().zip(s).map(|(d, k)| d ^ k));
    }
    out
}

/// AES-256-CCM with an 8-byte tag and no associated data; `iv` is 32 bytes, of which the first 15 − L are
/// the nonce. Returns ciphertext ‖ tag.
pub fn ccm_encrypt(key: &[u8; 32], iv: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256::new(key.into());
    let l = ccm_l(plaintext.len());
    let tag = ccm_tag(&cipher, iv, l, plaintext);
    let s0 = ccm_ctr(&cipher, iv, l, 0);
    let mut out = ccm_xor(&cipher, iv, l, plaintext);
    out.extend(tag.iter().zip(s0).take(TAG).map(|(t, k)| t ^ k));
    out
}

/// The inverse of [`ccm_encrypt`]; refuses a wrong tag.
pub fn ccm_decrypt(key: &[u8; 32], iv: &[u8; 32], data: &[u8]) -> Result<Vec<u8>, Error> {
    if data.len() < TAG {
        return Err(Error("an encrypted message is too short".into()));
    }
    let cipher = Aes256::new(key.into());
    let (body, tag) = data.split_at(data.len() - TAG);
    let l = ccm_l(body.len());
    let plaintext = ccm_xor(&cipher, iv, l, body);
    let expected = ccm_tag(&cipher, iv, l, &plaintext);
    let s0 = ccm_ctr(&cipher, iv, l, 0);
    let diff = tag.iter().zip(expected.iter().zip(s0)).fold(0u8, |acc, (t, (e, k))| acc | (t ^ e ^ k));
    if diff != 0 {
        return Err(Error("an encrypted message does not decrypt with this key (wrong tag)".into()));
    }
    Ok(plaintext)
}

// ---------------------------------------------------------------- encrypted messages and channels

fn key_and_iv(group: &Group, key_elt: &Integer, alpha: &Integer) -> ([u8; 32], [u8; 32]) {
    let _ = group;
    let key: [u8; 32] = Sha256::digest(format!("key|{key_elt}").as_bytes()).into();
    let iv: [u8; 32] = Sha256::digest(format!("iv|{alpha}").as_bytes()).into();
    (key, iv)
}

/// Encrypts text to the public key y: a random group element K carries the AES key, α = g^r, β = y^r·K.
pub fn encrypt(group: &Group, y: &Integer, plaintext: &str) -> EncryptedMsg {
    let r = group.random_nonzero_scalar();
    let k = group.random_nonzero_scalar();
    let key_elt = group.g_pow_secret(&k);
    let alpha = group.g_pow_secret(&r);
    let beta = group.mul(&group.pow_secret(y, &r), &key_elt);
    let (key, iv) = key_and_iv(group, &key_elt, &alpha);
    let data = hex::encode(ccm_encrypt(&key, &iv, plaintext.as_bytes()));
    EncryptedMsg { alpha: Big(alpha), beta: Big(beta), data }
}

/// Decrypts a message encrypted to g^x.
pub fn decrypt(group: &Group, x: &Integer, m: &EncryptedMsg) -> Result<String, Error> {
    if !group.is_element(&m.alpha) || !group.is_element(&m.beta) {
        return Err(Error("an encrypted message is not made of group elements".into()));
    }
    let key_elt = group.div(&m.beta, &group.pow_secret(&m.alpha, x));
    let (key, iv) = key_and_iv(group, &key_elt, &m.alpha);
    let data = hex::decode(&m.data).map_err(|_| Error("an encrypted message's data is not hex".into()))?;
    String::from_utf8(ccm_decrypt(&key, &iv, &data)?).map_err(|_| Error("a decrypted message is not text".into()))
}

/// Signs `message` for `recipient` with sk, then encrypts it to the recipient: Belenios's channel send.
pub fn send(group: &Group, sk: &Integer, recipient: &Integer, message: String) -> String {
    let msg = to_json(&ChannelMsg { recipient: Big(recipient.clone()), message });
    let signed = sign(group, sk, msg);
    to_json(&encrypt(group, recipient, &to_json(&signed)))
}

/// Decrypts with dk a message sent to g^dk, checks it is signed by `sender_vk` and addressed to g^dk.
pub fn recv(group: &Group, dk: &Integer, sender_vk: &Integer, text: &str) -> Result<String, Error> {
    let m: EncryptedMsg = serde_json::from_str(text).map_err(|e| Error(format!("not an encrypted message: {e}")))?;
    let signed: SignedMsg = serde_json::from_str(&decrypt(group, dk, &m)?)
        .map_err(|e| Error(format!("a decrypted message is not signed: {e}")))?;
    if !verify_signed(group, sender_vk, &signed) {
        return Err(Error("invalid signature on received message".into()));
    }
    let c: ChannelMsg =
        serde_json::from_str(&signed.message).map_err(|e| Error(format!("a received message does not parse: {e}")))?;
    if c.recipient.0 != group.g_pow_secret(dk) {
        return Err(Error("invalid recipient on received message".into()));
    }
    Ok(c.message)
}

// ---------------------------------------------------------------- the steps

/// Step 1: a new trustee's secret seed and its certificate (the keys g^sk and g^dk, signed with sk).
pub fn step1(group: &Group) -> (String, SignedMsg) {
    let seed = genkey();
    let cert = make_cert(group, &seed);
    (seed, cert)
}

/// The certificate of a seed.
pub fn make_cert(group: &Group, seed: &str) -> SignedMsg {
    let sk = derive_sk(seed);
    let dk = derive_dk(seed);
    let keys = CertKeys { verification: Big(group.g_pow_secret(&sk)), encryption: Big(group.g_pow_secret(&dk)) };
    sign(group, &sk, to_json(&keys))
}

/// A certificate's file name in belenios-tool: SHA-256 (hex) of its message.
pub fn cert_id(cert: &SignedMsg) -> String {
    crate::election::sha256_hex(cert.message.as_bytes())
}

/// Step 2: every certificate is well formed and signed by its own verification key. Returns their keys.
pub fn check_certs(group: &Group, certs: &[SignedMsg]) -> Result<Vec<CertKeys>, Error> {
    if certs.is_empty() {
        return Err(Error("no certificate".into()));
    }
    certs
        .iter()
        .enumerate()
        .map(|(i, cert)| {
            let keys: CertKeys = serde_json::from_str(&cert.message)
                .map_err(|_| Error(format!("certificate {} does not parse", i + 1)))?;
            let ok = group.is_element(&keys.verification)
                && group.is_element(&keys.encryption)
                && verify_signed(group, &keys.verification, cert);
            if !ok {
                return Err(Error(format!("certificate {} does not validate", i + 1)));
            }
            Ok(keys)
        })
        .collect()
}

/// The 1-based position of a seed's certificate among the certificates.
pub fn my_position(group: &Group, keys: &[CertKeys], seed: &str) -> Result<usize, Error> {
    let vk = group.g_pow_secret(&derive_sk(seed));
    let ek = group.g_pow_secret(&derive_dk(seed));
    keys.iter()
        .position(|k| k.verification.0 == vk && k.encryption.0 == ek)
        .map(|i| i + 1)
        .ok_or_else(|| Error("could not find my certificate among the certificates".into()))
}

fn eval_poly(group: &Group, coefficients: &[Integer], x: usize) -> Integer {
    let mut result = Integer::new();
    let mut cur = Integer::from(1u32);
    for a in coefficients {
        result = (result + Integer::from(&cur * a)).rem_euc(&group.q);
        cur = (cur * x).rem_euc(&group.q);
    }
    result
}

/// Step 3: trustee `seed` draws a polynomial of `threshold` coefficients (so that any `threshold` trustees
/// can decrypt), signs its commitments and sends each trustee its share.
pub fn step3(group: &Group, certs: &[SignedMsg], seed: &str, threshold: usize) -> Result<Polynomial, Error> {
    let keys = check_certs(group, certs)?;
    my_position(group, &keys, seed)?;
    if threshold == 0 || threshold > keys.len() {
        return Err(Error(format!("the threshold must be between 1 and {} (the number of trustees)", keys.len())));
    }
    let sk = derive_sk(seed);
    let ek = group.g_pow_secret(&derive_dk(seed));
    let coefficients: Vec<Integer> = (0..threshold).map(|_| group.random_scalar()).collect();
    let raw = RawPolynomial { polynomial: coefficients.iter().cloned().map(Big).collect() };
    let polynomial = send(group, &sk, &ek, to_json(&raw));
    let coefexps = RawCoefexps { coefexps: coefficients.iter().map(|a| Big(group.g_pow_secret(a))).collect() };
    let coefexps = sign(group, &sk, to_json(&coefexps));
    let secrets = keys
        .iter()
        .enumerate()
        .map(|(j, k)| {
            let secret = Secret { secret: Big(eval_poly(group, &coefficients, j + 1)) };
            send(group, &sk, &k.encryption, to_json(&secret))
        })
        .collect();
    Ok(Polynomial { polynomial, secrets, coefexps })
}

fn checked_coefexps(group: &Group, keys: &[CertKeys], signed: &[&SignedMsg]) -> Result<Vec<Vec<Integer>>, Error> {
    signed
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (m, k))| {
            if !verify_signed(group, &k.verification, m) {
                return Err(Error(format!("coefexps {} does not validate", i + 1)));
            }
            let raw: RawCoefexps =
                serde_json::from_str(&m.message).map_err(|_| Error(format!("coefexps {} does not parse", i + 1)))?;
            if raw.coefexps.iter().any(|a| !group.is_element(a)) {
                return Err(Error(format!("coefexps {} is not in the group", i + 1)));
            }
            Ok(raw.coefexps.into_iter().map(|b| b.0).collect())
        })
        .collect()
}

/// Step 4 (the relay): checks the polynomials' signatures and gives each trustee its verification input.
pub fn step4(group: &Group, certs: &[SignedMsg], polynomials: &[Polynomial]) -> Result<Vec<Vinput>, Error> {
    let keys = check_certs(group, certs)?;
    let n = keys.len();
    if polynomials.len() != n {
        return Err(Error(format!("{} polynomials for {n} trustees", polynomials.len())));
    }
    if let Some(i) = polynomials.iter().position(|p| p.secrets.len() != n) {
        return Err(Error(format!(
            "polynomial {} has {} shares for {n} trustees",
            i + 1,
            polynomials[i].secrets.len()
        )));
    }
    let coefexps: Vec<&SignedMsg> = polynomials.iter().map(|p| &p.coefexps).collect();
    checked_coefexps(group, &keys, &coefexps)?;
    Ok((0..n)
        .map(|j| Vinput {
            polynomial: polynomials[j].polynomial.clone(),
            secrets: polynomials.iter().map(|p| p.secrets[j].clone()).collect(),
            coefexps: polynomials.iter().map(|p| p.coefexps.clone()).collect(),
        })
        .collect())
}

/// Π_i Π_k A_ik^(j^k): trustee j's verification key from the commitments.
fn verification_key(group: &Group, coefexps: &[Vec<Integer>], j: usize) -> Integer {
    let jj = Integer::from(j);
    let mut vk = Integer::from(1u32);
    for c in coefexps {
        let mut jk = Integer::from(1u32);
        for a in c {
            vk = group.mul(&vk, &group.pow(a, &jk));
            jk *= &jj;
        }
    }
    vk
}

/// Step 5: trustee `seed` decrypts its shares, checks each against its sender's commitments, and publishes its
/// verification key (with a proof of knowledge) and its decryption key encrypted to itself.
pub fn step5(group: &Group, certs: &[SignedMsg], seed: &str, vinput: &Vinput) -> Result<Voutput, Error> {
    let keys = check_certs(group, certs)?;
    let n = keys.len();
    let j = my_position(group, &keys, seed)?;
    let sk = derive_sk(seed);
    let dk = derive_dk(seed);
    let vk = group.g_pow_secret(&sk);
    let own: RawPolynomial = serde_json::from_str(&recv(group, &dk, &vk, &vinput.polynomial)?)
        .map_err(|e| Error(format!("my polynomial does not parse: {e}")))?;
    let threshold = own.polynomial.len();
    if vinput.secrets.len() != n || vinput.coefexps.len() != n {
        return Err(Error(format!("the verification input is not for {n} trustees")));
    }
    let coefexps = checked_coefexps(group, &keys, &vinput.coefexps.iter().collect::<Vec<_>>())?;
    if let Some(i) = coefexps.iter().position(|c| c.len() != threshold) {
        return Err(Error(format!("coefexps {} has not {threshold} coefficients", i + 1)));
    }
    let mut sum = Integer::new();
    for (i, text) in vinput.secrets.iter().enumerate() {
        let s: Secret = serde_json::from_str(&recv(group, &dk, &keys[i].verification, text)?)
            .map_err(|e| Error(format!("secret {} does not parse: {e}", i + 1)))?;
        let expected = verification_key(group, &coefexps[i..=i], j);
        if group.g_pow_secret(&s.secret) != expected {
            return Err(Error(format!("secret {} does not validate", i + 1)));
        }
        sum += &s.secret.0;
    }
    let public_key = prove_key(group, &sum);
    let pdk = to_json(&PartialDecryptionKey { decryption_key: Big(sum) });
    let private_key = send(group, &sk, &group.g_pow_secret(&dk), pdk);
    Ok(Voutput { private_key, public_key })
}

/// Step 6: checks every verification key (its proof, and that it is the one the commitments give) and makes
/// the threshold parameters (`threshold.json`, the Pedersen entry of the trustees).
pub fn step6(
    group: &Group,
    certs: &[SignedMsg],
    polynomials: &[Polynomial],
    voutputs: &[Voutput],
) -> Result<Pedersen, Error> {
    let keys = check_certs(group, certs)?;
    let n = keys.len();
    if polynomials.len() != n || voutputs.len() != n {
        return Err(Error(format!(
            "{} polynomials and {} verification outputs for {n} trustees",
            polynomials.len(),
            voutputs.len()
        )));
    }
    let coefexps = checked_coefexps(group, &keys, &polynomials.iter().map(|p| &p.coefexps).collect::<Vec<_>>())?;
    let threshold = coefexps[0].len();
    if threshold == 0 || coefexps.iter().any(|c| c.len() != threshold) {
        return Err(Error("the polynomials do not all have the same number of coefficients".into()));
    }
    for (j, v) in voutputs.iter().enumerate() {
        if !crate::trustee::check_public_key(group, &v.public_key) {
            return Err(Error(format!("pok {} does not validate", j + 1)));
        }
        if v.public_key.public_key.0 != verification_key(group, &coefexps, j + 1) {
            return Err(Error(format!("verification key {} is incorrect", j + 1)));
        }
    }
    Ok(Pedersen {
        threshold: threshold as u32,
        certs: certs.to_vec(),
        coefexps: polynomials.iter().map(|p| p.coefexps.clone()).collect(),
        verification_keys: voutputs.iter().map(|v| v.public_key.clone()).collect(),
    })
}

/// Whether `text` is an encrypted message (`encrypted_msg` as JSON text) of group elements with hex data.
fn check_encrypted(group: &Group, text: &str, what: &str) -> Result<(), Error> {
    let m: EncryptedMsg =
        serde_json::from_str(text).map_err(|e| Error(format!("{what} is not an encrypted message: {e}")))?;
    if !group.is_element(&m.alpha) || !group.is_element(&m.beta) {
        return Err(Error(format!("{what} is not made of group elements")));
    }
    if m.data.is_empty() || hex::decode(&m.data).is_err() {
        return Err(Error(format!("{what}: its data is not hex")));
    }
    Ok(())
}

/// The relay's check of trustee `position`'s (1-based) step-3 output before it is passed on: a share for
/// every trustee, each an encrypted message; its own polynomial encrypted; `threshold` commitments in the
/// group, signed with the key of its own certificate. (The shares are encrypted to their recipients, who
/// check them against the commitments at step 5.)
pub fn check_polynomial(
    group: &Group,
    certs: &[SignedMsg],
    position: usize,
    threshold: usize,
    p: &Polynomial,
) -> Result<(), Error> {
    let keys = check_certs(group, certs)?;
    let n = keys.len();
    let mine =
        position.checked_sub(1).and_then(|i| keys.get(i)).ok_or_else(|| Error(format!("no trustee {position}")))?;
    if p.secrets.len() != n {
        return Err(Error(format!("the polynomial has {} shares for {n} trustees", p.secrets.len())));
    }
    check_encrypted(group, &p.polynomial, "the trustee's own polynomial")?;
    for (j, s) in p.secrets.iter().enumerate() {
        check_encrypted(group, s, &format!("the share for trustee {}", j + 1))?;
    }
    if !verify_signed(group, &mine.verification, &p.coefexps) {
        return Err(Error(format!(
            "the commitments (coefexps) are not signed with the key of trustee {position}'s certificate"
        )));
    }
    let raw: RawCoefexps = serde_json::from_str(&p.coefexps.message)
        .map_err(|e| Error(format!("the commitments (coefexps) do not parse: {e}")))?;
    if raw.coefexps.len() != threshold {
        return Err(Error(format!(
            "the polynomial has {} coefficients; this ceremony's threshold is {threshold}",
            raw.coefexps.len()
        )));
    }
    if raw.coefexps.iter().any(|a| !group.is_element(a)) {
        return Err(Error("a commitment (coefexp) is not in the group".into()));
    }
    Ok(())
}

/// The relay's check of trustee `position`'s (1-based) step-5 output: the proof of knowledge of its
/// verification key, the key being the one the commitments give (Π_i Π_k A_ik^(j^k)), and its decryption key
/// an encrypted message.
pub fn check_voutput(
    group: &Group,
    certs: &[SignedMsg],
    polynomials: &[Polynomial],
    position: usize,
    v: &Voutput,
) -> Result<(), Error> {
    let keys = check_certs(group, certs)?;
    if position == 0 || position > keys.len() || polynomials.len() != keys.len() {
        return Err(Error(format!("no trustee {position} among {} polynomials", polynomials.len())));
    }
    let coefexps = checked_coefexps(group, &keys, &polynomials.iter().map(|p| &p.coefexps).collect::<Vec<_>>())?;
    if !crate::trustee::check_public_key(group, &v.public_key) {
        return Err(Error("the proof of knowledge (pok) of the verification key does not verify".into()));
    }
    if v.public_key.public_key.0 != verification_key(group, &coefexps, position) {
        return Err(Error(format!("the verification key is not the one the commitments give trustee {position}")));
    }
    check_encrypted(group, &v.private_key, "the encrypted decryption key (private_key)")
}

/// Trustee `seed`'s decryption key from its `.dkey` (the `private_key` of its step-5 output), checked
/// against its signature; the private key of its verification key, for partial decryptions.
pub fn decryption_key(group: &Group, seed: &str, dkey: &str) -> Result<Integer, Error> {
    let sk = derive_sk(seed);
    let dk = derive_dk(seed);
    let text = recv(group, &dk, &group.g_pow_secret(&sk), dkey.trim())?;
    let pdk: PartialDecryptionKey =
        serde_json::from_str(&text).map_err(|e| Error(format!("the decryption key does not parse: {e}")))?;
    Ok(pdk.decryption_key.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::BELENIOS_2048;

    #[test]
    fn ccm_round_trips_and_refuses_a_changed_byte() {
        let key = [7u8; 32];
        let iv = [9u8; 32];
        for len in [0usize, 1, 15, 16, 17, 100, 70_000] {
            let text: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let c = ccm_encrypt(&key, &iv, &text);
            assert_eq!(c.len(), len + TAG);
            assert_eq!(ccm_decrypt(&key, &iv, &c).expect("decrypts"), text);
            let mut bad = c.clone();
            bad[len / 2] ^= 1;
            assert!(ccm_decrypt(&key, &iv, &bad).is_err());
        }
    }

    /// The first block of the CBC-MAC is the standard CCM B0 (flags 0b00_011_001 for an 8-byte tag and L = 2,
    /// then the 13-byte nonce and the length); the interoperability with belenios-tool's own encrypted keys
    /// is tested in `tests/pedersen.rs`.
    #[test]
    fn ccm_matches_the_standard_layout() {
        // B0 flags for an 8-byte tag and L = 2: 0b00_011_001.
        let cipher = Aes256::new(&[0u8; 32].into());
        let iv = [1u8; 32];
        let tag = ccm_tag(&cipher, &iv, 2, b"");
        let mut b0 = [0u8; 16];
        b0[0] = 0x19;
        b0[1..14].copy_from_slice(&[1u8; 13]);
        assert_eq!(tag, aes_block(&cipher, &b0));
    }

    #[test]
    fn a_three_of_five_ceremony_gives_keys_that_lagrange_combine() {
        let g = &*BELENIOS_2048;
        let (seeds, certs): (Vec<String>, Vec<SignedMsg>) = (0..5).map(|_| step1(g)).unzip();
        check_certs(g, &certs).expect("certs");
        let polys: Vec<Polynomial> = seeds.iter().map(|s| step3(g, &certs, s, 3).expect("step 3")).collect();
        let vinputs = step4(g, &certs, &polys).expect("step 4");
        let vouts: Vec<Voutput> =
            seeds.iter().zip(&vinputs).map(|(s, v)| step5(g, &certs, s, v).expect("step 5")).collect();
        let pedersen = step6(g, &certs, &polys, &vouts).expect("step 6");
        crate::trustee::check_pedersen(g, &pedersen).expect("the set checks as the verifier checks it");
        assert_eq!(pedersen.threshold, 3);
        let keys: Vec<Integer> =
            seeds.iter().zip(&vouts).map(|(s, v)| decryption_key(g, s, &v.private_key).expect("dkey")).collect();
        for (k, v) in keys.iter().zip(&vouts) {
            assert_eq!(g.g_pow(k), v.public_key.public_key.0);
        }
        // Another trustee's seed cannot open the decryption key.
        assert!(decryption_key(g, &seeds[1], &vouts[0].private_key).is_err());
        // The relay's checks pass on good messages and name what is wrong in bad ones.
        for (i, p) in polys.iter().enumerate() {
            check_polynomial(g, &certs, i + 1, 3, p).expect("a good polynomial");
            check_voutput(g, &certs, &polys, i + 1, &vouts[i]).expect("a good voutput");
        }
        let e = check_polynomial(g, &certs, 2, 3, &polys[0]).expect_err("someone else's");
        assert!(e.0.contains("not signed with the key of trustee 2"), "{e}");
        assert!(check_polynomial(g, &certs, 1, 2, &polys[0]).expect_err("threshold").0.contains("threshold is 2"));
        let mut short = polys[0].clone();
        short.secrets.pop();
        assert!(check_polynomial(g, &certs, 1, 3, &short).expect_err("short").0.contains("4 shares for 5"));
        let e = check_voutput(g, &certs, &polys, 2, &vouts[0]).expect_err("someone else's");
        assert!(e.0.contains("not the one the commitments give trustee 2"), "{e}");
        // A wrong share is named at step 5.
        let mut bad = vinputs[2].clone();
        bad.secrets.swap(0, 1);
        let e = step5(g, &certs, &seeds[2], &bad).expect_err("refused");
        assert!(e.0.contains("signature") || e.0.contains("secret"), "{e}");
    }
}
