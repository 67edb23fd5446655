//! Accounts and sign-in: roles, argon2id password hashes (re-hashed when weaker than current settings),
//! short-lived HS256 tokens with a `kid` so the key can rotate, and the keys kept in the database.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use argon2::{Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::schema::{service_keys, users};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};

/// What a user may do. A user may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Chair,
    Officer,
    Representative,
    Member,
    Scrutineer,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Chair, Role::Officer, Role::Representative, Role::Member, Role::Scrutineer];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Chair => "chair",
            Role::Officer => "officer",
            Role::Representative => "representative",
            Role::Member => "member",
            Role::Scrutineer => "scrutineer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_ascii_lowercase()).ok_or_else(|| {
            format!("unknown role {s:?}: use one of admin, chair, officer, representative, member, scrutineer")
        })
    }
}

pub fn roles_to_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub fn roles_from_text(text: &str) -> Vec<Role> {
    text.split(',').filter_map(|r| r.parse().ok()).collect()
}

/// A signed-in user as the handlers see them.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

// ---- passwords -------------------------------------------------------------------------------------

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Clone, Copy, Debug)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
}

impl PasswordPolicy {
    fn params(&self) -> AppResult<Params> {
        Params::new(self.memory_kib, 2, 1, None).map_err(|e| AppError::internal_msg(format!("argon2 params: {e}")))
    }

    pub fn check_strength(password: &str) -> AppResult<()> {
        let n = password.chars().count();
        if n < MIN_PASSWORD_LEN {
            return Err(AppError::validation(format!("password: use at least {MIN_PASSWORD_LEN} characters")));
        }
        if password.len() > MAX_PASSWORD_LEN {
            return Err(AppError::validation(format!("password: at most {MAX_PASSWORD_LEN} bytes")));
        }
        Ok(())
    }

    /// argon2id hash in PHC string form. CPU-heavy: call from a blocking thread.
    pub fn hash(&self, password: &str) -> AppResult<String> {
        let argon = Argon2::from(self.params()?);
        argon
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal_msg(format!("argon2 hash: {e}")))
    }

    /// Check a password; `Ok(Some(new_hash))` when it matches but the stored hash is weaker than the policy.
    pub fn verify(&self, password: &str, stored: &str) -> AppResult<Option<Option<String>>> {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return Ok(None);
        };
        if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
            return Ok(None);
        }
        let weaker = match Params::try_from(&parsed) {
            Ok(p) => p.m_cost() < self.memory_kib || p.t_cost() < 2 || parsed.algorithm.as_str() != "argon2id",
            Err(_) => true,
        };
        Ok(Some(if weaker { Some(self.hash(password)?) } else { None }))
    }
}

/// Runs an argon2 hash once over a dummy password so a login for an unknown email takes as long as one
/// for a known email (no user enumeration by timing).
pub fn burn_equal_time(policy: &PasswordPolicy) {
    let _ = policy.hash("carried-dummy-password-for-timing");
}

// ---- keys ------------------------------------------------------------------------------------------

