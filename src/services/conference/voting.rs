//! Polls.

use super::*;

/// One row of `polls`: what a poll's view is made from.
#[derive(Queryable, Selectable)]
#[diesel(table_name = polls)]
pub(crate) struct PollRow {
    pub(crate) id: i64,
    pub(crate) conference_id: i64,
    pub(crate) motion_id: Option<i64>,
    pub(crate) subject: String,
    pub(crate) question: String,
    pub(crate) majority: Majority,
    pub(crate) method: Method,
    pub(crate) status: PollStatus,
    pub(crate) opened_at: chrono::NaiveDateTime,
    pub(crate) closed_at: Option<chrono::NaiveDateTime>,
    pub(crate) for_votes: i64,
    pub(crate) against_votes: i64,
    pub(crate) abstain_votes: i64,
    pub(crate) counted: bool,
    pub(crate) carried: Option<bool>,
    pub(crate) qualifier: Option<Qualifier>,
    pub(crate) wording: Option<String>,
}

pub(super) fn votes_cast(conn: &mut DbConnection, poll_id: i64) -> AppResult<i64> {
    Ok(poll_votes::table.filter(poll_votes::poll_id.eq(poll_id)).count().get_result(conn)?)
}

/// The stored wording of a poll; for a poll opened before wordings were stored, derived from the motion
/// as it stands now.
pub(super) fn poll_wording(
    conn: &mut DbConnection,
    stored: &Option<String>,
    subject: &PollSubject,
    majority: Majority,
    motion: Option<&MotionView>,
) -> AppResult<procedure::Wording> {
    if let Some(w) = from_json_text::<procedure::Wording>(stored, "wording of a poll")? {
        return Ok(w);
    }
    let subject = match subject {
        PollSubject::AMotionsEnBloc(ids) => {
            let mut listed = Vec::new();
            for &id in ids {
                listed.push(a_motion_line(&get_motion(conn, id)?));
            }
            return Ok(procedure::wording_of_a_motions(&listed, majority));
        }
        PollSubject::Motion(subject) => subject,
    };
    let m = motion.ok_or_else(|| AppError::internal_msg("a motion poll without its motion"))?;
    Ok(wording_for(m, &motion_state(m), subject, majority))
}

/// A poll's stored subject read back. One this version cannot read is a load error, never skipped.
pub(crate) fn read_poll_subject(stored: &str) -> AppResult<PollSubject> {
    serde_json::from_str(stored).map_err(|e| AppError::internal_msg(format!("a poll's stored subject {stored:?}: {e}")))
}

pub(super) fn wording_for(
    m: &MotionView,
    state: &MotionState,
    subject: &Subject,
    majority: Majority,
) -> procedure::Wording {
    procedure::wording_of(u32::try_from(m.number).unwrap_or(0), m.proposer.as_deref(), state, subject, majority)
}

pub(super) fn a_motion_line(m: &MotionView) -> (u32, Option<String>, String) {
    (u32::try_from(m.number).unwrap_or(0), m.proposer.clone(), m.stem.clone())
}

pub(super) fn representatives_count(conn: &mut DbConnection, conference_id: i64) -> AppResult<i64> {
    Ok(representatives::table.filter(representatives::conference_id.eq(conference_id)).count().get_result(conn)?)
}

