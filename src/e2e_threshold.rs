//! `carried trustee threshold-*`: the threshold (t of n) key ceremony of Belenios 2.0's Pedersen trustees,
//! one subcommand per step, with the files `belenios-tool setup generate-trustee-key-threshold --step N`
//! reads and writes (so trustees may mix the two tools); and `carried trustee result`, the result from the
//! partial decryptions. The steps are the pure functions of `carried_e2e::pedersen`; docs/e2e.md says who runs
//! which step.

use std::io::Write;
use std::path::{Path, PathBuf};

use carried_e2e::formats::{to_json, EncryptedTally, PartialDecryption, SignedMsg, Trustee};
use carried_e2e::pedersen::{self, Polynomial, Vinput, Voutput};
use carried_e2e::{group, trustee};
use clap::Subcommand;

use crate::e2e_cli::{read_election, read_text};
use crate::e2e_remote::{summary, Remote};

#[derive(Subcommand)]
pub enum ThresholdCommand {
    /// Threshold ceremony, step 1 (each trustee): make your secret seed, written to --key-out (readable only
    /// by you; keep it: you need it at every later step and to decrypt), and print your certificate, a line
    /// of the ceremony's certs.jsons.
    ThresholdCert {
        /// Where to write your secret seed (created readable only by you).
        #[arg(long)]
        key_out: PathBuf,
        #[command(flatten)]
        remote: Remote,
    },
    /// Step 2 (anyone): check the certificates (certs.jsons, one per line, in the trustees' order).
    ThresholdCheck {
        /// The ceremony's certificates (certs.jsons: one per line, in the trustees' order).
        #[arg(long)]
        certs: PathBuf,
    },
    /// Step 3 (each trustee): make your polynomial so that any --threshold trustees can decrypt, and print
    /// it: your signed commitments and each trustee's share, encrypted to them (a line of polynomials.jsons).
    ThresholdPolynomial {
        /// The ceremony's certificates (certs.jsons: one per line, in the trustees' order); with --server,
        /// fetched from the service.
        #[arg(long, required_unless_present = "server")]
        certs: Option<PathBuf>,
        /// Your seed (from step 1).
        #[arg(long)]
        key: PathBuf,
        /// How many trustees must take part to decrypt (t of n; at least 1, at most n); with --server, the
        /// ballot's.
        #[arg(long, required_unless_present = "server")]
        threshold: Option<usize>,
        #[command(flatten)]
        remote: Remote,
    },
    /// Step 4 (the relay): check the polynomials and print each trustee's verification input, one line per
    /// trustee in the certificates' order.
    ThresholdVinputs {
        /// The ceremony's certificates (certs.jsons: one per line, in the trustees' order).
        #[arg(long)]
        certs: PathBuf,
        /// The trustees' polynomials (polynomials.jsons: step 3's lines, in the trustees' order).
        #[arg(long)]
        polynomials: PathBuf,
    },
    /// Step 5 (each trustee): check the shares sent to you and print your verification output (your
    /// verification key with its proof, and your decryption key encrypted to yourself).
    ThresholdVoutput {
        /// The ceremony's certificates (certs.jsons: one per line, in the trustees' order); with --server,
        /// fetched from the service.
        #[arg(long, required_unless_present = "server")]
        certs: Option<PathBuf>,
        /// Your seed (from step 1).
        #[arg(long)]
        key: PathBuf,
        /// Your verification input (your line of step 4's output); with --server, fetched from the service.
        #[arg(long, required_unless_present = "server")]
        vinput: Option<PathBuf>,
        /// Also write your encrypted decryption key here (belenios-tool's .dkey), for `carried trustee decrypt
        /// --decryption-key`.
        #[arg(long)]
        dkey_out: Option<PathBuf>,
        #[command(flatten)]
        remote: Remote,
    },
    /// The key ceremony of a ballot on the service: its step, who is still to act (--server and --ballot).
    ThresholdStatus {
        #[command(flatten)]
        remote: Remote,
    },
    /// A closed ballot on the service (--server, --ballot): fetch its encrypted tally, decrypt your part with
    /// your seed and encrypted decryption key, post it, and say how many more decryptions are needed.
    ThresholdDecrypt {
        /// Your seed (from step 1).
        #[arg(long)]
        key: PathBuf,
        /// Your encrypted decryption key (from threshold-voutput --dkey-out).
        #[arg(long)]
        decryption_key: PathBuf,
        #[command(flatten)]
        remote: Remote,
    },
    /// Step 6 (anyone): check every verification output and print threshold.json (the Pedersen entry of the
    /// election's trustees).
    ThresholdAssemble {
        /// The ceremony's certificates (certs.jsons: one per line, in the trustees' order).
        #[arg(long)]
        certs: PathBuf,
        /// The trustees' polynomials (polynomials.jsons: step 3's lines, in the trustees' order).
        #[arg(long)]
        polynomials: PathBuf,
        /// The verification outputs, one per line in the certificates' order.
        #[arg(long)]
        voutputs: PathBuf,
    },
    /// The result of a closed ballot from its partial decryptions: every proof checked, then combined
    /// (Lagrange for threshold trustees). Refused, saying how many more are needed, with too few.
    Result {
        /// The election (GET /api/v1/ballots/{id}/election).
        #[arg(long)]
        election: PathBuf,
        /// The election's trustees (trustees.json).
        #[arg(long)]
        trustees: PathBuf,
        /// The encrypted tally the trustees decrypted (GET /api/v1/ballots/{id}/encrypted-tally).
        #[arg(long)]
        tally: PathBuf,
        /// The total weight of the counted ballots (their number when every weight is 1).
        #[arg(long)]
        total_weight: u64,
        /// A partial decryption as OWNER=FILE, OWNER the trustee's position (from 1); repeat for each.
        #[arg(long = "partial")]
        partials: Vec<String>,
    },
}