/// Secrets the service keeps in its database, so that several instances on one PostgreSQL share them.
#[derive(Clone)]
pub struct Keys {
    /// kid -> HS256 secret; `current_kid` signs, all verify (rotation keeps the previous key for a while).
    jwt: HashMap<String, Vec<u8>>,
    current_kid: String,
    /// HMAC key for voting codes (codes are stored only as keyed hashes).
    pub code_key: Vec<u8>,
    /// ed25519 secret key (32 bytes) that signs published ballot records.
    pub signing_key: [u8; 32],
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").field("current_kid", &self.current_kid).finish_non_exhaustive()
    }
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Return the stored secret for `purpose`, creating key "k1" the first time (race-safe across instances).
fn key_for(conn: &mut DbConnection, purpose: &str) -> AppResult<Vec<(String, String)>> {
    let load = |conn: &mut DbConnection| {
        service_keys::table
            .filter(service_keys::purpose.eq(purpose))
            .order(service_keys::created_at.desc())
            .select((service_keys::kid, service_keys::secret))
            .load::<(String, String)>(conn)
    };
    let existing = load(conn)?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    let inserted = diesel::insert_into(service_keys::table)
        .values((
            service_keys::purpose.eq(purpose),
            service_keys::kid.eq("k1"),
            service_keys::secret.eq(random_hex(32)),
            service_keys::created_at.eq(db::now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(load(conn)?)
        }
        Err(e) => Err(e.into()),
    }
}

fn decode_hex32(s: &str, what: &str) -> AppResult<Vec<u8>> {
    hex::decode(s).map_err(|_| AppError::internal_msg(format!("stored {what} key is not hex")))
}

impl Keys {
    pub fn load(conn: &mut DbConnection, jwt_override: Option<&str>) -> AppResult<Keys> {
        let mut jwt = HashMap::new();
        let stored = key_for(conn, "jwt")?;
        let mut current_kid = stored.first().map(|(k, _)| k.clone()).unwrap_or_else(|| "k1".into());
        for (kid, secret) in &stored {
            jwt.insert(kid.clone(), decode_hex32(secret, "jwt")?);
        }
        if let Some(secret) = jwt_override {
            let kid = format!("env-{}", &hex::encode(Sha256::digest(secret.as_bytes()))[..8]);
            jwt.insert(kid.clone(), secret.as_bytes().to_vec());
            current_kid = kid;
        }
        let code_key = decode_hex32(&key_for(conn, "voting_code")?.remove(0).1, "voting code")?;
        let signing = decode_hex32(&key_for(conn, "record_signing")?.remove(0).1, "signing")?;
        let signing_key: [u8; 32] =
            signing.try_into().map_err(|_| AppError::internal_msg("stored signing key is not 32 bytes"))?;
        Ok(Keys { jwt, current_kid, code_key, signing_key })
    }
}

/// Add a new token key and make it current; tokens signed with older keys stay valid until they expire.
pub fn rotate_jwt_key(conn: &mut DbConnection) -> AppResult<String> {
    let kid = format!("k{}", chrono::Utc::now().timestamp());
    diesel::insert_into(service_keys::table)
        .values((
            service_keys::purpose.eq("jwt"),
            service_keys::kid.eq(&kid),
            service_keys::secret.eq(random_hex(32)),
            service_keys::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(kid)
}

// ---- tokens ----------------------------------------------------------------------------------------

pub const ISSUER: &str = "carried";
pub const AUDIENCE: &str = "carried-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenService {
    keys: Keys,
    ttl_minutes: i64,
}

impl TokenService {
    pub fn new(keys: Keys, ttl_minutes: i64) -> Self {
        TokenService { keys, ttl_minutes }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn issue(&self, user_id: i64) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let exp = now + chrono::Duration::minutes(self.ttl_minutes);
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.keys.current_kid.clone());
        let secret = self
            .keys
            .jwt
            .get(&self.keys.current_kid)
            .ok_or_else(|| AppError::internal_msg("current token key missing"))?;
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret))
            .map_err(|e| AppError::internal_msg(format!("token encoding: {e}")))?;
        Ok((token, exp))
    }

    /// The user id in a valid token. Only HS256 is accepted (so "alg": "none" and key-confusion fail),
    /// the key is chosen by `kid`, and `exp`, `iss` and `aud` are enforced.
    pub fn verify(&self, token: &str) -> AppResult<i64> {
        let invalid =
            |why: &str| AppError::new(ErrorCode::InvalidToken, format!("the bearer token is not valid: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid("wrong algorithm"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
        let secret = self.keys.jwt.get(&kid).ok_or_else(|| invalid("unknown key id"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::new(ErrorCode::TokenExpired, "the bearer token has expired: sign in again")
                }
                _ => invalid("signature or claims do not check out"),
            },
        )?;
        data.claims.sub.parse::<i64>().map_err(|_| invalid("bad subject"))
    }
}

// ---- users -----------------------------------------------------------------------------------------

type UserRow = (i64, String, String, Option<String>, String, bool);

fn user_from_row(r: &UserRow) -> User {
    User { id: r.0, email: r.1.clone(), name: r.2.clone(), roles: roles_from_text(&r.4) }
}

fn user_columns() -> (users::id, users::email, users::name, users::password_hash, users::roles, users::active) {
    (users::id, users::email, users::name, users::password_hash, users::roles, users::active)
}

pub fn find_active_user(conn: &mut DbConnection, id: i64) -> AppResult<Option<User>> {
    let row = users::table
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select(user_columns())
        .first::<UserRow>(conn)
        .optional()?;
    Ok(row.as_ref().map(user_from_row))
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<User>> {
    let row = users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(user_columns())
        .first::<UserRow>(conn)
        .optional()?;
    Ok(row.as_ref().map(user_from_row))
}

pub fn count_admins(conn: &mut DbConnection) -> AppResult<i64> {
    let all: Vec<String> = users::table.filter(users::active.eq(true)).select(users::roles).load(conn)?;
    Ok(all.iter().filter(|r| roles_from_text(r).contains(&Role::Admin)).count() as i64)
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
}

pub fn validate_email(email: &str) -> AppResult<String> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && local.chars().all(|c| c.is_ascii_graphic() && !"<>()[]\\,;:\"@".contains(c))
        });
    if ok {
        Ok(e)
    } else {
        Err(AppError::validation(format!("email: {email:?} is not an email address")))
    }
}

