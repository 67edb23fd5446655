//! The `carried` command: serve (default), migrate, user, and the other administrative tools.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use carried::config::Settings;
use carried::services::auth::{self, NewUser, PasswordPolicy, Role};
use carried::startup::{build_state, Application};

#[derive(Parser)]
#[command(name = "carried", version, about = "Conference motions voted in parts, and auditable indicative ballots of GPs.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service (the default). Settings come from CARRIED_* variables (docs/operations.md).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Load demo data: a conference with the seed motion, one user per role (new passwords, printed once),
    /// an open and a published ballot. Refuses if demo data is already there.
    Demo,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from standard input (never from the command line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, chair, officer, representative, member or scrutineer; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// Read the password from standard input (required; at least 12 characters).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List active users.
    List,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
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
        Command::Openapi => serde_json::to_string_pretty(&carried::startup::openapi())
            .map(|s| println!("{s}"))
            .map_err(|e| e.to_string()),
        Command::Demo => build_state(settings).and_then(|state| {
            let demo = carried::demo::load(&state)?;
            print!("{}", demo.summary(&state.settings.public_url));
            Ok(())
        }),
    };
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

fn user(settings: Settings, cmd: UserCommand) -> Result<(), String> {
    let state = build_state(settings)?;
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    match cmd {
        UserCommand::Add { email, name, roles, password_stdin } => {
            if !password_stdin {
                return Err("give --password-stdin and type the password on standard input".into());
            }
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let new = NewUser::parse(&email, &name, &roles).map_err(|e| e.detail)?;
            PasswordPolicy::check_strength(&password).map_err(|e| e.detail)?;
            let hash = state.passwords.hash(&password).map_err(|e| e.to_string())?;
            let user = carried::db::write_tx(&mut conn, |c| {
                let user = auth::insert_user(c, &new, Some(&hash))?;
                carried::services::audit_log::append(
                    c,
                    "cli",
                    "user.create",
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
