//! Accounts and sign-in: roles, argon2id password hashes (re-hashed when weaker than current settings),
//! short-lived HS256 tokens with a `kid` so the key can rotate and a session generation so signing out
//! ends them, one-time set-password links, and the keys (kept in the key file, never the database).

use crate::text_enum;
use std::collections::HashMap;
use std::fmt;

use argon2::{Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use hmac::Mac;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::db::schema::users;
use crate::db::{self, DbConnection};
use crate::domain::{EmailAddress, NameError, PersonName};
use crate::error::{AppError, AppResult, ErrorCode};

text_enum! {
    /// What a user may do. A user may hold several roles.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    pub enum Role ("role", loose, err = role_error -> String) {
        Admin = "admin",
        Chair = "chair",
        Officer = "officer",
        Representative = "representative",
        Member = "member",
        Scrutineer = "scrutineer",
        /// Holds a key of an end-to-end ballot (docs/e2e.md): uploads its public key, later a partial decryption.
        Trustee = "trustee",
    }
}

fn role_error(e: crate::text_enum::UnknownName) -> String {
    let s = e.given;
    format!("unknown role {s:?}: use one of admin, chair, officer, representative, member, scrutineer, trustee")
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

/// The service's secrets, read from the key file (never from the database: `services::keystore`).
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

fn decode_hex32(s: &str, what: &str) -> AppResult<Vec<u8>> {
    hex::decode(s).map_err(|_| AppError::internal_msg(format!("the {what} key is not hex")))
}

impl Keys {
    /// The keys of the key file at `path` (moving them out of an old database, or creating them, on first
    /// start); `jwt_override` (CARRIED_JWT_SECRET) pins the token key from outside.
    pub fn load(conn: &mut DbConnection, path: &std::path::Path, jwt_override: Option<&str>) -> Result<Keys, String> {
        let file = crate::services::keystore::load_or_create(conn, path)?;
        Keys::from_file(&file, jwt_override).map_err(|e| e.to_string())
    }

    pub fn from_file(file: &crate::services::keystore::KeyFile, jwt_override: Option<&str>) -> AppResult<Keys> {
        let mut jwt = HashMap::new();
        for (kid, secret) in &file.token_keys {
            jwt.insert(kid.clone(), decode_hex32(secret, "token")?);
        }
        let mut current_kid = file.current_token_kid.clone();
        if let Some(secret) = jwt_override {
            let kid = format!("env-{}", &hex::encode(Sha256::digest(secret.as_bytes()))[..8]);
            jwt.insert(kid.clone(), secret.as_bytes().to_vec());
            current_kid = kid;
        }
        let code_key = decode_hex32(&file.voting_code_key, "voting code")?;
        let signing = decode_hex32(&file.record_signing_key, "signing")?;
        let signing_key: [u8; 32] =
            signing.try_into().map_err(|_| AppError::internal_msg("the signing key is not 32 bytes"))?;
        Ok(Keys { jwt, current_kid, code_key, signing_key })
    }

    /// The key for set-password links, derived from the voting-code key (so it too lives only in the
    /// key file) under its own label.
    pub fn link_key(&self) -> Vec<u8> {
        hmac_parts(&self.code_key, &[b"carried set-password links v1"]).to_vec()
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

fn hmac_parts(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts a key of any length, so this never falls back.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else { return [0; 32] };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

// ---- tokens ----------------------------------------------------------------------------------------

pub const ISSUER: &str = "carried";
pub const AUDIENCE: &str = "carried-api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    /// Not valid before (enforced).
    pub nbf: i64,
    pub exp: i64,
    /// When the user signed in: renewal never takes a session past this plus the deployment's cap.
    pub auth_time: i64,
    /// The user's session generation when the token was issued; signing out or a new password raises the
    /// generation and so ends every older token.
    pub sgen: i64,
}

pub struct TokenService {
    keys: Keys,
    ttl_minutes: i64,
    max_session_hours: i64,
}

/// How far ahead of the issuing time a token's expiry may lie beyond its lifetime (clock leeway).
const LEEWAY_SECONDS: i64 = 5;

impl TokenService {
    pub fn new(keys: Keys, ttl_minutes: i64) -> Self {
        TokenService { keys, ttl_minutes, max_session_hours: 12 }
    }

    /// Sessions are renewed while in use up to `hours` after signing in.
    pub fn with_session_cap(mut self, hours: i64) -> Self {
        self.max_session_hours = hours;
        self
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// A new session for a user who has just signed in.
    pub fn issue(&self, user_id: i64) -> AppResult<(String, DateTime<Utc>)> {
        self.issue_session(user_id, 0, Utc::now().timestamp())
    }

    /// A token for session generation `sgen` of a session that began at `auth_time` (unix seconds). Its
    /// expiry is the token lifetime from now, but never past the session cap.
    pub fn issue_session(&self, user_id: i64, sgen: i64, auth_time: i64) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let cap = auth_time + self.max_session_hours * 3600;
        let exp = (now + chrono::Duration::minutes(self.ttl_minutes)).timestamp().min(cap);
        if exp <= now.timestamp() {
            return Err(AppError::new(
                ErrorCode::TokenExpired,
                format!("this session has reached its {} hour limit: sign in again", self.max_session_hours),
            ));
        }
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp,
            auth_time,
            sgen,
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
        let exp = DateTime::from_timestamp(exp, 0).unwrap_or(now);
        Ok((token, exp))
    }

    /// The user id in a valid token.
    pub fn verify(&self, token: &str) -> AppResult<i64> {
        self.verify_claims(token).map(|(id, _)| id)
    }

    /// The user id and claims of a valid token. Only HS256 is accepted (so "alg": "none" and key confusion
    /// fail), the key is chosen by `kid`; `exp`, `nbf`, `iss` and `aud` are enforced, and an expiry further
    /// ahead than a token's lifetime (a forged long-lived token) is refused.
    pub fn verify_claims(&self, token: &str) -> AppResult<(i64, Claims)> {
        let invalid =
            |why: &str| AppError::new(ErrorCode::InvalidToken, format!("the bearer token is not valid: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid("wrong algorithm"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
        let secret = self.keys.jwt.get(&kid).ok_or_else(|| invalid("unknown key id"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS as u64;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).map_err(
            |e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    AppError::new(ErrorCode::TokenExpired, "the bearer token has expired: sign in again")
                }
                jsonwebtoken::errors::ErrorKind::ImmatureSignature => invalid("not valid yet"),
                _ => invalid("signature or claims do not check out"),
            },
        )?;
        let c = data.claims;
        let now = Utc::now().timestamp();
        if c.exp > now + self.ttl_minutes * 60 + LEEWAY_SECONDS || c.exp - c.iat > self.ttl_minutes * 60 {
            return Err(invalid("it expires later than any token this service issues"));
        }
        if c.iat > now + LEEWAY_SECONDS || c.auth_time > c.iat {
            return Err(invalid("issued in the future"));
        }
        if c.exp > c.auth_time + self.max_session_hours * 3600 {
            return Err(invalid("it outlives the session limit"));
        }
        let id = c.sub.parse::<i64>().map_err(|_| invalid("bad subject"))?;
        Ok((id, c))
    }
}

// ---- users -----------------------------------------------------------------------------------------

/// One row of `users`, as the signed-in [`User`] needs it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    password_hash: Option<String>,
    roles: String,
}

/// The user of a row. A stored role this version does not know is a load error, never dropped.
fn user_from_row(r: &UserRow) -> AppResult<User> {
    let roles = r
        .roles
        .split(',')
        .filter(|w| !w.is_empty())
        .map(|w| Role::parse_word(w).map_err(AppError::internal))
        .collect::<AppResult<Vec<Role>>>()?;
    Ok(User { id: r.id, email: r.email.clone(), name: r.name.clone(), roles })
}

pub fn find_active_user(conn: &mut DbConnection, id: i64) -> AppResult<Option<User>> {
    let row = users::table
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.as_ref().map(user_from_row).transpose()
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> AppResult<Option<User>> {
    let row = users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.as_ref().map(user_from_row).transpose()
}

pub fn count_admins(conn: &mut DbConnection) -> AppResult<i64> {
    let all: Vec<String> = users::table.filter(users::active.eq(true)).select(users::roles).load(conn)?;
    Ok(all.iter().filter(|r| roles_from_text(r).contains(&Role::Admin)).count() as i64)
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: PersonName,
    pub roles: Vec<Role>,
}

/// `email` as an account's address ([`EmailAddress`]: the same strict rule as the electoral roll), or a
/// 400 naming the problem.
pub fn validate_email(email: &str) -> AppResult<EmailAddress> {
    EmailAddress::parse(email)
        .map_err(|why| AppError::validation(format!("email: {:?} is not an email address: {why}", email.trim())))
}

/// `name` as a person's name ([`PersonName`]: the same rule as the electoral roll), or a 400 naming
/// `field`.
pub fn validate_name(name: &str, field: &str) -> AppResult<PersonName> {
    PersonName::parse(name).map_err(|why| match why {
        NameError::Empty | NameError::TooLong => AppError::validation(format!("{field}: give 1 to 200 characters")),
        NameError::ForbiddenCharacter => {
            AppError::validation(format!("{field}: must not contain control characters or line breaks"))
        }
    })
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
            users::email.eq(new.email.as_str()),
            users::name.eq(new.name.as_str()),
            users::password_hash.eq(password_hash),
            users::roles.eq(roles_to_text(&new.roles)),
            users::active.eq(true),
            users::created_at.eq(db::now()),
        ))
        .returning(users::id)
        .get_result::<i64>(conn);
    match result {
        Ok(id) => Ok(User { id, email: new.email.to_string(), name: new.name.to_string(), roles: new.roles.clone() }),
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
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| Ok((user_from_row(&r)?, r.password_hash))).transpose()
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
    let rows =
        users::table.filter(users::active.eq(true)).order(users::id.asc()).select(UserRow::as_select()).load(conn)?;
    rows.iter().map(user_from_row).collect()
}

// ---- sessions ----------------------------------------------------------------------------------------

/// The active user and their current session generation (tokens of an older generation are refused).
pub fn session_user(conn: &mut DbConnection, id: i64) -> AppResult<Option<(User, i64)>> {
    let row = users::table
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select((UserRow::as_select(), users::session_generation))
        .first::<(UserRow, i64)>(conn)
        .optional()?;
    row.map(|(r, g)| Ok((user_from_row(&r)?, g))).transpose()
}

/// The user's current session generation (0 for a user who never signed out).
pub fn session_generation(conn: &mut DbConnection, id: i64) -> AppResult<i64> {
    Ok(users::table.filter(users::id.eq(id)).select(users::session_generation).first::<i64>(conn)?)
}

/// End every session of the user: tokens issued before this call stop working at once.
pub fn end_sessions(conn: &mut DbConnection, user_id: i64) -> AppResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set(users::session_generation.eq(users::session_generation + 1))
        .execute(conn)?;
    Ok(())
}

// ---- one-time set-password links ------------------------------------------------------------------

pub const SET_PASSWORD_HOURS: i64 = 72;

/// Stands in the body of a queued set-password mail for the link's token, which is derived when the mail
/// is sent (so neither the outbox nor the database ever holds a usable link).
pub const LINK_TOKEN_PLACEHOLDER: &str = "{set-password-token}";

fn link_mac(link_key: &[u8], user_id: i64, generation: i64) -> [u8; 32] {
    hmac_parts(link_key, &[b"set-password", &user_id.to_be_bytes(), &generation.to_be_bytes()])
}

/// The token of link number `generation` for `user_id`: hex of (user id, generation, 16 bytes of MAC).
pub fn link_token(link_key: &[u8], user_id: i64, generation: i64) -> String {
    let mac = link_mac(link_key, user_id, generation);
    let mut b = Vec::with_capacity(32);
    b.extend_from_slice(&user_id.to_be_bytes());
    b.extend_from_slice(&generation.to_be_bytes());
    b.extend_from_slice(&mac[..16]);
    hex::encode(b)
}

/// Start a new set-password link for `user_id`, valid 72 hours; any older link stops working. Nothing
/// stored is the link: it is derived from the link key (in the key file) when the mail is sent.
pub fn issue_password_link(conn: &mut DbConnection, user_id: i64) -> AppResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set((
            users::link_generation.eq(users::link_generation + 1),
            users::link_expires_at.eq(Some(db::now() + chrono::Duration::hours(SET_PASSWORD_HOURS))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Start a new link and return what a queued mail's body carries in its place (filled in at send time).
pub fn issue_password_token(conn: &mut DbConnection, user_id: i64) -> AppResult<String> {
    issue_password_link(conn, user_id)?;
    Ok(LINK_TOKEN_PLACEHOLDER.to_string())
}

/// The body of a queued set-password mail with its link filled in for the user's current link.
pub fn render_link(conn: &mut DbConnection, link_key: &[u8], email: &str, body: &str) -> AppResult<Option<String>> {
    if !body.contains(LINK_TOKEN_PLACEHOLDER) {
        return Ok(None);
    }
    let row: Option<(i64, i64)> = users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select((users::id, users::link_generation))
        .first(conn)
        .optional()?;
    let Some((id, generation)) = row else { return Ok(None) };
    Ok(Some(body.replace(LINK_TOKEN_PLACEHOLDER, &link_token(link_key, id, generation))))
}

fn link_invalid() -> AppError {
    AppError::new(
        ErrorCode::InvalidToken,
        "this link is not valid, has been used, has expired or was replaced by a newer one; ask for a new one",
    )
}

/// Check a set-password token against the user's current, unexpired link (cheap: one MAC and one read;
/// called before any password hashing). Returns the user id and the link's generation.
pub fn check_password_link(conn: &mut DbConnection, link_key: &[u8], token: &str) -> AppResult<(i64, i64)> {
    let bytes = hex::decode(token.trim()).map_err(|_| link_invalid())?;
    if bytes.len() != 32 {
        return Err(link_invalid());
    }
    let id = i64::from_be_bytes(bytes[0..8].try_into().map_err(|_| link_invalid())?);
    let generation = i64::from_be_bytes(bytes[8..16].try_into().map_err(|_| link_invalid())?);
    let expected = link_mac(link_key, id, generation);
    if !bool::from(expected[..16].ct_eq(&bytes[16..32])) {
        return Err(link_invalid());
    }
    let row: Option<(i64, Option<chrono::NaiveDateTime>, bool)> = users::table
        .filter(users::id.eq(id))
        .select((users::link_generation, users::link_expires_at, users::active))
        .first(conn)
        .optional()?;
    match row {
        Some((current, Some(expires), true)) if current == generation && expires > db::now() => Ok((id, generation)),
        _ => Err(link_invalid()),
    }
}

/// Spend a set-password link and set the user's password hash, in the caller's write transaction. The
/// link works once, before it expires, and only while no newer link was sent; every session of the user
/// ends (a password reset signs out every device).
pub fn use_password_link(conn: &mut DbConnection, link_key: &[u8], token: &str, hash: &str) -> AppResult<User> {
    let (id, generation) = check_password_link(conn, link_key, token)?;
    let spent = diesel::update(users::table.filter(users::id.eq(id)).filter(users::link_generation.eq(generation)))
        .set((
            users::link_generation.eq(generation + 1),
            users::link_expires_at.eq(None::<chrono::NaiveDateTime>),
            users::password_hash.eq(hash),
            users::session_generation.eq(users::session_generation + 1),
            // The link reached the holder of the address: from now on this account may vote signed in.
            users::email_proven.eq(true),
        ))
        .execute(conn)?;
    if spent != 1 {
        return Err(link_invalid());
    }
    find_active_user(conn, id)?.ok_or_else(link_invalid)
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
#[path = "auth_tests.rs"]
mod tests;