pub(super) fn poll_view(conn: &mut DbConnection, r: PollRow) -> AppResult<PollView> {
    let closed = r.status == PollStatus::Closed;
    let cast = if r.method == Method::Electronic { votes_cast(conn, r.id)? } else { 0 };
    let motion = r.motion_id.map(|mid| get_motion(conn, mid)).transpose()?;
    let (number, item, outcome_text) = match &motion {
        Some(m) => (Some(m.number), Some(m.item.clone()), if closed { m.outcome_text.clone() } else { None }),
        None => (None, None, None),
    };
    // A stored value the code does not know is a load error, never a silent default (the words are
    // checked as the row loads).
    let subject = read_poll_subject(&r.subject)?;
    let wording = poll_wording(conn, &r.wording, &subject, r.majority, motion.as_ref())?;
    let counts =
        (closed && r.counted).then(|| Counts::new(r.for_votes as u64, r.against_votes as u64, r.abstain_votes as u64));
    let qualifier = r.qualifier;
    Ok(PollView {
        wording,
        representatives: representatives_count(conn, r.conference_id)?,
        result_text: r
            .carried
            .map(|carried| Decision { carried, qualifier: if carried { qualifier } else { None } }.as_upper()),
        percentages: counts.as_ref().and_then(procedure::percentages),
        id: r.id,
        conference_id: r.conference_id,
        motion_id: r.motion_id,
        motion_number: number,
        motion_item: item,
        subject,
        question: r.question,
        majority: r.majority,
        method: r.method,
        status: r.status,
        opened_at: r.opened_at.and_utc(),
        closed_at: r.closed_at.map(|t| t.and_utc()),
        votes_cast: cast,
        counts,
        result: r.carried.map(|c| if c { "carried".to_string() } else { "lost".to_string() }),
        qualifier,
        outcome_text,
    })
}

pub fn get_poll(conn: &mut DbConnection, poll_id: i64) -> AppResult<PollView> {
    let row = polls::table
        .filter(polls::id.eq(poll_id))
        .select(PollRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    poll_view(conn, row)
}

pub fn list_polls(conn: &mut DbConnection, conference_id: i64, only_open: bool) -> AppResult<Vec<PollView>> {
    conference_row(conn, conference_id)?;
    let mut q = polls::table.filter(polls::conference_id.eq(conference_id)).into_boxed();
    if only_open {
        q = q.filter(polls::status.eq(PollStatus::Open));
    }
    let rows = q.order(polls::id.asc()).select(PollRow::as_select()).load(conn)?;
    rows.into_iter().map(|r| poll_view(conn, r)).collect()
}

/// What a new poll puts and how; stored by [`insert_poll`].
pub(super) struct PollSpec<'a> {
    conference_id: i64,
    motion_id: Option<i64>,
    subject: String,
    question: &'a str,
    majority: Majority,
    method: Method,
    wording: procedure::Wording,
}

pub(super) fn check_method(method: Option<&str>) -> AppResult<Method> {
    match method {
        None => Ok(Method::Electronic),
        Some(word) => Method::from_word(word)
            .ok_or_else(|| AppError::validation(format!("method: {word:?} is not electronic or show_of_hands"))),
    }
}

/// One question at a time: refuse while the conference has a poll open, or once it is closed.
pub(super) fn check_can_open_poll(c: &mut DbConnection, conference_id: i64) -> AppResult<()> {
    let conf = conference_row(c, conference_id)?;
    if conf.status != ConferenceStatus::Open {
        return Err(AppError::conflict("the conference is closed"));
    }
    let open: i64 = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .filter(polls::status.eq(PollStatus::Open))
        .count()
        .get_result(c)?;
    if open > 0 {
        return Err(AppError::conflict("another poll is open in this conference: close it first"));
    }
    Ok(())
}

pub(super) fn insert_poll(
    c: &mut DbConnection,
    actor: &User,
    spec: PollSpec<'_>,
    details: serde_json::Value,
) -> AppResult<i64> {
    let id = diesel::insert_into(polls::table)
        .values((
            polls::conference_id.eq(spec.conference_id),
            polls::motion_id.eq(spec.motion_id),
            polls::subject.eq(&spec.subject),
            polls::question.eq(spec.question),
            polls::majority.eq(spec.majority.as_str()),
            polls::method.eq(spec.method),
            polls::status.eq(PollStatus::Open),
            polls::opened_at.eq(db::now()),
            polls::counted.eq(spec.method == Method::Electronic),
            polls::wording.eq(Some(to_json_text(&spec.wording))),
        ))
        .returning(polls::id)
        .get_result::<i64>(c)?;
    audit_log::append(c, &actor.email, audit_log::AuditAction::PollOpen, &format!("poll {id}"), details)?;
    Ok(id)
}

