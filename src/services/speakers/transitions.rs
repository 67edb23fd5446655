//! The chair's and representatives' steps on the speakers' list, each in one write transaction: the
//! rules, opening a debate, asking to speak and withdrawing, calling a speaker, the clock. The use cases in
//! `super` run these and then tell every screen.

use super::*;

/// Changes to the speaking rules; fields left out keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesUpdate {
    pub first_time_speakers_first: Option<bool>,
    pub proposer_seconds: Option<i32>,
    pub speaker_seconds: Option<i32>,
    pub reply_seconds: Option<i32>,
}

/// The chair sets the limits and the queue's rule as the conference's standing orders have them. A
/// speech already called keeps the limit it was called with.
pub(super) fn set_rules_tx(
    c: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    input: RulesUpdate,
) -> AppResult<SpeakingRules> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        let (old, motion) = rules_and_motion(c, conference_id)?;
        let new = SpeakingRules {
            first_time_speakers_first: input.first_time_speakers_first.unwrap_or(old.first_time_speakers_first),
            proposer_seconds: input.proposer_seconds.unwrap_or(old.proposer_seconds),
            speaker_seconds: input.speaker_seconds.unwrap_or(old.speaker_seconds),
            reply_seconds: input.reply_seconds.unwrap_or(old.reply_seconds),
        };
        new.validate()?;
        save_settings(c, conference_id, &new, motion)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::SpeakersRules,
            &format!("conference {conference_id}"),
            serde_json::to_value(new).map_err(AppError::internal)?,
        )?;
        Ok(new)
    })
}

/// The speech being made ends (it is heard); its clock stops.
fn end_current(c: &mut DbConnection, conference_id: i64, now: NaiveDateTime) -> AppResult<bool> {
    let current: Vec<RequestRow> = sr::table
        .filter(sr::conference_id.eq(conference_id))
        .filter(sr::status.eq(RequestStatus::Called.as_str()))
        .select(request_columns!())
        .load(c)?;
    let any = !current.is_empty();
    for row in current {
        let mut r = Request::from_row(row)?;
        let status = r.status.transition(RequestStatus::Spoken)?;
        if r.timer.running() {
            r.timer.stop(ms(now))?;
        }
        diesel::update(sr::table.filter(sr::id.eq(r.id)))
            .set((
                sr::status.eq(status.as_str()),
                sr::ended_at.eq(Some(now)),
                sr::used_ms.eq(r.timer.used_ms),
                sr::timer_started_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c)?;
    }
    Ok(any)
}

/// Which motion the chair is taking speakers on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Debate {
    /// The motion; null to stop taking speakers.
    pub motion_id: Option<i64>,
}

/// The chair opens the debate on a motion (or closes it): the speech being made ends, and requests still
/// waiting on another motion lapse.
pub(super) fn open_debate_tx(c: &mut DbConnection, actor: &User, conference_id: i64, input: Debate) -> AppResult<()> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        if let Some(m) = input.motion_id {
            let row = motion_row(c, m).map_err(|_| AppError::validation(format!("motion_id: no motion {m}")))?;
            if row.conference_id != conference_id {
                return Err(AppError::validation(format!("motion_id: motion {m} is not on this conference's agenda")));
            }
        }
        let (rules, old) = rules_and_motion(c, conference_id)?;
        if old == input.motion_id {
            return Ok(());
        }
        let now = db::now();
        end_current(c, conference_id, now)?;
        // Requests waiting on any other motion lapse (the new motion keeps any made before it was in hand).
        let keep = input.motion_id.unwrap_or(-1);
        diesel::update(sr::table)
            .filter(sr::conference_id.eq(conference_id))
            .filter(sr::status.eq(RequestStatus::Waiting.as_str()))
            .filter(sr::motion_id.ne(keep))
            .set((sr::status.eq(RequestStatus::Lapsed.as_str()), sr::ended_at.eq(Some(now))))
            .execute(c)?;
        save_settings(c, conference_id, &rules, input.motion_id)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::SpeakersDebate,
            &format!("conference {conference_id}"),
            serde_json::json!({"motion_id": input.motion_id}),
        )?;
        Ok(())
    })
}

/// A representative asks to speak.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskToSpeak {
    /// "for" or "against" the motion.
    pub side: Side,
}

