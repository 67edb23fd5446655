//! SMTP connections kept open and reused by the mail sender, with Nagle's algorithm off.
//!
//! lettre writes a message's content and the closing `<CRLF>.<CRLF>` as two separate writes. With Nagle's
//! algorithm on (the default), the second write waits until the first is acknowledged, and a relay that
//! delays its acknowledgement (Linux: up to 40 ms) while it waits for the end of the message makes every
//! message take that long: about 25 messages a second per connection, whatever the relay could do. So for
//! `smtp://` URLs (plain, or upgraded with STARTTLS) the sender opens its own TCP connections with
//! `TCP_NODELAY` and hands them to lettre's SMTP client; `smtps://` (TLS from the first byte) uses lettre's
//! own pooled transport.
//!
//! The URL is read as lettre reads it: `smtp://[user:password@]host[:port][/hello-name][?tls=required|opportunistic]`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;

/// STARTTLS use, as `?tls=` in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    Never,
    Opportunistic,
    Required,
}

/// Where and how to connect: parsed from `CARRIED_SMTP_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub starttls: StartTls,
    pub username: Option<String>,
    password: Option<String>,
    pub hello: Option<String>,
}

/// Parse an `smtp://` URL; None for other schemes (`smtps://` is left to lettre's transport).
pub fn parse_relay(url: &str) -> Result<Option<Relay>, String> {
    let u = url::Url::parse(url).map_err(|e| format!("CARRIED_SMTP_URL: {e}"))?;
    if u.scheme() != "smtp" {
        return Ok(None);
    }
    let host = u.host_str().ok_or("CARRIED_SMTP_URL: no host")?.trim_matches(['[', ']']).to_string();
    let tls = u.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
    let starttls = match tls.as_deref() {
        None => StartTls::Never,
        Some("required") => StartTls::Required,
        Some("opportunistic") => StartTls::Opportunistic,
        Some(other) => return Err(format!("CARRIED_SMTP_URL: tls={other} is not required or opportunistic")),
    };
    let port = u.port().unwrap_or(if starttls == StartTls::Never { 25 } else { 587 });
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|e| format!("CARRIED_SMTP_URL: {e}"))
    };
    let (username, password) = match u.password() {
        Some(p) => (Some(decode(u.username())?), Some(decode(p)?)),
        None => (None, None),
    };
    let path = u.path().trim_matches('/');
    let hello = (!path.is_empty()).then(|| path.to_string());
    Ok(Some(Relay { host, port, starttls, username, password, hello }))
}

/// A connection waiting to be reused, and since when.
struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// Reused SMTP connections to one relay. At most as many are open as sends run at once.
pub struct Direct {
    relay: Relay,
    timeout: Duration,
    idle: Mutex<Vec<Idle>>,
}

/// A connection idle for longer than this is checked with NOOP before it is used again.
const CHECK_AFTER: Duration = Duration::from_secs(5);
/// A connection idle for longer than this is closed rather than reused.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

impl Direct {
    pub fn new(relay: Relay, timeout: Duration) -> Direct {
        Direct { relay, timeout, idle: Mutex::new(Vec::new()) }
    }

    fn hello(&self) -> ClientId {
        match &self.relay.hello {
            Some(h) => ClientId::Domain(h.clone()),
            None => ClientId::default(),
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let r = &self.relay;
        let tcp = tokio::net::TcpStream::connect((r.host.as_str(), r.port))
            .await
            .map_err(|e| format!("SMTP: cannot connect to {}:{}: {e}", r.host, r.port))?;
        tcp.set_nodelay(true).map_err(|e| format!("SMTP: {e}"))?;
        let hello = self.hello();
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
            .await
            .map_err(|e| format!("SMTP: {e}"))?;
        let wants_tls = r.starttls != StartTls::Never;
        if wants_tls && (conn.can_starttls() || r.starttls == StartTls::Required) {
            let params = TlsParameters::new(r.host.clone()).map_err(|e| format!("SMTP TLS: {e}"))?;
            conn.starttls(params, &hello).await.map_err(|e| format!("SMTP STARTTLS: {e}"))?;
        }
        if let (Some(user), Some(password)) = (&r.username, &r.password) {
            let credentials = Credentials::new(user.clone(), password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .await
                .map_err(|e| format!("SMTP authentication: {e}"))?;
        }
        Ok(conn)
    }

    /// A connection to use: an idle one that still answers, or a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, String> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(mut idle) = idle else { break };
            let age = idle.since.elapsed();
            if age > IDLE_LIMIT || idle.conn.has_broken() {
                idle.conn.abort().await;
                continue;
            }
            if age > CHECK_AFTER && !idle.conn.test_connected().await {
                idle.conn.abort().await;
                continue;
            }
            return Ok(idle.conn);
        }
        self.connect().await
    }

    /// Hand one message to the relay. Ok means the relay answered 250 to its end.
    pub async fn send(&self, msg: &Message) -> Result<(), String> {
        let mut conn = tokio::time::timeout(self.timeout, self.checkout())
            .await
            .map_err(|_| "SMTP: timed out connecting".to_string())??;
        let body = msg.formatted();
        match tokio::time::timeout(self.timeout, conn.send(msg.envelope(), &body)).await {
            Ok(Ok(_)) => {
                self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(Idle { conn, since: Instant::now() });
                Ok(())
            }
            Ok(Err(e)) => {
                // The relay refused this message (or the connection failed): do not reuse the connection
                // in an unknown state.
                conn.abort().await;
                Err(format!("SMTP: {e}"))
            }
            Err(_) => {
                conn.abort().await;
                Err("SMTP: timed out".to_string())
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_as_lettre_reads_them() {
        let r = parse_relay("smtp://127.0.0.1:2525").unwrap().unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.starttls, r.username.as_deref()),
            ("127.0.0.1", 2525, StartTls::Never, None)
        );
        let r = parse_relay("smtp://carried%40x.org:p%40ss@relay.example.org/vote.example.org?tls=required")
            .unwrap()
            .unwrap();
        assert_eq!((r.host.as_str(), r.port, r.starttls), ("relay.example.org", 587, StartTls::Required));
        assert_eq!((r.username.as_deref(), r.password.as_deref()), (Some("carried@x.org"), Some("p@ss")));
        assert_eq!(r.hello.as_deref(), Some("vote.example.org"));
        assert_eq!(parse_relay("smtp://relay?tls=opportunistic").unwrap().unwrap().starttls, StartTls::Opportunistic);
        assert_eq!(parse_relay("smtp://relay").unwrap().unwrap().port, 25);
        assert!(parse_relay("smtps://relay").unwrap().is_none(), "implicit TLS is left to lettre");
        assert!(parse_relay("smtp://relay?tls=maybe").unwrap_err().contains("tls=maybe"));
        assert!(parse_relay("not a url").is_err());
    }
}