fn lines<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<Vec<T>, String> {
    read_text(path)?
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{} line {}: not {what}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn one<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, String> {
    serde_json::from_str(read_text(path)?.trim()).map_err(|e| format!("{}: not {what}: {e}", path.display()))
}

fn seed(path: &Path) -> Result<String, String> {
    let s = read_text(path)?.trim().to_owned();
    if s.len() != 22 || !s.bytes().all(|b| carried_e2e::credential::DIGITS.contains(&b)) {
        return Err(format!("{}: not a trustee seed (22 base58 characters)", path.display()));
    }
    Ok(s)
}

/// Writes a secret file readable only by its owner; refuses to overwrite.
fn write_secret(path: &Path, text: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(file, "{text}").and_then(|_| file.sync_all()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The certificates of a ceremony's state, once every one is in.
fn server_certs(v: &serde_json::Value) -> Result<Vec<SignedMsg>, String> {
    let certs = v
        .get("certificates")
        .filter(|c| !c.is_null())
        .ok_or_else(|| format!("the certificates are not all in yet: {}", summary(v)))?;
    serde_json::from_value(certs.clone()).map_err(|e| format!("the service's certificates do not parse: {e}"))
}

pub fn run(cmd: ThresholdCommand) -> Result<(), String> {
    let g = &*group::BELENIOS_2048;
    let certs_of = |p: &Path| lines::<SignedMsg>(p, "a certificate");
    match cmd {
        ThresholdCommand::ThresholdCert { key_out, remote } => {
            let client = remote.client()?;
            let (seed, cert) = pedersen::step1(g);
            write_secret(&key_out, &seed)?;
            let cert = to_json(&cert);
            println!("{cert}");
            if let Some(c) = client {
                eprintln!("{}", summary(&c.post("ceremony/certificate", &cert)?));
            }
        }
        ThresholdCommand::ThresholdCheck { certs } => {
            let n = pedersen::check_certs(g, &certs_of(&certs)?).map_err(|e| e.0)?.len();
            println!("{n} certificates are valid");
        }
        ThresholdCommand::ThresholdPolynomial { certs, key, threshold, remote } => {
            let client = remote.client()?;
            let (certs, threshold) = match (&client, certs, threshold) {
                (Some(c), _, _) => {
                    let v = c.ceremony()?;
                    (server_certs(&v)?, v["threshold"].as_u64().unwrap_or(0) as usize)
                }
                (None, Some(certs), Some(t)) => (certs_of(&certs)?, t),
                _ => return Err("give --certs and --threshold, or --server and --ballot".into()),
            };
            let p = to_json(&pedersen::step3(g, &certs, &seed(&key)?, threshold).map_err(|e| e.0)?);
            println!("{p}");
            if let Some(c) = client {
                eprintln!("{}", summary(&c.post("ceremony/polynomial", &p)?));
            }
        }
        ThresholdCommand::ThresholdVinputs { certs, polynomials } => {
            let polys: Vec<Polynomial> = lines(&polynomials, "a polynomial")?;
            for v in pedersen::step4(g, &certs_of(&certs)?, &polys).map_err(|e| e.0)? {
                println!("{}", to_json(&v));
            }
        }
        ThresholdCommand::ThresholdVoutput { certs, key, vinput, dkey_out, remote } => {
            let client = remote.client()?;
            let (certs, vinput): (Vec<SignedMsg>, Vinput) = match (&client, certs, vinput) {
                (Some(c), _, _) => {
                    let certs = server_certs(&c.ceremony()?)?;
                    let v = serde_json::from_str(&c.get("ceremony/vinput")?)
                        .map_err(|e| format!("the verification input does not parse: {e}"))?;
                    (certs, v)
                }
                (None, Some(certs), Some(v)) => (certs_of(&certs)?, one(&v, "a verification input")?),
                _ => return Err("give --certs and --vinput, or --server and --ballot".into()),
            };
            let out = pedersen::step5(g, &certs, &seed(&key)?, &vinput).map_err(|e| e.0)?;
            if let Some(path) = dkey_out {
                write_secret(&path, &out.private_key)?;
            }
            let out = to_json(&out);
            println!("{out}");
            if let Some(c) = client {
                eprintln!("{}", summary(&c.post("ceremony/voutput", &out)?));
            }
        }
        ThresholdCommand::ThresholdStatus { remote } => {
            let c = remote.client()?.ok_or("give --server and --ballot")?;
            let v = c.ceremony()?;
            println!("{}", summary(&v));
            println!("threshold: {} of {}", v["threshold"], v["trustees_count"]);
        }
        ThresholdCommand::ThresholdDecrypt { key, decryption_key, remote } => {
            let c = remote.client()?.ok_or("give --server and --ballot")?;
            let (ctx, t) = crate::e2e_cli::tally_from_text(&c.get("encrypted-tally")?)?;
            let ctx = ctx.ok_or("the service's tally carries no election")?;
            let x = pedersen::decryption_key(ctx.group, seed(&key)?.as_str(), &read_text(&decryption_key)?)
                .map_err(|e| format!("{} with {}: {e}", decryption_key.display(), key.display()))?;
            let pd = to_json(&trustee::partial_decrypt(&ctx, &x, &t));
            println!("{pd}");
            let v = c.post("partial-decryptions", &pd)?;
            match v["decryptions_needed"].as_u64() {
                Some(n) if n > 0 => eprintln!("posted; {n} more partial decryption(s) needed for the result"),
                _ => eprintln!("posted; the result is decrypted"),
            }
        }
        ThresholdCommand::ThresholdAssemble { certs, polynomials, voutputs } => {
            let polys: Vec<Polynomial> = lines(&polynomials, "a polynomial")?;
            let outs: Vec<Voutput> = lines(&voutputs, "a verification output")?;
            let params = pedersen::step6(g, &certs_of(&certs)?, &polys, &outs).map_err(|e| e.0)?;
            println!("{}", to_json(&params));
        }
        ThresholdCommand::Result { election, trustees, tally, total_weight, partials } => {
            let ctx = read_election(&election)?;
            let trustees: Vec<Trustee> = one(&trustees, "a list of trustees")?;
            let text = read_text(&tally)?;
            let t: EncryptedTally = serde_json::from_str(text.trim())
                .or_else(|e| serde_json::from_str(text.lines().next().unwrap_or_default()).map_err(|_| e))
                .map_err(|e| format!("{}: not an encrypted tally: {e}", tally.display()))?;
            let mut by_owner = std::collections::BTreeMap::new();
            for p in &partials {
                let (owner, file) = p.split_once('=').ok_or_else(|| format!("--partial {p}: give OWNER=FILE"))?;
                let owner: usize = owner.parse().map_err(|_| format!("--partial {p}: OWNER is a number"))?;
                // The file may hold the decryption alone or `carried trustee decrypt --trustee-id`'s two lines.
                let text = read_text(Path::new(file))?;
                let pd: PartialDecryption = serde_json::from_str(text.lines().next().unwrap_or_default())
                    .map_err(|e| format!("{file}: not a partial decryption: {e}"))?;
                if by_owner.insert(owner, pd).is_some() {
                    return Err(format!("trustee {owner} is given twice"));
                }
            }
            let counts =
                trustee::result_from_partials(&ctx, &trustees, &t, total_weight, &by_owner).map_err(|e| e.0)?;
            println!("{}", to_json(&carried_e2e::formats::ElectionResult { result: counts }));
        }
    }
    Ok(())
}