pub fn validate_name(name: &str, field: &str) -> AppResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(AppError::validation(format!("{field}: give 1 to 200 characters")));
    }
    if n.chars().any(char::is_control) {
        return Err(AppError::validation(format!("{field}: must not contain control characters or line breaks")));
    }
    Ok(n.to_string())
}

impl NewUser {
    pub fn parse(email: &str, name: &str, roles: &[Role]) -> AppResult<NewUser> {
        if roles.is_empty() {
            return Err(AppError::validation("roles: give at least one role"));
        }
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        Ok(NewUser { email: validate_email(email)?, name: validate_name(name, "name")?, roles })
    }
}

/// Insert a user. `password_hash` None = the user sets a password through a one-time link.
pub fn insert_user(conn: &mut DbConnection, new: &NewUser, password_hash: Option<&str>) -> AppResult<User> {
    let result = diesel::insert_into(users::table)
        .values((
            users::email.eq(&new.email),
            users::name.eq(&new.name),
            users::password_hash.eq(password_hash),
            users::roles.eq(roles_to_text(&new.roles)),
            users::active.eq(true),
            users::created_at.eq(db::now()),
        ))
        .returning(users::id)
        .get_result::<i64>(conn);
    match result {
        Ok(id) => Ok(User { id, email: new.email.clone(), name: new.name.clone(), roles: new.roles.clone() }),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Err(AppError::conflict(format!("a user with email {} already exists", new.email)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Look up the account for a login. Returns the user and their stored hash.
pub fn login_lookup(conn: &mut DbConnection, email: &str) -> AppResult<Option<(User, Option<String>)>> {
    let row = users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .filter(users::active.eq(true))
        .select(user_columns())
        .first::<UserRow>(conn)
        .optional()?;
    Ok(row.map(|r| (user_from_row(&r), r.3.clone())))
}

pub fn set_password_hash(conn: &mut DbConnection, user_id: i64, hash: &str) -> AppResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id))).set(users::password_hash.eq(hash)).execute(conn)?;
    Ok(())
}

pub fn deactivate_user(conn: &mut DbConnection, user_id: i64) -> AppResult<bool> {
    let n = diesel::update(users::table.filter(users::id.eq(user_id))).set(users::active.eq(false)).execute(conn)?;
    Ok(n == 1)
}

pub fn list_users(conn: &mut DbConnection) -> AppResult<Vec<User>> {
    let rows = users::table
        .filter(users::active.eq(true))
        .order(users::id.asc())
        .select(user_columns())
        .load::<UserRow>(conn)?;
    Ok(rows.iter().map(user_from_row).collect())
}

// ---- one-time set-password links ------------------------------------------------------------------

