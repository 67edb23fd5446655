//! The `carried` command: serve (default), migrate, user, and the other administrative tools.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod e2e_cli;
mod e2e_remote;
mod e2e_threshold;

use carried::config::Settings;
use carried::services::auth::{self, NewUser, PasswordPolicy, Role};
use carried::startup::{build_state, Application};

#[derive(Parser)]
#[command(name = "carried", version, about = "Conference motions voted in parts, and auditable indicative ballots of GPs.", long_about = None, after_help = SETTINGS_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The settings, for `carried --help` (docs/operations.md has the full table).
const SETTINGS_HELP: &str = "\
Settings (environment variables; a carried.toml may set the same keys in lower case without CARRIED_):
  CARRIED_BIND                     listen address (127.0.0.1:8080; port 0 picks a free port)
  CARRIED_DATA_DIR                 SQLite file and mail outbox (./data)
  CARRIED_DATABASE_URL             postgres://… or a SQLite path (<data dir>/carried.db)
  CARRIED_PUBLIC_URL               base of links in emails; https://… makes the cookie Secure (http://<bind>)
  CARRIED_KEYS_FILE                the service's secret keys, never in the database (<data dir>/keys.json)
  CARRIED_JWT_SECRET               pin the token-signing key (the key file's current token key)
  CARRIED_SMTP_URL                 smtp://host:587?tls=required or smtps://user:pass@host (unset: .eml files)
  CARRIED_MAIL_FROM                sender address (carried@localhost)
  CARRIED_SMTP_CONNECTIONS         messages sent at once over reused connections (8)
  CARRIED_SMTP_MAX_PER_SECOND      ceiling on messages per second for a relay's limit (none)
  CARRIED_MAIL_LEASE_SECONDS       how long a crashed sender's messages wait before another sends them (60)
  CARRIED_MAIL_SENDER              run the mail sender in this instance (true)
  CARRIED_TOKEN_TTL_MINUTES        sign-in token lifetime; pages renew it while in use (60)
  CARRIED_SESSION_MAX_HOURS        renewed up to this long after signing in (12)
  CARRIED_POOL_SIZE                database connections (16; SQLite at most 8)
  CARRIED_TURNOUT_THRESHOLD        turnout test shown with results, information only (0.5)
  CARRIED_YES_THRESHOLD            yes-of-eligible test shown with results, information only (0.4)
  CARRIED_LOGIN_LIMIT_PER_ADDRESS  sign-in attempts per client address per five minutes (1000)
  CARRIED_LOGIN_FREE_FAILURES      wrong passwords for an account before attempts must wait (5)
  CARRIED_LOGIN_MAX_DELAY_SECONDS  longest such wait, doubling from 1 s (60)
  CARRIED_LOGIN_RATE_PER_MINUTE    no longer used (accepted and ignored)
  CARRIED_TRUSTED_PROXIES          addresses or networks whose X-Forwarded-For is believed (none)
  CARRIED_MAX_STREAMS              live event streams open at once per instance (5000)
  CARRIED_MAX_STREAMS_PER_ADDRESS  live event streams open at once from one address (500)
  CARRIED_BODY_TIMEOUT_SECONDS     a request body must arrive within this many seconds (20)
  CARRIED_ARGON2_MEMORY_KIB        argon2id memory (19456)
  CARRIED_CONFIG                   where carried.toml is (./carried.toml)
  RUST_LOG                         log filter (info)

Start: carried serve, then carried user add --email you@example.org --name \"Your Name\" --role admin
--password-stdin, then open the address in a browser. docs/operations.md has more.";

#[derive(Subcommand)]
enum Command {
    /// Run the web service (the default). Settings come from CARRIED_* variables (docs/operations.md).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import an electoral roll from CSV (membership_no,name,email,lmc,role) into a draft ballot.
    #[command(subcommand)]
    Roll(RollCommand),
    /// Recount a published ballot record: every hash, the signature, the counts and the results.
    /// Exits 0 only when everything checks out; otherwise names the first thing wrong. A Belenios 2.0
    /// archive (RECORD.bel, end-to-end ballots or belenios-tool's own) is verified as Belenios does, and its
    /// encrypted tally is checked against the ballots too.
    Verify {
        /// The record, as downloaded from /api/v1/ballots/{id}/record (or record.bel).
        record: std::path::PathBuf,
        /// A checkpoint saved while the ballot was open, as COUNT:HEAD (repeatable).
        #[arg(long = "checkpoint")]
        checkpoints: Vec<carried::audit::Checkpoint>,
        /// A receipt to find in the record (repeatable).
        #[arg(long = "receipt")]
        receipts: Vec<String>,
        /// The service's published public key (hex), to check the record was signed by it.
        #[arg(long)]
        key: Option<String>,
        /// Your voting code (v2 records): says whether your has-voted tag is on the roll and whether a
        /// ballot was counted with it (repeatable).
        #[arg(long = "code")]
        codes: Vec<String>,
        /// A file holding a signed checkpoint, as answered by /api/v1/ballots/{id}/checkpoint (v2 records;
        /// repeatable).
        #[arg(long = "signed-checkpoint")]
        signed_checkpoints: Vec<std::path::PathBuf>,
    },
    /// End-to-end ballots: a trustee's key and partial decryption (run on the trustee's own machine).
    #[command(subcommand)]
    Trustee(e2e_cli::TrusteeCommand),
    /// End-to-end ballots: encrypt a ballot for an election with a voting code.
    #[command(subcommand)]
    Ballot(e2e_cli::BallotCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Manage the service's keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Load demo data: a conference with the seed motion, one user per role (new passwords, printed once),
    /// an open and a published ballot. Refuses if demo data is already there.
    Demo,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new token-signing key to the key file (CARRIED_KEYS_FILE, default <data dir>/keys.json) and
    /// make it current. Tokens signed with older keys stay valid until they expire. Restart every instance
    /// afterwards so each one signs with the new key.
    RotateTokenKey,
}

#[derive(Subcommand)]
enum RollCommand {
    /// Import FILE into BALLOT's roll; prints how the header was read and a summary (added, changed,
    /// unchanged, rejected), with each rejected line's number and reason.
    Import {
        /// The ballot's number (its id: the N in /officer#ballot-N or /api/v1/ballots/N); it must be a draft.
        ballot: i64,
        /// A CSV file (commas, semicolons or tabs; a spreadsheet's byte-order mark is fine) whose first line
        /// names the columns membership number, name, email, LMC and role, in any order.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from standard input (never from the command line).
    Add {
        /// The address they sign in with.
        #[arg(long)]
        email: String,
        /// Their name as shown to others, e.g. "Dr Asha Rao".
        #[arg(long)]
        name: String,
        /// admin, chair, officer, representative, member or scrutineer; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// Read the password from standard input: on a terminal you are asked for it (twice, not shown);
        /// from a pipe the first line is read. At least 12 characters.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List active users.
    List,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        // Colour only on a terminal: a log written to a file or a pipe carries no escape codes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    // The end-to-end tools run on a trustee's or voter's machine: they need no service settings.
    let cli = match cli.command {
        Some(Command::Trustee(cmd)) => return report(e2e_cli::trustee(cmd)),
        Some(Command::Ballot(cmd)) => return report(e2e_cli::ballot(cmd)),
        Some(Command::Verify { record, checkpoints, receipts, key, codes, signed_checkpoints }) => {
            return verify(&record, &checkpoints, &receipts, key.as_deref(), &codes, &signed_checkpoints)
        }
        command => Cli { command },
    };
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("carried: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => carried::db::run_migrations(&settings.database)
            .map(|n| println!("{n} migration(s) applied to {}", settings.database.redacted())),
        Command::User(cmd) => user(settings, cmd),
        Command::Roll(RollCommand::Import { ballot, file }) => roll_import(settings, ballot, &file),
        // Run above, before the settings are read.
        Command::Verify { .. } | Command::Trustee(_) | Command::Ballot(_) => Ok(()),
        Command::Keys(KeysCommand::RotateTokenKey) => build_state(settings).and_then(|state| {
            let path = &state.settings.keys_file;
            let mut file = carried::services::keystore::KeyFile::read(path)?;
            let kid = file.rotate_token_key();
            file.write(path)?;
            let mut conn = state.db.get().map_err(|e| e.to_string())?;
            carried::db::write_tx(&mut conn, |c| {
                carried::services::audit_log::append(
                    c,
                    "cli",
                    carried::services::audit_log::AuditAction::KeysRotate,
                    "token key",
                    serde_json::json!({"kid": kid}),
                )
            })
            .map_err(|e| e.to_string())?;
            println!(
                "new token key {kid} is current in {}; restart every instance (each with this key file) to sign with it",
                path.display()
            );
            Ok(())
        }),
        Command::Openapi => serde_json::to_string_pretty(&carried::startup::openapi_json())
            .map(|s| println!("{s}"))
            .map_err(|e| e.to_string()),
        Command::Demo => build_state(settings).and_then(|state| {
            let demo = carried::demo::load(&state)?;
            print!("{}", demo.summary(&state.settings.public_url));
            Ok(())
        }),
    };
    report(result)
}

fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("carried: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let app = Application::build(settings).await?;
        print!("{}", app.banner());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

/// The password from standard input: on a terminal, asked for twice with echo off; from a pipe, the
/// first line as it is.
fn read_password(on_terminal: bool) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !on_terminal {
        let mut password = String::new();
        stdin.lock().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
        return Ok(password.trim_end_matches(['\r', '\n']).to_string());
    }
    let ask = |prompt: &str| -> Result<String, String> {
        eprint!("{prompt}");
        #[cfg(unix)]
        let saved = {
            use rustix::termios;
            let saved = termios::tcgetattr(&stdin).map_err(|e| format!("terminal: {e}"))?;
            let mut quiet = saved.clone();
            quiet.local_modes.remove(termios::LocalModes::ECHO);
            termios::tcsetattr(&stdin, termios::OptionalActions::Now, &quiet).map_err(|e| format!("terminal: {e}"))?;
            saved
        };
        let mut line = String::new();
        let read = stdin.read_line(&mut line);
        #[cfg(unix)]
        let _ = rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &saved);
        eprintln!();
        read.map_err(|e| format!("reading the password: {e}"))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    };
    let first = ask("Password (at least 12 characters; not shown as you type): ")?;
    let again = ask("The same password again: ")?;
    if first != again {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(first)
}

fn user(settings: Settings, cmd: UserCommand) -> Result<(), String> {
    let state = build_state(settings)?;
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    match cmd {
        UserCommand::Add { email, name, roles, password_stdin } => {
            let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stdin());
            if !password_stdin && !on_terminal {
                return Err("give --password-stdin and pass the password on standard input".into());
            }
            let password = read_password(on_terminal)?;
            let new = NewUser::parse(&email, &name, &roles).map_err(|e| e.detail)?;
            PasswordPolicy::check_strength(&password).map_err(|e| e.detail)?;
            let hash = state.passwords.hash(&password).map_err(|e| e.to_string())?;
            let user = carried::db::write_tx(&mut conn, |c| {
                let user = auth::insert_user(c, &new, Some(&hash))?;
                carried::services::audit_log::append(
                    c,
                    "cli",
                    carried::services::audit_log::AuditAction::UserCreate,
                    &format!("user {}", user.id),
                    serde_json::json!({"email": user.email, "roles": user.roles}),
                )?;
                Ok(user)
            })
            .map_err(|e| e.detail)?;
            let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
            println!("added user {} <{}> with role(s) {}", user.id, user.email, roles.join(", "));
            Ok(())
        }
        UserCommand::List => {
            for u in auth::list_users(&mut conn).map_err(|e| e.to_string())? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                println!("{}\t{}\t{}\t{}", u.id, u.email, u.name, roles.join(","));
            }
            Ok(())
        }
    }
}

fn roll_import(settings: Settings, ballot: i64, file: &std::path::Path) -> Result<(), String> {
    let csv = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let csv = String::from_utf8(csv)
        .map_err(|e| format!("{}: not UTF-8 (byte {})", file.display(), e.utf8_error().valid_up_to()))?;
    let state = build_state(settings)?;
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    let cli = auth::User { id: 0, email: "cli".into(), name: "command line".into(), roles: vec![Role::Officer] };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} voters stored")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let result =
        carried::services::ballots::import_roll_with_progress(&mut conn, &cli, ballot, &csv, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .map_err(|e| e.detail)?;
    bar.finish_and_clear();
    let mapping: Vec<String> =
        result.columns.iter().map(|c| format!("{} ← \"{}\" (column {})", c.field, c.header, c.column)).collect();
    println!("read with {:?} between fields: {}", result.separator, mapping.join(", "));
    println!(
        "added {}, changed {}, unchanged {}, rejected {}; the roll now has {}",
        result.added,
        result.changed,
        result.unchanged,
        result.rejected.len(),
        result.roll_size
    );
    if !result.rejected.is_empty() {
        println!("rejected {} line(s):", result.rejected.len());
        for r in &result.rejected {
            println!("  line {}: {}", r.line, r.reason);
        }
    }
    Ok(())
}

fn verify(
    path: &std::path::Path,
    checkpoints: &[carried::audit::Checkpoint],
    receipts: &[String],
    key: Option<&str>,
    codes: &[String],
    signed: &[std::path::PathBuf],
) -> ExitCode {
    let mut signed_checkpoints = Vec::new();
    for file in signed {
        let read = std::fs::read(file).map_err(|e| e.to_string()).and_then(|b| {
            let v = carried::audit::strict::parse(&b).map_err(|e| e.to_string())?;
            let v = v.get("signed").cloned().unwrap_or(v);
            serde_json::from_value::<carried::audit::v2::SignedCheckpoint>(v).map_err(|e| e.to_string())
        });
        match read {
            Ok(c) => signed_checkpoints.push(c),
            Err(e) => {
                eprintln!("carried verify: {} is not a signed checkpoint: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    }
    let text = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("carried verify: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    if e2e_cli::is_bel(&text) {
        return e2e_cli::verify_bel(path, &text);
    }
    let inputs = carried::audit::stream::Inputs {
        checkpoints,
        signed_checkpoints: &signed_checkpoints,
        receipts,
        codes,
        trusted_key: key,
    };
    match carried::audit::verify_with(&text, &inputs) {
        Ok(report) => {
            println!("{report}");
            println!("VERIFIED");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("NOT VERIFIED: {e}");
            ExitCode::FAILURE
        }
    }
}
