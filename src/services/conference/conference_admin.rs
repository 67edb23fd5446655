//! Conferences and representatives.

use super::*;

pub fn create_conference(conn: &mut DbConnection, actor: &User, input: NewConference) -> AppResult<Conference> {
    let name = trimmed(&input.name, "name", 300)?;
    let venue = input.venue.as_deref().map(|v| trimmed(v, "venue", 300)).transpose()?;
    let (starts_on, ends_on) = crate::services::conference_details::check_dates(input.starts_on, input.ends_on)?;
    db::write_tx(conn, |c| {
        let id = diesel::insert_into(conferences::table)
            .values((
                conferences::name.eq(&name),
                conferences::venue.eq(&venue),
                conferences::starts_on.eq(&starts_on),
                conferences::ends_on.eq(&ends_on),
                conferences::status.eq(ConferenceStatus::Open),
                conferences::created_at.eq(db::now()),
            ))
            .returning(conferences::id)
            .get_result::<i64>(c)?;
        if actor.has(Role::Chair) {
            crate::services::access::add_chair(c, id, actor.id)?;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::ConferenceCreate,
            &format!("conference {id}"),
            serde_json::json!({"name": name}),
        )?;
        conference_row(c, id)
    })
}

pub fn list_conferences(conn: &mut DbConnection) -> AppResult<Vec<Conference>> {
    let rows = conferences::table
        .order(conferences::id.desc())
        .select(crate::services::conference_details::COLUMNS)
        .load::<crate::services::conference_details::Row>(conn)?;
    rows.into_iter().map(crate::services::conference_details::from_row).collect()
}

pub fn get_conference(conn: &mut DbConnection, id: i64) -> AppResult<Conference> {
    conference_row(conn, id)
}

/// How a chair names the person to register.
pub enum Registrant<'a> {
    /// An account that already holds the representative role (a chair cannot give roles by id).
    UserId(i64),
    /// By email: an existing representative (or an account with no role yet), or a new account that is
    /// emailed a one-time link to set its password. `name` is needed for a new account.
    Email { email: &'a str, name: Option<&'a str> },
}

/// Register a representative for their LMC. By user id only for accounts that are representatives
/// already, so a chair can neither read other accounts' names and emails nor change another role
/// holder's roles; by email otherwise.
pub fn add_representative(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    who: Registrant<'_>,
    lmc: &str,
    public_url: &str,
) -> AppResult<Representative> {
    let lmc = trimmed(lmc, "lmc", 100)?;
    db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != ConferenceStatus::Open {
            return Err(AppError::conflict("the conference is closed"));
        }
        let user_id = match who {
            Registrant::UserId(user_id) => {
                let is_rep = auth::find_active_user(c, user_id)?.is_some_and(|u| u.has(Role::Representative));
                if !is_rep {
                    return Err(AppError::validation(format!(
                        "user_id: {user_id} is not an active representative's account; register people by email or CSV"
                    )));
                }
                user_id
            }
            Registrant::Email { email, name } => {
                let email = auth::validate_email(email)?;
                let name = name.map(|n| auth::validate_name(n, "name")).transpose()?;
                let name = name.as_ref().map(|n| n.as_str());
                match representative_account(c, &conf, email.as_str(), name, &lmc, public_url)? {
                    Ok((id, _)) => id,
                    Err(reason) => return Err(AppError::validation(reason)),
                }
            }
        };
        let already: i64 = representatives::table
            .filter(representatives::conference_id.eq(conference_id))
            .filter(representatives::user_id.eq(user_id))
            .count()
            .get_result(c)?;
        if already > 0 {
            return Err(AppError::conflict("that person is already a representative at this conference"));
        }
        add_representative_in_tx(c, actor, conference_id, user_id, &lmc)
    })
}