pub const SET_PASSWORD_HOURS: i64 = 72;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Create a one-time token for `user_id` to set a password; only its hash is stored.
pub fn issue_password_token(conn: &mut DbConnection, user_id: i64) -> AppResult<String> {
    use crate::db::schema::password_tokens;
    let token = random_hex(24);
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::token_hash.eq(token_hash(&token)),
            password_tokens::user_id.eq(user_id),
            password_tokens::expires_at.eq(db::now() + chrono::Duration::hours(SET_PASSWORD_HOURS)),
            password_tokens::used.eq(false),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Spend a one-time token and set the user's password hash. The token works once, before it expires.
pub fn use_password_token(conn: &mut DbConnection, token: &str, hash: &str) -> AppResult<User> {
    use crate::db::schema::password_tokens;
    let h = token_hash(token);
    let row: Option<(i64, chrono::NaiveDateTime, bool)> = password_tokens::table
        .filter(password_tokens::token_hash.eq(&h))
        .select((password_tokens::user_id, password_tokens::expires_at, password_tokens::used))
        .first(conn)
        .optional()?;
    let invalid = || {
        AppError::new(
            ErrorCode::InvalidToken,
            "this link is not valid, has been used, or has expired; ask the chair for a new one",
        )
    };
    let (user_id, expires_at, used) = row.ok_or_else(invalid)?;
    if used || expires_at < db::now() {
        return Err(invalid());
    }
    let spent = diesel::update(
        password_tokens::table.filter(password_tokens::token_hash.eq(&h)).filter(password_tokens::used.eq(false)),
    )
    .set(password_tokens::used.eq(true))
    .execute(conn)?;
    if spent != 1 {
        return Err(invalid());
    }
    set_password_hash(conn, user_id, hash)?;
    // The link reached the holder of the address: from now on this account may vote signed in.
    diesel::update(users::table.filter(users::id.eq(user_id))).set(users::email_proven.eq(true)).execute(conn)?;
    find_active_user(conn, user_id)?.ok_or_else(invalid)
}

/// Whether the account's holder has proved control of its email address (by a set-password link sent to
/// it). Only such an account may vote in a ballot signed in: an admin or chair who created an account for
/// someone's address, or set its password, cannot vote as them (docs/secrecy.md).
pub fn email_proven(conn: &mut DbConnection, user_id: i64) -> AppResult<bool> {
    Ok(users::table
        .filter(users::id.eq(user_id))
        .select(users::email_proven)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl: i64) -> TokenService {
        let mut jwt = HashMap::new();
        jwt.insert("k1".to_string(), vec![7u8; 32]);
        TokenService::new(Keys { jwt, current_kid: "k1".into(), code_key: vec![1; 32], signing_key: [2; 32] }, ttl)
    }

    #[test]
    fn roles_round_trip_and_reject_unknown() {
        assert_eq!(roles_from_text(&roles_to_text(&Role::ALL)), Role::ALL.to_vec());
        assert!("president".parse::<Role>().is_err());
        assert_eq!(" Chair ".parse::<Role>(), Ok(Role::Chair));
    }

    #[test]
    fn token_round_trips_and_rejects_tampering() {
        let t = tokens(60);
        let (tok, _) = t.issue(42).expect("issue");
        assert_eq!(t.verify(&tok).expect("valid"), 42);
        let mut parts: Vec<String> = tok.split('.').map(String::from).collect();
        parts[1] = parts[1].replacen('e', "f", 1);
        let tampered = parts.join(".");
        assert_eq!(t.verify(&tampered).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
    }

    #[test]
    fn alg_none_and_unknown_kid_are_rejected() {
        let t = tokens(60);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        let claims = b64.encode(format!(
            r#"{{"sub":"1","iss":"carried","aud":"carried-api","iat":0,"exp":{}}}"#,
            Utc::now().timestamp() + 600
        ));
        assert_eq!(t.verify(&format!("{header}.{claims}.")).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
        let header = b64.encode(br#"{"alg":"HS256","typ":"JWT","kid":"k9"}"#);
        assert_eq!(t.verify(&format!("{header}.{claims}.xx")).map_err(|e| e.code), Err(ErrorCode::InvalidToken));
    }

    #[test]
    fn expired_tokens_say_so() {
        let t = tokens(60);
        let claims = Claims {
            sub: "1".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: 0,
            exp: Utc::now().timestamp() - 3600,
        };
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some("k1".into());
        let tok = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&[7u8; 32])).expect("encode");
        assert_eq!(t.verify(&tok).map_err(|e| e.code), Err(ErrorCode::TokenExpired));
    }

    #[test]
    fn weak_hashes_are_upgraded_on_verify() {
        let weak = PasswordPolicy { memory_kib: 1024 };
        let strong = PasswordPolicy { memory_kib: 4096 };
        let h = weak.hash("correct horse battery").expect("hash");
        assert_eq!(strong.verify("wrong password here", &h).expect("verify"), None);
        let upgraded = strong.verify("correct horse battery", &h).expect("verify").expect("matches").expect("rehash");
        assert!(upgraded.contains("m=4096"), "{upgraded}");
        assert_eq!(strong.verify("correct horse battery", &upgraded).expect("verify"), Some(None));
    }

    #[test]
    fn owasp_parameters_are_the_default_policy() {
        let p = PasswordPolicy { memory_kib: crate::config::OWASP_ARGON2_MEMORY_KIB }.params().expect("params");
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
    }

    #[test]
    fn emails_and_names_are_checked() {
        assert_eq!(validate_email(" GP@Example.org ").expect("ok"), "gp@example.org");
        for bad in ["", "no-at", "a@b", "a b@c.org", "a@b.org\r\nBcc: x@y.org", "<a>@b.org"] {
            assert!(validate_email(bad).is_err(), "{bad:?}");
        }
        assert!(validate_name("Dr A\r\nBcc: evil@x.org", "name").is_err());
        assert!(validate_name("  ", "name").is_err());
    }
}
