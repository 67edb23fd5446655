//! Accounts: signing in and out, setting a password with a one-time link, and an admin's work on users.
//! Handlers extract and check the caller's role; these functions own the transactions, the rate limits,
//! the argon2 work (on the blocking pool, capped by `AppState::hashing`) and the letters.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::auth::{self, NewUser, Role, User};
use crate::services::{audit_log, letters, mail, rate_limit, AppState};

fn rate_limited(what: &str, wait: u64) -> AppError {
    AppError::new(ErrorCode::RateLimited, format!("too many {what}; try again in {wait} s")).with_retry_after(wait)
}

fn login_policy(state: &AppState) -> rate_limit::LoginPolicy {
    let s = &state.settings;
    rate_limit::LoginPolicy {
        per_address: s.login_limit_per_address,
        free_failures: s.login_free_failures,
        max_delay_seconds: s.login_max_delay_seconds,
    }
}

/// Check an email and password, counting the attempt against the client's address and the account.
/// Returns the user and their session generation, or `None` for a wrong email or password (which take
/// the same time).
pub async fn sign_in(
    state: &AppState,
    address: String,
    email: String,
    password: String,
) -> AppResult<Option<(User, i64)>> {
    let account = rate_limit::account_key(&email);
    let policy = login_policy(state);
    state
        .db
        .write(move |c| {
            if rand::random::<u8>() < 4 {
                rate_limit::purge(c)?;
            }
            if let Err(wait) = rate_limit::count_address(c, &address, policy.per_address)? {
                return Ok(Err(rate_limited("sign-in attempts from your network", wait)));
            }
            if let Err(wait) = rate_limit::account_attempt(c, &account, &policy)? {
                return Ok(Err(rate_limited("wrong passwords for this account", wait)));
            }
            Ok(Ok(()))
        })
        .await??;
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let passwords = state.passwords;
    state
        .db
        .run(move |c| {
            let _permit = permit;
            let found = auth::login_lookup(c, &email)?;
            let Some((user, Some(stored))) = found else {
                auth::burn_equal_time(&passwords);
                return Ok(None);
            };
            match passwords.verify(&password, &stored)? {
                None => Ok(None),
                Some(rehash) => {
                    let account = rate_limit::account_key(&email);
                    let generation = crate::db::write_tx(c, |c| {
                        if let Some(h) = rehash {
                            auth::set_password_hash(c, user.id, &h)?;
                        }
                        rate_limit::account_succeeded(c, &account)?;
                        auth::session_generation(c, user.id)
                    })?;
                    Ok(Some((user, generation)))
                }
            }
        })
        .await
}

/// End every session of the account.
pub async fn sign_out(state: &AppState, user_id: i64) -> AppResult<()> {
    state.db.write(move |c| auth::end_sessions(c, user_id)).await
}

/// Set a password with the token of a one-time link (checked before the password is hashed).
pub async fn set_password_with_link(
    state: &AppState,
    address: String,
    token: String,
    password: String,
) -> AppResult<User> {
    let link_key = state.tokens.keys().link_key();
    let per_address = state.settings.login_limit_per_address;
    let checked_token = token.clone();
    let key = link_key.clone();
    state
        .db
        .write(move |c| {
            if let Err(wait) = rate_limit::count_address(c, &address, per_address)? {
                return Ok(Err(rate_limited("attempts to set a password from your network", wait)));
            }
            Ok(auth::check_password_link(c, &key, &checked_token).map(|_| ()))
        })
        .await??;
    auth::PasswordPolicy::check_strength(&password)?;
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let policy = state.passwords;
    state
        .db
        .run(move |c| {
            let hash = {
                let _permit = permit;
                policy.hash(&password)?
            };
            crate::db::write_tx(c, |c| auth::use_password_link(c, &link_key, &token, &hash))
        })
        .await
}

/// An admin creates an account, with a password or (without one) a one-time link by email.
pub async fn create_user(state: &AppState, actor: User, new: NewUser, password: Option<String>) -> AppResult<User> {
    if let Some(p) = &password {
        auth::PasswordPolicy::check_strength(p)?;
    }
    let permit = state.hashing.clone().acquire_owned().await.map_err(AppError::internal)?;
    let policy = state.passwords;
    let url = state.settings.public_url.clone();
    let user = state
        .db
        .run(move |c| {
            let hash = {
                let _permit = permit;
                password.as_deref().map(|p| policy.hash(p)).transpose()?
            };
            crate::db::write_tx(c, |c| {
                let user = auth::insert_user(c, &new, hash.as_deref())?;
                if hash.is_none() {
                    send_password_link(c, &user, &url, "Your account")?;
                }
                audit_log::append(
                    c,
                    &actor.email,
                    audit_log::AuditAction::UserCreate,
                    &format!("user {}", user.id),
                    serde_json::json!({"email": user.email, "roles": user.roles, "link_sent": hash.is_none()}),
                )?;
                Ok(user)
            })
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(user)
}

/// Email a user a new one-time link to set their password (an admin to anyone; a chair only to a
/// representative). Earlier links keep working until used or expired.
pub async fn resend_password_link(state: &AppState, actor: User, user_id: i64) -> AppResult<()> {
    let url = state.settings.public_url.clone();
    state
        .db
        .write(move |c| {
            let user =
                auth::find_active_user(c, user_id)?.ok_or_else(|| AppError::not_found(format!("no user {user_id}")))?;
            if !actor.has(Role::Admin) && !user.roles.iter().all(|r| *r == Role::Representative) {
                return Err(AppError::forbidden("a chair may send links only to representatives"));
            }
            send_password_link(c, &user, &url, "A new link")?;
            audit_log::append(
                c,
                &actor.email,
                audit_log::AuditAction::UserPasswordLink,
                &format!("user {user_id}"),
                serde_json::json!({}),
            )
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// An admin disables an account: its tokens stop working at once. 404 if there is no such active account.
pub async fn disable_user(state: &AppState, actor: User, user_id: i64) -> AppResult<()> {
    let found = state
        .db
        .write(move |c| {
            let found = auth::deactivate_user(c, user_id)?;
            if found {
                audit_log::append(
                    c,
                    &actor.email,
                    audit_log::AuditAction::UserDisable,
                    &format!("user {user_id}"),
                    serde_json::json!({}),
                )?;
            }
            Ok(found)
        })
        .await?;
    if found {
        Ok(())
    } else {
        Err(AppError::not_found(format!("no user {user_id}")))
    }
}

/// Queue the one-time link to set a password (valid 72 hours), inside the caller's transaction.
fn send_password_link(c: &mut crate::db::DbConnection, user: &User, public_url: &str, subject: &str) -> AppResult<()> {
    let token = auth::issue_password_token(c, user.id)?;
    let letter = letters::set_password(&user.name, public_url, &token, subject);
    mail::enqueue(
        c,
        &mail::Outgoing {
            kind: mail::MailKind::SetPassword,
            to_addr: user.email.clone(),
            to_name: user.name.clone(),
            subject: letter.subject,
            body: letter.body,
            ballot_id: None,
            roll_id: None,
        },
    )
}