/// A registered representative asks to speak on the motion in hand. One request waiting (or being heard)
/// per representative per motion. Answers the conference's id.
pub(super) fn ask_tx(c: &mut DbConnection, user: &User, motion_id: i64, input: AskToSpeak) -> AppResult<i64> {
    db::write_tx(c, |c| {
        let MotionRow { conference_id, item, number, .. } = motion_row(c, motion_id)?;
        let rep = representative_of(c, conference_id, user.id)?
            .ok_or_else(|| AppError::forbidden("you are not registered as a representative at this conference"))?;
        require_open(c, conference_id)?;
        let (_, in_hand) = rules_and_motion(c, conference_id)?;
        if in_hand != Some(motion_id) {
            let item = item.unwrap_or_else(|| number.to_string());
            return Err(AppError::conflict(format!("the chair is not taking speakers on motion {item} now")));
        }
        let active: i64 = sr::table
            .filter(sr::motion_id.eq(motion_id))
            .filter(sr::representative_id.eq(rep.id))
            .filter(sr::status.eq_any([RequestStatus::Waiting.as_str(), RequestStatus::Called.as_str()]))
            .count()
            .get_result(c)?;
        if active > 0 {
            return Err(AppError::conflict("you have already asked to speak on this motion"));
        }
        diesel::insert_into(sr::table)
            .values((
                sr::conference_id.eq(conference_id),
                sr::motion_id.eq(motion_id),
                sr::representative_id.eq(Some(rep.id)),
                sr::name.eq(&rep.name),
                sr::lmc.eq(&rep.lmc),
                sr::side.eq(input.side.as_str()),
                sr::kind.eq(SpeechKind::Speaker.as_str()),
                sr::status.eq(RequestStatus::Waiting.as_str()),
                sr::requested_at.eq(db::now()),
                sr::used_ms.eq(0i64),
            ))
            .execute(c)?;
        Ok(conference_id)
    })
}

/// A request waiting in the queue is withdrawn, by the representative who made it or by the chair.
pub(super) fn withdraw_tx(c: &mut DbConnection, user: &User, request_id: i64) -> AppResult<i64> {
    db::write_tx(c, |c| {
        let (conference_id, _, r) = load_request(c, request_id)?;
        let own = match r.representative_id {
            Some(rep_id) => representative_of(c, conference_id, user.id)?.is_some_and(|rep| rep.id == rep_id),
            None => false,
        };
        if !own {
            access::chair_of(c, user, conference_id).map_err(|e| match e.code {
                crate::error::ErrorCode::Forbidden => AppError::forbidden(
                    "only the representative who asked, or the chair, may withdraw a request to speak",
                ),
                _ => e,
            })?;
        }
        require_open(c, conference_id)?;
        let status = r.status.transition(RequestStatus::Withdrawn)?;
        diesel::update(sr::table.filter(sr::id.eq(request_id)))
            .set((sr::status.eq(status.as_str()), sr::ended_at.eq(Some(db::now()))))
            .execute(c)?;
        Ok(conference_id)
    })
}

/// Whom the chair calls.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallSpeaker {
    /// A request in the queue (any of them); without it, the first in the queue, unless `kind` is
    /// "proposer" or "reply".
    pub request_id: Option<i64>,
    /// "proposer", "speaker" (default) or "reply": which limit applies. The proposer and the right of
    /// reply may be called without a request.
    pub kind: Option<SpeechKind>,
    /// For a proposer or reply called without a request: who speaks (default "The proposer").
    pub name: Option<String>,
    /// For a proposer or reply called without a request: the LMC (default the motion's proposer).
    pub lmc: Option<String>,
}

fn short_text(s: &str, field: &str) -> AppResult<String> {
    let t = s.trim();
    if t.chars().count() > 200 {
        return Err(AppError::validation(format!("{field}: at most 200 characters")));
    }
    if t.chars().any(char::is_control) {
        return Err(AppError::validation(format!("{field}: must not contain control characters")));
    }
    Ok(t.to_string())
}

