//! The end-to-end (Belenios 2.0) parts of the `carried` command: a trustee's key and partial decryption, a
//! voter's encrypted ballot, and the verification of a `.bel` record. All of it runs on the trustee's or
//! voter's own machine; nothing here talks to the service.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use carried_e2e::formats::{to_json, EncryptedTally};
use carried_e2e::{group, trustee, ElectionCtx};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum TrusteeCommand {
    /// Make a trustee key pair. The private key goes to --out (readable only by you; keep it safe and
    /// offline: without it the ballot cannot be counted); the public key, with its proof of knowledge, is
    /// printed to upload to the service.
    Keygen {
        /// Where to write the private key (refuses to overwrite a file).
        #[arg(long)]
        out: PathBuf,
    },
    /// Compute your partial decryption of a closed ballot's encrypted tally, with its proofs, and print it.
    Decrypt {
        /// Your private key file (from `carried trustee keygen`, or belenios-tool's .privkey); for a threshold
        /// trustee, your secret seed (from `carried trustee threshold-cert`, or belenios-tool's .key).
        #[arg(long)]
        key: PathBuf,
        /// Threshold trustees: your encrypted decryption key (from `carried trustee threshold-voutput
        /// --dkey-out`, or belenios-tool's .dkey). With it, --key is your seed.
        #[arg(long)]
        decryption_key: Option<PathBuf>,
        /// The encrypted tally: what GET /api/v1/ballots/{id}/encrypted-tally answers (which carries its
        /// election), or a bare Belenios encrypted_tally (then give --election too).
        #[arg(long)]
        tally: PathBuf,
        /// The election (GET /api/v1/ballots/{id}/election): the proofs are bound to it. Not needed when the
        /// tally file carries it.
        #[arg(long)]
        election: Option<PathBuf>,
        /// Your position in the election's trustees (from 1): also prints the line
        /// `{"owner":N,"payload":HASH}` after the decryption, so that the output can be piped into
        /// `belenios-tool archive add-event --type=PartialDecryption`.
        #[arg(long)]
        trustee_id: Option<u32>,
    },
    #[command(flatten)]
    Threshold(crate::e2e_threshold::ThresholdCommand),
}

#[derive(Subcommand)]
pub enum BallotCommand {
    /// Encrypt answers into a Belenios ballot signed with your voting code, and print it.
    Encrypt {
        /// The election (GET /api/v1/ballots/{id}/election).
        #[arg(long)]
        election: PathBuf,
        /// Your voting code (the credential in your invitation).
        #[arg(long)]
        code: String,
        /// The answers as for any ballot: a JSON array, one per question: "yes"/"no", an option's text, or an
        /// array of option texts.
        #[arg(long)]
        answers: String,
    },
}

pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

pub(crate) fn read_election(path: &Path) -> Result<ElectionCtx, String> {
    // A file saved from the service or belenios-tool may end with a newline, or have been re-serialised by
    // another JSON tool (other spacing); the election is its canonical JSON, the form Belenios publishes
    // and fingerprints.
    let text = read_text(path)?;
    canonical_election(text.trim_end_matches(['\n', '\r'])).map_err(|e| format!("{}: {e}", path.display()))
}

/// The election in canonical form (the bytes its fingerprint is over), however the JSON was spaced.
fn canonical_election(text: &str) -> Result<ElectionCtx, String> {
    let parsed: carried_e2e::formats::Election =
        serde_json::from_str(text).map_err(|e| format!("the election does not parse: {e}"))?;
    ElectionCtx::parse(&to_json(&parsed)).map_err(|e| e.to_string())
}