pub fn open_poll(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    motion_id: i64,
    input: NewPoll,
) -> AppResult<PollView> {
    let method = check_method(input.method.as_deref())?;
    let id = db::write_tx(conn, |c| {
        let view = get_motion(c, motion_id)?;
        check_can_open_poll(c, view.conference_id)?;
        let mut state = motion_state(&view);
        // The first vote on a part (or on the whole) settles how the motion is taken, if the chair has not said.
        if view.taken_as.is_none() {
            state.taken = match &input.subject {
                Subject::Part { .. } => TakenAs::Parts,
                _ => TakenAs::Whole,
            };
        }
        if view.taken_as.is_none() && matches!(input.subject, Subject::Whole | Subject::Part { .. }) {
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::taken_as.eq(state.taken.as_str()))
                .execute(c)?;
        }
        state.validate(&input.subject)?;
        let majority = input.majority.unwrap_or_else(|| input.subject.default_majority_on(view.needs_two_thirds));
        let question = format!("Motion {}: {}", view.item, input.subject.describe());
        let details = serde_json::json!({"motion_id": motion_id, "subject": input.subject, "majority": majority.as_str(), "method": method});
        let spec = PollSpec {
            conference_id: view.conference_id,
            motion_id: Some(motion_id),
            subject: to_json_text(&input.subject),
            question: &question,
            majority,
            method,
            wording: wording_for(&view, &state, &input.subject, majority),
        };
        let id = insert_poll(c, actor, spec, details)?;
        Ok(id)
    })?;
    let p = get_poll(conn, id)?;
    events::tell(hub, conn, ConferenceEvent::PollOpened(p.clone()));
    Ok(p)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnBloc {
    /// The 'A' motions to take together; default: every undecided 'A' motion of the conference.
    pub motions: Option<Vec<i64>>,
    /// "electronic" (default) or "show_of_hands".
    pub method: Option<String>,
}

/// Put the 'A' motions (existing policy or non-controversial) to one vote together ("A motions carried
/// en bloc"). If carried, each is CARRIED.
pub fn open_en_bloc(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: EnBloc,
) -> AppResult<PollView> {
    let method = check_method(input.method.as_deref())?;
    let id = db::write_tx(conn, |c| {
        check_can_open_poll(c, conference_id)?;
        let agenda = list_motions(c, conference_id)?;
        let is_a = |m: &MotionView| m.marks.contains(&AgendaMark::A);
        let chosen: Vec<&MotionView> = match &input.motions {
            None => agenda.iter().filter(|m| is_a(m) && m.outcome_text.is_none()).collect(),
            Some(ids) => {
                let mut chosen = Vec::new();
                for id in ids {
                    let m = agenda.iter().find(|m| m.id == *id).ok_or_else(|| {
                        AppError::validation(format!("motions: {id} is not a motion of this conference"))
                    })?;
                    if !is_a(m) {
                        return Err(AppError::validation(format!("motions: motion {} is not marked 'A'", m.item)));
                    }
                    if m.outcome_text.is_some() {
                        return Err(AppError::validation(format!("motions: motion {} is already decided", m.item)));
                    }
                    chosen.push(m);
                }
                chosen
            }
        };
        if chosen.is_empty() {
            return Err(AppError::validation("there are no undecided 'A' motions to take en bloc"));
        }
        let ids: Vec<i64> = chosen.iter().map(|m| m.id).collect();
        let numbers: Vec<String> = chosen.iter().map(|m| m.item.clone()).collect();
        let question = format!("The 'A' motions, en bloc: {}", numbers.join(", "));
        let subject = PollSubject::AMotionsEnBloc(ids);
        let majority = subject.default_majority_on(chosen.iter().any(|m| m.needs_two_thirds));
        let spec = PollSpec {
            conference_id,
            motion_id: None,
            subject: to_json_text(&subject),
            question: &question,
            majority,
            method,
            wording: procedure::wording_of_a_motions(
                &chosen.iter().map(|m| a_motion_line(m)).collect::<Vec<_>>(),
                majority,
            ),
        };
        let details = serde_json::to_value(&subject).map_err(AppError::internal)?;
        let id = insert_poll(c, actor, spec, details)?;
        Ok(id)
    })?;
    let p = get_poll(conn, id)?;
    events::tell(hub, conn, ConferenceEvent::PollOpened(p.clone()));
    Ok(p)
}

