//! Definition.

use super::*;

/// A new or changed ballot's definition once every field is checked (times read as London time).
pub(super) struct ValidDefinition {
    title: String,
    description: String,
    questions: Vec<QuestionDef>,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    publication: Publication,
    trustees: Option<Vec<i64>>,
    threshold: Option<i32>,
}

/// Check a ballot's definition as given: a 400 naming the first bad field.
pub(super) fn validate_definition(input: NewBallot) -> AppResult<ValidDefinition> {
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 300 || title.chars().any(char::is_control) {
        return Err(AppError::validation("title: give 1 to 300 characters on one line"));
    }
    if input.description.chars().count() > 5000 {
        return Err(AppError::validation("description: at most 5000 characters"));
    }
    ballot::validate_questions(&input.questions)?;
    let opens_at = input.opens_at.as_deref().map(|s| parse_london_time(s, "opens_at")).transpose()?;
    let closes_at = input.closes_at.as_deref().map(|s| parse_london_time(s, "closes_at")).transpose()?;
    if let (Some(o), Some(c)) = (opens_at, closes_at) {
        if c <= o {
            return Err(AppError::validation("closes_at: must be after opens_at"));
        }
    }
    let publication = match input.publication.as_deref() {
        None | Some("full") => Publication::Full,
        Some("receipts_only") => Publication::ReceiptsOnly,
        Some(other) => {
            return Err(AppError::validation(format!("publication: {other:?} is not full or receipts_only")))
        }
    };
    let trustees = crate::services::e2e::check_definition(input.verifiability.as_deref(), input.trustees.as_deref())?;
    Ok(ValidDefinition {
        title,
        description: input.description.trim().to_string(),
        questions: input.questions,
        opens_at,
        closes_at,
        publication,
        trustees,
        threshold: input.threshold,
    })
}

pub fn create_ballot(conn: &mut DbConnection, actor: &User, input: NewBallot) -> AppResult<BallotView> {
    let c = validate_definition(input)?;
    let id = db::write_tx(conn, |conn| {
        let id = diesel::insert_into(ballots::table)
            .values((
                ballots::title.eq(&c.title),
                ballots::description.eq(&c.description),
                ballots::questions.eq(serde_json::to_string(&c.questions).map_err(AppError::internal)?),
                ballots::status.eq(BallotStatus::Draft),
                ballots::publication.eq(c.publication.as_str()),
                ballots::opens_at.eq(c.opens_at),
                ballots::closes_at.eq(c.closes_at),
                ballots::entry_count.eq(0i64),
                ballots::created_by.eq(actor.id),
                ballots::created_at.eq(db::now()),
            ))
            .returning(ballots::id)
            .get_result::<i64>(conn)?;
        crate::services::access::add_officer(conn, id, actor.id)?;
        crate::services::e2e::define(conn, id, c.trustees.as_deref(), c.threshold)?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotCreate,
            &format!("ballot {id}"),
            serde_json::json!({"title": c.title, "questions": c.questions.len()}),
        )?;
        Ok(id)
    })?;
    get_ballot(conn, id)
}

/// Replace a draft ballot's definition. Refused once the ballot has opened.
pub fn update_ballot(conn: &mut DbConnection, actor: &User, id: i64, input: NewBallot) -> AppResult<BallotView> {
    let c = validate_definition(input)?;
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Draft {
            return Err(AppError::conflict("the ballot has opened: its questions and times can no longer change"));
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::title.eq(&c.title),
                ballots::description.eq(&c.description),
                ballots::questions.eq(serde_json::to_string(&c.questions).map_err(AppError::internal)?),
                ballots::publication.eq(c.publication.as_str()),
                ballots::opens_at.eq(c.opens_at),
                ballots::closes_at.eq(c.closes_at),
            ))
            .execute(conn)?;
        crate::services::e2e::define(conn, id, c.trustees.as_deref(), c.threshold)?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotEdit,
            &format!("ballot {id}"),
            serde_json::json!({"title": c.title}),
        )?;
        Ok(())
    })?;
    get_ballot(conn, id)
}

pub fn get_ballot(conn: &mut DbConnection, id: i64) -> AppResult<BallotView> {
    let b = load(conn, id)?;
    view(conn, b)
}

pub fn list_ballots(conn: &mut DbConnection) -> AppResult<Vec<BallotView>> {
    let ids: Vec<i64> = ballots::table.order(ballots::id.desc()).select(ballots::id).load(conn)?;
    ids.into_iter().map(|id| get_ballot(conn, id)).collect()
}