/// The chair calls the next speaker (or a chosen one, or the proposer, or the right of reply). The speech
/// being made ends; the new speaker's clock is set to their limit and waits for the chair to start it.
pub(super) fn call_tx(c: &mut DbConnection, _actor: &User, conference_id: i64, input: CallSpeaker) -> AppResult<i64> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        let (rules, in_hand) = rules_and_motion(c, conference_id)?;
        let motion_id = in_hand.ok_or_else(|| AppError::conflict("open the debate on a motion first"))?;
        let now = db::now();
        end_current(c, conference_id, now)?;
        let kind = input.kind.unwrap_or(SpeechKind::Speaker);
        let chosen = match (input.request_id, kind) {
            (Some(id), _) => {
                if input.name.is_some() || input.lmc.is_some() {
                    return Err(AppError::validation(
                        "name, lmc: only for a proposer or reply called without a request",
                    ));
                }
                let (conf, motion, r) = load_request(c, id)?;
                if conf != conference_id || motion != motion_id {
                    return Err(AppError::validation(format!(
                        "request_id: request {id} is not in the queue on the motion in hand"
                    )));
                }
                r.status.transition(RequestStatus::Called)?;
                id
            }
            (None, SpeechKind::Speaker) => {
                if input.name.is_some() || input.lmc.is_some() {
                    return Err(AppError::validation(
                        "name, lmc: only for a proposer or reply called without a request",
                    ));
                }
                let v = view(c, None, conference_id)?;
                v.queue.first().map(|q| q.id).ok_or_else(|| AppError::conflict("nobody is waiting to speak"))?
            }
            (None, SpeechKind::Proposer | SpeechKind::Reply) => {
                let proposer = motion_row(c, motion_id)?.proposer;
                let name = match input.name.as_deref().map(|n| short_text(n, "name")).transpose()? {
                    Some(n) if !n.is_empty() => n,
                    _ => "The proposer".to_string(),
                };
                let lmc = match input.lmc.as_deref().map(|n| short_text(n, "lmc")).transpose()? {
                    Some(l) => l,
                    None => proposer.unwrap_or_default(),
                };
                diesel::insert_into(sr::table)
                    .values((
                        sr::conference_id.eq(conference_id),
                        sr::motion_id.eq(motion_id),
                        sr::representative_id.eq(None::<i64>),
                        sr::name.eq(name),
                        sr::lmc.eq(lmc),
                        sr::side.eq(Side::For.as_str()),
                        sr::kind.eq(kind.as_str()),
                        sr::status.eq(RequestStatus::Waiting.as_str()),
                        sr::requested_at.eq(now),
                        sr::used_ms.eq(0i64),
                    ))
                    .returning(sr::id)
                    .get_result(c)?
            }
        };
        diesel::update(sr::table.filter(sr::id.eq(chosen)))
            .set((
                sr::status.eq(RequestStatus::Called.as_str()),
                sr::kind.eq(kind.as_str()),
                sr::called_at.eq(Some(now)),
                sr::limit_seconds.eq(Some(rules.limit_seconds(kind))),
                sr::used_ms.eq(0i64),
                sr::timer_started_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c)?;
        Ok(chosen)
    })
}

/// The chair starts or stops the clock.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockControl {
    /// true: start (or carry on); false: stop.
    pub running: bool,
}

/// Start or stop the current speaker's clock.
pub(super) fn set_clock_tx(
    c: &mut DbConnection,
    _actor: &User,
    conference_id: i64,
    input: ClockControl,
) -> AppResult<()> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        let row: RequestRow = sr::table
            .filter(sr::conference_id.eq(conference_id))
            .filter(sr::status.eq(RequestStatus::Called.as_str()))
            .select(request_columns!())
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::conflict("nobody has been called to speak"))?;
        let mut r = Request::from_row(row)?;
        let now = db::now();
        if input.running {
            r.timer.start(ms(now))?;
        } else {
            r.timer.stop(ms(now))?;
        }
        diesel::update(sr::table.filter(sr::id.eq(r.id)))
            .set((sr::used_ms.eq(r.timer.used_ms), sr::timer_started_at.eq(input.running.then_some(now))))
            .execute(c)?;
        Ok(())
    })
}

/// The chair ends the speech being made.
pub(super) fn end_speech_tx(c: &mut DbConnection, _actor: &User, conference_id: i64) -> AppResult<()> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        if !end_current(c, conference_id, db::now())? {
            return Err(AppError::conflict("nobody is speaking"));
        }
        Ok(())
    })
}