/// The account to register for `email`: an existing active representative; an account with no role
/// or only the member role (a GP; it gets the representative role too); or a new account, emailed a one-time link to set its password
/// (`true` in the answer). `Err(reason)` when it cannot be used: disabled, holding other roles (a chair
/// never changes another role holder's roles: an admin does), or new without a name.
pub(super) fn representative_account(
    c: &mut DbConnection,
    conf: &Conference,
    email: &str,
    name: Option<&str>,
    lmc: &str,
    public_url: &str,
) -> AppResult<Result<(i64, bool), String>> {
    let existing: Option<(i64, bool, String)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::active, users::roles))
        .first(c)
        .optional()?;
    if let Some((id, active, roles)) = existing {
        if !active {
            return Ok(Err(format!("the account for {email} is disabled; an admin can enable it")));
        }
        let roles = auth::roles_from_text(&roles);
        if roles.contains(&Role::Representative) {
            return Ok(Ok((id, false)));
        }
        if roles.iter().any(|r| *r != Role::Member) {
            return Ok(Err(format!(
                "the account for {email} holds other roles; a chair does not change them: an admin can add the representative role"
            )));
        }
        let mut roles = roles;
        roles.push(Role::Representative);
        roles.sort();
        diesel::update(users::table.filter(users::id.eq(id)))
            .set(users::roles.eq(auth::roles_to_text(&roles)))
            .execute(c)?;
        return Ok(Ok((id, false)));
    }
    let Some(name) = name else {
        return Ok(Err(format!("no account for {email}: give a name to create one")));
    };
    let new = auth::NewUser::parse(email, name, &[Role::Representative])?;
    let u = auth::insert_user(c, &new, None)?;
    let token = auth::issue_password_token(c, u.id)?;
    let letter = crate::services::letters::representative_registered(name, lmc, &conf.name, public_url, &token);
    crate::services::mail::enqueue(
        c,
        &crate::services::mail::Outgoing {
            kind: crate::services::mail::MailKind::SetPassword,
            to_addr: email.to_string(),
            to_name: name.to_string(),
            subject: letter.subject,
            body: letter.body,
            ballot_id: None,
            roll_id: None,
        },
    )?;
    Ok(Ok((u.id, true)))
}

/// Insert the registration (the account is already a representative).
pub(super) fn add_representative_in_tx(
    c: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    user_id: i64,
    lmc: &str,
) -> AppResult<Representative> {
    let (email, name): (String, String) = users::table
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .select((users::email, users::name))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::validation(format!("user_id: no active user {user_id}")))?;
    let inserted = diesel::insert_into(representatives::table)
        .values((
            representatives::conference_id.eq(conference_id),
            representatives::user_id.eq(user_id),
            representatives::lmc.eq(lmc),
            representatives::created_at.eq(db::now()),
        ))
        .returning(representatives::id)
        .get_result::<i64>(c);
    let id = match inserted {
        Ok(id) => id,
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(AppError::conflict(format!("user {user_id} is already a representative at this conference")))
        }
        Err(e) => return Err(e.into()),
    };
    audit_log::append(
        c,
        &actor.email,
        audit_log::AuditAction::ConferenceRepresentativeAdd,
        &format!("conference {conference_id}"),
        serde_json::json!({"user_id": user_id, "lmc": lmc}),
    )?;
    Ok(Representative { id, conference_id, user_id, name, email, lmc: lmc.to_string() })
}

pub fn list_representatives(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<Representative>> {
    conference_row(conn, conference_id)?;
    type Row = (i64, i64, String, String, String);
    let rows = representatives::table
        .inner_join(users::table)
        .filter(representatives::conference_id.eq(conference_id))
        .order(representatives::id.asc())
        .select((representatives::id, representatives::user_id, users::name, users::email, representatives::lmc))
        .load::<Row>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, name, email, lmc)| Representative { id, conference_id, user_id, name, email, lmc })
        .collect())
}

/// The representative record of `user` at `conference_id`, if registered.
pub fn representative_of(
    conn: &mut DbConnection,
    conference_id: i64,
    user_id: i64,
) -> AppResult<Option<Representative>> {
    let row = representatives::table
        .inner_join(users::table)
        .filter(representatives::conference_id.eq(conference_id))
        .filter(representatives::user_id.eq(user_id))
        .select((representatives::id, users::name, users::email, representatives::lmc))
        .first::<(i64, String, String, String)>(conn)
        .optional()?;
    Ok(row.map(|(id, name, email, lmc)| Representative { id, conference_id, user_id, name, email, lmc }))
}

/// Conferences where this user is registered as a representative.
pub fn conferences_of(conn: &mut DbConnection, user_id: i64) -> AppResult<Vec<Conference>> {
    let ids: Vec<i64> = representatives::table
        .filter(representatives::user_id.eq(user_id))
        .select(representatives::conference_id)
        .load(conn)?;
    ids.into_iter().map(|id| conference_row(conn, id)).collect()
}
