//! Typed settings from the environment (`CARRIED_*`) and an optional `carried.toml`, validated at start-up.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Which database the service talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_string()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
        } else if url.contains("://") {
            Err(format!("CARRIED_DATABASE_URL {url:?}: only postgres:// and sqlite:// (or a file path) are supported"))
        } else {
            Ok(DatabaseUrl::Sqlite(PathBuf::from(url)))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }

    /// The URL with any password removed, safe to print and log.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => redact_password(u),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Thresholds shown, as information, beside indicative ballot results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdSettings {
    pub turnout_min: f64,
    pub yes_of_eligible_min: f64,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    pub public_url: String,
    /// Overrides the token key kept in the database (needed only to pin a key from outside).
    pub jwt_secret: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Lifetime of a login token.
    pub token_ttl_minutes: i64,
    /// Connections in the pool (SQLite gets at most 8 whatever is asked).
    pub pool_size: u32,
    pub thresholds: ThresholdSettings,
    /// argon2id memory cost in KiB (OWASP minimum 19456). Lower values are refused outside tests.
    pub argon2_memory_kib: u32,
    /// Logins allowed per account and per client address per minute.
    pub login_rate_per_minute: u32,
    /// Run the background mail sender in this process.
    pub mail_sender: bool,
    /// The file holding the service's secret keys (token signing, voting codes, record signing); never
    /// the database. Several instances share keys by pointing this at the same secrets file.
    pub keys_file: PathBuf,
    /// Peers whose `X-Forwarded-For` is believed (the TLS proxy in front of the service).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Sign-in attempts allowed from one client address per five minutes.
    pub login_limit_per_address: u32,
    /// Wrong passwords for one account before each further attempt must wait (a growing delay).
    pub login_free_failures: u32,
    /// The longest wait the growing delay reaches.
    pub login_max_delay_seconds: u64,
    /// A session is renewed while in use, up to this many hours after signing in.
    pub session_max_hours: i64,
    /// Event streams open at once, overall and from one client address.
    pub max_streams: usize,
    pub max_streams_per_address: usize,
    /// A request's head and body must arrive within this many seconds.
    pub body_timeout_seconds: u64,
    /// Messages sent at once over pooled SMTP connections (CARRIED_SMTP_CONNECTIONS, default 8).
    pub smtp_connections: u32,
    /// A ceiling on messages handed to the relay per second (CARRIED_SMTP_MAX_PER_SECOND; unset: none).
    pub smtp_max_per_second: Option<f64>,
    /// How long a claimed outbox row is reserved by a sender that may have died (CARRIED_MAIL_LEASE_SECONDS).
    pub mail_lease_seconds: i64,
}

/// The keys a `carried.toml` may hold; each is also read from `CARRIED_<KEY>` (upper case), which wins.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    public_url: Option<String>,
    jwt_secret: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    token_ttl_minutes: Option<i64>,
    pool_size: Option<u32>,
    turnout_threshold: Option<f64>,
    yes_threshold: Option<f64>,
    argon2_memory_kib: Option<u32>,
    login_rate_per_minute: Option<u32>,
    mail_sender: Option<bool>,
    keys_file: Option<String>,
    trusted_proxies: Option<String>,
    login_limit_per_address: Option<u32>,
    login_free_failures: Option<u32>,
    login_max_delay_seconds: Option<u64>,
    session_max_hours: Option<i64>,
    max_streams: Option<usize>,
    max_streams_per_address: Option<usize>,
    body_timeout_seconds: Option<u64>,
    smtp_connections: Option<u32>,
    smtp_max_per_second: Option<f64>,
    mail_lease_seconds: Option<i64>,
}

pub const OWASP_ARGON2_MEMORY_KIB: u32 = 19_456;

impl Settings {
    /// Settings from `carried.toml` (if present in the working directory, or at `CARRIED_CONFIG`) and the environment.
    pub fn from_env() -> Result<Self, String> {
        let file = std::env::var("CARRIED_CONFIG").ok().map(PathBuf::from).or_else(|| {
            let p = PathBuf::from("carried.toml");
            p.exists().then_some(p)
        });
        let file_settings = match file {
            Some(path) => read_file(&path)?,
            None => FileSettings::default(),
        };
        Self::from_sources(file_settings, |k| std::env::var(k).ok())
    }