/// A representative votes in the hall: the vote is recorded durably before the answer, then the hall is
/// told how many votes are in (never how anyone voted).
pub async fn vote_in_hall(
    state: std::sync::Arc<AppState>,
    voter: User,
    poll_id: i64,
    choice: Choice,
) -> AppResult<PollView> {
    let p = state.db.run(move |c| cast_vote(c, &voter, poll_id, choice)).await?;
    announce_progress(&state, p.id, p.conference_id, p.votes_cast);
    Ok(p)
}

/// Tell listeners how many votes are in, at most a few times a second (the last count always goes out).
pub(super) fn announce_progress(state: &std::sync::Arc<AppState>, poll_id: i64, conference_id: i64, votes_cast: i64) {
    use crate::services::events::Throttled;
    let send = |state: std::sync::Arc<AppState>, delay: Option<std::time::Duration>| async move {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let hub = state.hub.clone();
        let _ = state
            .db
            .run(move |c| {
                let votes_cast = if delay.is_some() { get_poll(c, poll_id)?.votes_cast } else { votes_cast };
                events::tell(&hub, c, ConferenceEvent::PollProgress { conference_id, poll_id, votes_cast });
                Ok(())
            })
            .await;
        if delay.is_some() {
            state.progress.sent(poll_id);
        }
    };
    match state.progress.check(poll_id) {
        Throttled::Now => {
            actix_web::rt::spawn(send(state.clone(), None));
        }
        Throttled::After(d) => {
            actix_web::rt::spawn(send(state.clone(), Some(d)));
        }
        Throttled::Skip => {}
    }
}

/// A representative's vote. Replaces their earlier choice in the same poll; acknowledged only once committed.
pub fn cast_vote(conn: &mut DbConnection, user: &User, poll_id: i64, choice: Choice) -> AppResult<PollView> {
    db::write_tx(conn, |c| {
        let (conference_id, status, method): (i64, PollStatus, Method) = polls::table
            .filter(polls::id.eq(poll_id))
            .select((polls::conference_id, polls::status, polls::method))
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
        let rep = representative_of(c, conference_id, user.id)?
            .ok_or_else(|| AppError::forbidden("you are not registered as a representative at this conference"))?;
        if status != PollStatus::Open {
            return Err(AppError::new(
                ErrorCode::PollClosed,
                "this poll is closed; votes can no longer be cast or changed",
            ));
        }
        if method != Method::Electronic {
            return Err(AppError::conflict("this poll is by show of hands; the chair enters the result"));
        }
        dialect::upsert_poll_vote(c, poll_id, rep.id, choice.as_str(), db::now())?;
        Ok(())
    })?;
    get_poll(conn, poll_id)
}