/// A tally file: the service's `{"election", "election_hash", "encrypted_tally", …}`, or a bare Belenios
/// encrypted_tally (or belenios-tool's compute-encrypted-tally output, the tally on its first line).
fn read_tally(path: &Path) -> Result<(Option<ElectionCtx>, EncryptedTally), String> {
    tally_from_text(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// [`read_tally`] of a text (the service's answer to GET …/encrypted-tally, or a file's).
pub(crate) fn tally_from_text(text: &str) -> Result<(Option<ElectionCtx>, EncryptedTally), String> {
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(text.trim()) {
        let election = o.get("election").ok_or_else(|| String::from("no \"election\" in the tally file"))?;
        let ctx = canonical_election(&election.to_string())?;
        if let Some(h) = o.get("election_hash").and_then(|h| h.as_str()) {
            if h != ctx.fingerprint {
                return Err(format!("the election's fingerprint is {}, not {h}", ctx.fingerprint));
            }
        }
        let t = o.get("encrypted_tally").ok_or_else(|| String::from("no \"encrypted_tally\" in the tally file"))?;
        let t: EncryptedTally =
            serde_json::from_value(t.clone()).map_err(|e| format!("not an encrypted tally: {e}"))?;
        return Ok((Some(ctx), t));
    }
    let t: EncryptedTally = serde_json::from_str(text.trim())
        .or_else(|e| serde_json::from_str(text.lines().next().unwrap_or_default()).map_err(|_| e))
        .map_err(|e| format!("not an encrypted tally: {e}"))?;
    Ok((None, t))
}

pub fn trustee(cmd: TrusteeCommand) -> Result<(), String> {
    match cmd {
        TrusteeCommand::Keygen { out } => {
            let g = &*group::BELENIOS_2048;
            let (x, public) = trustee::keygen(g);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            // The form belenios-tool writes its .privkey in: a JSON string of x in base 10.
            writeln!(file, "\"{x}\"").and_then(|_| file.sync_all()).map_err(|e| format!("{}: {e}", out.display()))?;
            println!("{}", to_json(&public));
            Ok(())
        }
        TrusteeCommand::Threshold(cmd) => crate::e2e_threshold::run(cmd),
        TrusteeCommand::Decrypt { key, decryption_key, tally, election, trustee_id } => {
            let (carried, t) = read_tally(&tally)?;
            let ctx = match (election, carried) {
                (Some(path), carried) => {
                    let ctx = read_election(&path)?;
                    if carried.is_some_and(|c| c.fingerprint != ctx.fingerprint) {
                        return Err(format!("{}: the tally is of another election", tally.display()));
                    }
                    ctx
                }
                (None, Some(ctx)) => ctx,
                (None, None) => {
                    return Err(format!(
                        "{}: a bare encrypted tally: give the election with --election ELECTION.json",
                        tally.display()
                    ))
                }
            };
            let x = match &decryption_key {
                None => trustee::parse_private_key(ctx.group, &read_text(&key)?)
                    .map_err(|e| format!("{}: {e}", key.display()))?,
                Some(dkey) => {
                    carried_e2e::pedersen::decryption_key(ctx.group, read_text(&key)?.trim(), &read_text(dkey)?)
                        .map_err(|e| format!("{} with {}: {e}", dkey.display(), key.display()))?
                }
            };
            let shape_ok = t.len() == ctx.election.questions.len()
                && t.iter().zip(&ctx.election.questions).all(|(row, q)| row.len() == q.answers.len());
            if !shape_ok {
                return Err(format!("{}: this tally does not match the election's questions", tally.display()));
            }
            if t.iter().flatten().any(|ct| !ctx.group.is_element(&ct.alpha) || !ctx.group.is_element(&ct.beta)) {
                return Err(format!("{}: a ciphertext of the tally is not in the group", tally.display()));
            }
            let pd = trustee::partial_decrypt(&ctx, &x, &t);
            trustee::check_partial_decryption(&ctx, &ctx.group.g_pow_secret(&x), &t, &pd)
                .map_err(|e| format!("internal error: our own partial decryption does not check: {e}"))?;
            let pd = to_json(&pd);
            println!("{pd}");
            if let Some(owner) = trustee_id {
                let payload = carried_e2e::election::sha256_hex(pd.as_bytes());
                println!("{}", to_json(&carried_e2e::formats::Owned { owner, payload }));
            }
            Ok(())
        }
    }
}

pub fn ballot(cmd: BallotCommand) -> Result<(), String> {
    match cmd {
        BallotCommand::Encrypt { election, code, answers } => {
            let ctx = read_election(&election)?;
            let answers: Vec<serde_json::Value> =
                serde_json::from_str(&answers).map_err(|e| format!("--answers is not a JSON array: {e}"))?;
            let choices = carried_e2e::choices_from_answers(&ctx.election, &answers).map_err(|e| e.0)?;
            let b = ctx.encrypt_ballot(code.trim(), &choices).map_err(|e| e.0)?;
            println!("{}", to_json(&b));
            Ok(())
        }
    }
}

/// Whether a file is a Belenios archive (its first entry is named BELENIOS).
pub fn is_bel(bytes: &[u8]) -> bool {
    bytes.len() >= 512 && bytes.starts_with(b"BELENIOS\0")
}

pub fn verify_bel(path: &Path, bytes: &[u8]) -> ExitCode {
    let started = std::time::Instant::now();
    match carried_e2e::verify_bel(bytes) {
        Ok(r) => {
            println!(
                "election {}: {} credentials, {} ballots ({} counted), {} partial decryption(s)",
                r.uuid, r.credentials, r.ballots, r.counted, r.partial_decryptions
            );
            println!(
                "checked: archive layout and hashes, trustee keys, credentials, every ballot's signature and proofs, \
                 the encrypted tally as the product of the counted ballots, every partial decryption, the result"
            );
            match &r.result {
                Some(result) => println!("result: {}", serde_json::json!(result)),
                None => println!("no result yet"),
            }
            println!("{} verified in {:.2} s", path.display(), started.elapsed().as_secs_f64());
            println!("VERIFIED");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("NOT VERIFIED: {e}");
            ExitCode::FAILURE
        }
    }
}