    /// Build settings from a lookup function (the environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Self::from_sources(FileSettings::default(), lookup)
    }

    fn from_sources(f: FileSettings, env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |key: &str, file: Option<String>| -> Option<String> {
            env(&format!("CARRIED_{}", key.to_uppercase())).filter(|v| !v.trim().is_empty()).or(file)
        };
        fn num<T: std::str::FromStr>(key: &str, v: Option<String>) -> Result<Option<T>, String> {
            v.map(|s| {
                s.trim()
                    .parse::<T>()
                    .map_err(|_| format!("CARRIED_{}: {s:?} is not a valid number", key.to_uppercase()))
            })
            .transpose()
        }

        let bind = get("bind", f.bind).unwrap_or_else(|| "127.0.0.1:8080".to_string());
        bind.parse::<SocketAddr>()
            .map_err(|_| format!("CARRIED_BIND: {bind:?} is not an address like 127.0.0.1:8080"))?;
        let data_dir = PathBuf::from(get("data_dir", f.data_dir).unwrap_or_else(|| "./data".to_string()));
        let database = match get("database_url", f.database_url) {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(data_dir.join("carried.db")),
        };
        let public_url = get("public_url", f.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!("CARRIED_PUBLIC_URL: {public_url:?} must start with http:// or https://"));
        }
        let smtp_url = get("smtp_url", f.smtp_url);
        if let Some(u) = &smtp_url {
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                return Err(format!("CARRIED_SMTP_URL: {u:?} must start with smtp:// or smtps://"));
            }
        }
        let mail_from = get("mail_from", f.mail_from).unwrap_or_else(|| "carried@localhost".to_string());
        if mail_from.contains(['\r', '\n']) || !mail_from.contains('@') {
            return Err(format!("CARRIED_MAIL_FROM: {mail_from:?} is not an email address"));
        }
        let token_ttl_minutes =
            num::<i64>("token_ttl_minutes", get("token_ttl_minutes", f.token_ttl_minutes.map(|v| v.to_string())))?
                .unwrap_or(60);
        if !(1..=24 * 60).contains(&token_ttl_minutes) {
            return Err("CARRIED_TOKEN_TTL_MINUTES must be between 1 and 1440".to_string());
        }
        let pool_size = num::<u32>("pool_size", get("pool_size", f.pool_size.map(|v| v.to_string())))?.unwrap_or(16);
        if pool_size == 0 {
            return Err("CARRIED_POOL_SIZE must be at least 1".to_string());
        }
        let turnout_min =
            num::<f64>("turnout_threshold", get("turnout_threshold", f.turnout_threshold.map(|v| v.to_string())))?
                .unwrap_or(0.5);
        let yes_of_eligible_min =
            num::<f64>("yes_threshold", get("yes_threshold", f.yes_threshold.map(|v| v.to_string())))?.unwrap_or(0.4);
        for (name, v) in [("CARRIED_TURNOUT_THRESHOLD", turnout_min), ("CARRIED_YES_THRESHOLD", yes_of_eligible_min)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be a fraction between 0 and 1, got {v}"));
            }
        }
        let argon2_memory_kib =
            num::<u32>("argon2_memory_kib", get("argon2_memory_kib", f.argon2_memory_kib.map(|v| v.to_string())))?
                .unwrap_or(OWASP_ARGON2_MEMORY_KIB);
        if argon2_memory_kib < 1024 {
            return Err("CARRIED_ARGON2_MEMORY_KIB must be at least 1024 (OWASP recommends 19456)".to_string());
        }
        let login_rate_per_minute = num::<u32>(
            "login_rate_per_minute",
            get("login_rate_per_minute", f.login_rate_per_minute.map(|v| v.to_string())),
        )?
        .unwrap_or(10);
        let mail_sender = match get("mail_sender", f.mail_sender.map(|v| v.to_string())).as_deref() {
            None | Some("true") | Some("1") | Some("yes") => true,
            Some("false") | Some("0") | Some("no") => false,
            Some(other) => return Err(format!("CARRIED_MAIL_SENDER: {other:?} is not true or false")),
        };
        let keys_file = get("keys_file", f.keys_file).map(PathBuf::from).unwrap_or_else(|| data_dir.join("keys.json"));
        let trusted_proxies = parse_proxies(get("trusted_proxies", f.trusted_proxies).as_deref().unwrap_or(""))?;
        let login_limit_per_address = num::<u32>(
            "login_limit_per_address",
            get("login_limit_per_address", f.login_limit_per_address.map(|v| v.to_string())),
        )?
        .unwrap_or(1000);
        let login_free_failures = num::<u32>(
            "login_free_failures",
            get("login_free_failures", f.login_free_failures.map(|v| v.to_string())),
        )?
        .unwrap_or(5);
        let login_max_delay_seconds = num::<u64>(
            "login_max_delay_seconds",
            get("login_max_delay_seconds", f.login_max_delay_seconds.map(|v| v.to_string())),
        )?
        .unwrap_or(60);
        if login_limit_per_address == 0 || login_max_delay_seconds == 0 || login_max_delay_seconds > 3600 {
            return Err("CARRIED_LOGIN_LIMIT_PER_ADDRESS must be at least 1 and CARRIED_LOGIN_MAX_DELAY_SECONDS \
                        between 1 and 3600"
                .to_string());
        }
        let session_max_hours =
            num::<i64>("session_max_hours", get("session_max_hours", f.session_max_hours.map(|v| v.to_string())))?
                .unwrap_or(12);
        if !(1..=168).contains(&session_max_hours) {
            return Err("CARRIED_SESSION_MAX_HOURS must be between 1 and 168".to_string());
        }
        let max_streams =
            num::<usize>("max_streams", get("max_streams", f.max_streams.map(|v| v.to_string())))?.unwrap_or(5000);
        let max_streams_per_address = num::<usize>(
            "max_streams_per_address",
            get("max_streams_per_address", f.max_streams_per_address.map(|v| v.to_string())),
        )?
        .unwrap_or(500);
        let body_timeout_seconds = num::<u64>(
            "body_timeout_seconds",
            get("body_timeout_seconds", f.body_timeout_seconds.map(|v| v.to_string())),
        )?
        .unwrap_or(20);
        if max_streams == 0 || max_streams_per_address == 0 || !(1..=600).contains(&body_timeout_seconds) {
            return Err("CARRIED_MAX_STREAMS and CARRIED_MAX_STREAMS_PER_ADDRESS must be at least 1, \
                        CARRIED_BODY_TIMEOUT_SECONDS between 1 and 600"
                .to_string());
        }
        let smtp_connections =
            num::<u32>("smtp_connections", get("smtp_connections", f.smtp_connections.map(|v| v.to_string())))?
                .unwrap_or(8);
        if !(1..=256).contains(&smtp_connections) {
            return Err("CARRIED_SMTP_CONNECTIONS must be between 1 and 256".to_string());
        }
        let smtp_max_per_second = num::<f64>(
            "smtp_max_per_second",
            get("smtp_max_per_second", f.smtp_max_per_second.map(|v| v.to_string())),
        )?;
        if let Some(r) = smtp_max_per_second {
            if !(r.is_finite() && r > 0.0) {
                return Err(format!("CARRIED_SMTP_MAX_PER_SECOND must be a positive number of messages, got {r}"));
            }
        }
        let mail_lease_seconds =
            num::<i64>("mail_lease_seconds", get("mail_lease_seconds", f.mail_lease_seconds.map(|v| v.to_string())))?
                .unwrap_or(60);
        if !(3..=3600).contains(&mail_lease_seconds) {
            return Err("CARRIED_MAIL_LEASE_SECONDS must be between 3 and 3600".to_string());
        }
        Ok(Settings {
            keys_file,
            trusted_proxies,
            login_limit_per_address,
            login_free_failures,
            login_max_delay_seconds,
            session_max_hours,
            max_streams,
            max_streams_per_address,
            body_timeout_seconds,
            bind,
            data_dir,
            database,
            public_url,
            jwt_secret: get("jwt_secret", f.jwt_secret),
            smtp_url,
            mail_from,
            token_ttl_minutes,
            pool_size,
            thresholds: ThresholdSettings { turnout_min, yes_of_eligible_min },
            argon2_memory_kib,
            login_rate_per_minute,
            mail_sender,
            smtp_connections,
            smtp_max_per_second,
            mail_lease_seconds,
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

/// `10.0.0.1, 10.1.0.0/16, ::1` → networks (a bare address is a single-address network).
fn parse_proxies(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("CARRIED_TRUSTED_PROXIES: {s:?} is not an address or a network like 10.0.0.0/8"))
        })
        .collect()
}