pub fn my_vote(conn: &mut DbConnection, user: &User, poll_id: i64) -> AppResult<Option<Choice>> {
    let conference_id: i64 = polls::table
        .filter(polls::id.eq(poll_id))
        .select(polls::conference_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
    let Some(rep) = representative_of(conn, conference_id, user.id)? else {
        return Ok(None);
    };
    Ok(poll_votes::table
        .filter(poll_votes::poll_id.eq(poll_id))
        .filter(poll_votes::representative_id.eq(rep.id))
        .select(poll_votes::choice)
        .first::<Choice>(conn)
        .optional()?)
}

/// Close a poll: count, decide by its majority rule, apply the result to the motion.
pub fn close_poll(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    poll_id: i64,
    declaration: Option<Declaration>,
) -> AppResult<PollView> {
    let p = db::write_tx(conn, |c| {
        let row = polls::table
            .filter(polls::id.eq(poll_id))
            .select(PollRow::as_select())
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no poll {poll_id}")))?;
        if row.status != PollStatus::Open {
            return Err(AppError::new(ErrorCode::PollClosed, "this poll is already closed"));
        }
        crate::services::corrections::keep_before_close(c, poll_id)?;
        let majority = row.majority;
        let subject = read_poll_subject(&row.subject)?;
        let (decision, counts): (Decision, Option<Counts>) = if row.method == Method::Electronic {
            if declaration.is_some() {
                return Err(AppError::validation(
                    "this poll is electronic: the votes decide it, close it without a body",
                ));
            }
            let choices: Vec<Choice> =
                poll_votes::table.filter(poll_votes::poll_id.eq(poll_id)).select(poll_votes::choice).load(c)?;
            let counts = Counts::tally(choices);
            (procedure::decide(majority, &counts), Some(counts))
        } else {
            let d = declaration.ok_or_else(|| {
                AppError::validation(
                    "this poll is by show of hands: give {\"result\": \"carried\" | \"lost\"} and the counts if taken",
                )
            })?;
            let carried = match d.result.as_str() {
                "carried" => true,
                "lost" => false,
                other => return Err(AppError::validation(format!("result: {other:?} is not carried or lost"))),
            };
            let decision = procedure::check_declared(majority, carried, d.counts.as_ref())?;
            (decision, d.counts)
        };
        let mut motion_number = None;
        if let PollSubject::AMotionsEnBloc(ids) = &subject {
            // The 'A' motions taken together: carried, each is CARRIED; lost, they go back to be taken one by one.
            if decision.carried {
                for &mid in ids {
                    let view = get_motion(c, mid)?;
                    if view.outcome_text.is_some() {
                        continue;
                    }
                    let mut state = motion_state(&view);
                    state.taken = TakenAs::Whole;
                    state.apply(&procedure::Effect::Decide {
                        label: None,
                        outcome: Outcome::Carried,
                        qualifier: None,
                    })?;
                    save_state(c, mid, &state, None, true)?;
                }
            }
        } else if let (PollSubject::Motion(subject), Some(mid)) = (&subject, row.motion_id) {
            let view = get_motion(c, mid)?;
            motion_number = Some(view.number);
            let mut state = motion_state(&view);
            if view.taken_as.is_none() {
                state.taken = TakenAs::Whole;
            }
            state.record_poll(subject, &decision)?;
            let substantive = matches!(subject, Subject::Whole | Subject::Part { .. });
            save_state(
                c,
                mid,
                &state,
                counts.map(|k| (subject, k)),
                view.taken_as.is_some() || substantive || state.outcome_text().is_some(),
            )?;
        }
        let k = counts.unwrap_or_default();
        let still_open = polls::table.filter(polls::id.eq(poll_id)).filter(polls::status.eq(PollStatus::Open));
        let closed = diesel::update(still_open)
            .set((
                polls::status.eq(PollStatus::Closed),
                polls::closed_at.eq(Some(db::now())),
                polls::for_votes.eq(k.for_votes as i64),
                polls::against_votes.eq(k.against as i64),
                polls::abstain_votes.eq(k.abstain as i64),
                polls::counted.eq(counts.is_some()),
                polls::carried.eq(Some(decision.carried)),
                polls::qualifier.eq(decision.qualifier.map(|q| q.as_str())),
            ))
            .execute(c)?;
        if closed != 1 {
            return Err(AppError::new(
                ErrorCode::PollClosed,
                "this poll was closed at the same moment by someone else",
            ));
        }
        crate::services::linked_items::after_close(c, poll_id, decision.carried)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::PollClose,
            &format!("poll {poll_id}"),
            serde_json::json!({"motion": motion_number, "carried": decision.carried, "counts": counts}),
        )?;
        get_poll(c, poll_id)
    })?;
    events::tell(hub, conn, ConferenceEvent::PollClosed(p.clone()));
    Ok(p)
}