fn read_file(path: &Path) -> Result<FileSettings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_sqlite_in_data_dir_on_8080() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database, DatabaseUrl::Sqlite(PathBuf::from("./data/carried.db")));
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.mail_from, "carried@localhost");
        assert_eq!(s.argon2_memory_kib, OWASP_ARGON2_MEMORY_KIB);
        assert!(s.smtp_url.is_none());
    }

    #[test]
    fn postgres_url_selects_postgres_and_is_redacted() {
        let s = settings(&[("CARRIED_DATABASE_URL", "postgres://carried:hunter2@db/carried")]).expect("valid");
        assert_eq!(s.database.backend(), "postgres");
        assert_eq!(s.database.redacted(), "postgres://carried:***@db/carried");
    }

    #[test]
    fn bad_values_are_named() {
        let e = settings(&[("CARRIED_BIND", "nowhere")]).expect_err("bad bind");
        assert!(e.contains("CARRIED_BIND"), "{e}");
        let e = settings(&[("CARRIED_DATABASE_URL", "mysql://x")]).expect_err("bad url");
        assert!(e.contains("CARRIED_DATABASE_URL"), "{e}");
        let e = settings(&[("CARRIED_POOL_SIZE", "lots")]).expect_err("bad number");
        assert!(e.contains("CARRIED_POOL_SIZE"), "{e}");
        let e = settings(&[("CARRIED_SMTP_URL", "http://x")]).expect_err("bad smtp");
        assert!(e.contains("CARRIED_SMTP_URL"), "{e}");
        let e = settings(&[("CARRIED_SMTP_MAX_PER_SECOND", "-3")]).expect_err("bad rate");
        assert!(e.contains("CARRIED_SMTP_MAX_PER_SECOND"), "{e}");
        let e = settings(&[("CARRIED_SMTP_CONNECTIONS", "0")]).expect_err("no connections");
        assert!(e.contains("CARRIED_SMTP_CONNECTIONS"), "{e}");
        let s = settings(&[("CARRIED_SMTP_MAX_PER_SECOND", "14"), ("CARRIED_SMTP_CONNECTIONS", "4")]).expect("valid");
        assert_eq!((s.smtp_max_per_second, s.smtp_connections), (Some(14.0), 4));
        let e = settings(&[("CARRIED_TURNOUT_THRESHOLD", "1.5")]).expect_err("bad fraction");
        assert!(e.contains("CARRIED_TURNOUT_THRESHOLD"), "{e}");
    }

    #[test]
    fn trusted_proxies_and_session_limits_are_read_and_checked() {
        let s = settings(&[("CARRIED_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16 ,::1")]).expect("valid");
        assert_eq!(s.trusted_proxies.len(), 3);
        assert!(s.trusted_proxies[1].contains(&"192.168.4.5".parse::<std::net::IpAddr>().expect("ip")));
        assert_eq!(s.keys_file, PathBuf::from("./data/keys.json"));
        assert_eq!(s.session_max_hours, 12);
        let e = settings(&[("CARRIED_TRUSTED_PROXIES", "proxy.example.org")]).expect_err("names are refused");
        assert!(e.contains("CARRIED_TRUSTED_PROXIES"), "{e}");
        let e = settings(&[("CARRIED_SESSION_MAX_HOURS", "0")]).expect_err("zero hours");
        assert!(e.contains("CARRIED_SESSION_MAX_HOURS"), "{e}");
    }

    #[test]
    fn public_url_follows_bind_and_loses_trailing_slash() {
        let s = settings(&[("CARRIED_BIND", "0.0.0.0:9000")]).expect("valid");
        assert_eq!(s.public_url, "http://0.0.0.0:9000");
        let s = settings(&[("CARRIED_PUBLIC_URL", "https://vote.example.org/")]).expect("valid");
        assert_eq!(s.public_url, "https://vote.example.org");
    }
}
