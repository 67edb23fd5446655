//! Speakers and time: the chair opens the debate on a motion; representatives ask to speak for or against
//! it from their phones (and may withdraw); the chair calls the proposer, speakers from the queue and the
//! right of reply, and runs each speech's clock against the limits in the conference's standing orders.
//! The rules are in `procedure::speakers`; this module stores them (docs/procedure.md, "Speakers and time").

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{conferences, motions};
use crate::db::schema_speakers::{speaker_requests as sr, speaker_settings as ss};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};
use crate::procedure::speakers::{queue_order, RequestStatus, Side, SpeakingRules, SpeechKind, Timer, Waiting};
use crate::services::access;
use crate::services::audit_log;
use crate::services::auth::User;
use crate::services::conference::representative_of;
use crate::services::events::{self, ConferenceEvent, Hub};

/// The motion being debated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MotionInHand {
    pub id: i64,
    /// As printed ("27a").
    pub item: String,
    pub title: Option<String>,
    pub proposer: Option<String>,
}

/// A request waiting in the queue, in the order the chair is offered them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueuedRequest {
    pub id: i64,
    /// 1 for the next to be called.
    pub position: usize,
    pub name: String,
    pub lmc: String,
    pub side: Side,
    /// Has not yet spoken at this conference.
    pub first_time: bool,
    pub requested_at: DateTime<Utc>,
}

/// A speech's clock as the server reads it at `server_time`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Clock {
    pub limit_seconds: i32,
    pub running: bool,
    /// When the chair last started it (while it runs).
    pub started_at: Option<DateTime<Utc>>,
    /// Time spoken in earlier runs, in milliseconds.
    pub used_ms: i64,
    /// Time left at `server_time`, in milliseconds; negative once over time. A page counts down from it.
    pub remaining_ms: i64,
    pub over_time: bool,
}

/// A speech: the one being made, or one heard earlier in this debate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Speech {
    /// The request it came from (or the row the chair created for the proposer or the reply).
    pub id: i64,
    pub name: String,
    pub lmc: String,
    pub side: Side,
    pub kind: SpeechKind,
    pub status: RequestStatus,
    pub called_at: Option<DateTime<Utc>>,
    pub clock: Clock,
}

/// Everything the chair's page, the projector and a representative's phone show of the debate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SpeakersView {
    pub conference_id: i64,
    pub rules: SpeakingRules,
    /// The motion in hand; null when the chair is not taking speakers.
    pub motion: Option<MotionInHand>,
    /// Speaking now.
    pub current: Option<Speech>,
    /// Waiting, in the order they will be called.
    pub queue: Vec<QueuedRequest>,
    /// Heard so far in this debate, in order.
    pub heard: Vec<Speech>,
    /// The signed-in caller is a representative here (and may ask to speak).
    pub representative: bool,
    /// The caller's own request waiting or being heard on the motion in hand (never in live events).
    pub mine: Option<i64>,
    /// When the server read all this: pages count the clock down from here.
    pub server_time: DateTime<Utc>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn ms(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

fn parse<T: std::str::FromStr>(s: &str, what: &str) -> AppResult<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| AppError::internal_msg(format!("stored {what}: {e}")))
}

type SettingsRow = (bool, i32, i32, i32, Option<i64>);

fn settings_row(c: &mut DbConnection, conference_id: i64) -> AppResult<Option<SettingsRow>> {
    Ok(ss::table
        .filter(ss::conference_id.eq(conference_id))
        .select((ss::first_time_first, ss::proposer_seconds, ss::speaker_seconds, ss::reply_seconds, ss::motion_id))
        .first(c)
        .optional()?)
}

fn rules_and_motion(c: &mut DbConnection, conference_id: i64) -> AppResult<(SpeakingRules, Option<i64>)> {
    Ok(match settings_row(c, conference_id)? {
        Some((first, p, s, r, m)) => (
            SpeakingRules {
                first_time_speakers_first: first,
                proposer_seconds: p,
                speaker_seconds: s,
                reply_seconds: r,
            },
            m,
        ),
        None => (SpeakingRules::default(), None),
    })
}

fn save_settings(
    c: &mut DbConnection,
    conference_id: i64,
    rules: &SpeakingRules,
    motion: Option<i64>,
) -> AppResult<()> {
    let exists = settings_row(c, conference_id)?.is_some();
    let values = (
        ss::first_time_first.eq(rules.first_time_speakers_first),
        ss::proposer_seconds.eq(rules.proposer_seconds),
        ss::speaker_seconds.eq(rules.speaker_seconds),
        ss::reply_seconds.eq(rules.reply_seconds),
        ss::motion_id.eq(motion),
        ss::updated_at.eq(db::now()),
    );
    if exists {
        diesel::update(ss::table.filter(ss::conference_id.eq(conference_id))).set(values).execute(c)?;
    } else {
        diesel::insert_into(ss::table).values((ss::conference_id.eq(conference_id), values)).execute(c)?;
    }
    Ok(())
}

fn conference_status(c: &mut DbConnection, conference_id: i64) -> AppResult<String> {
    conferences::table
        .filter(conferences::id.eq(conference_id))
        .select(conferences::status)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no conference {conference_id}")))
}

fn require_open(c: &mut DbConnection, conference_id: i64) -> AppResult<()> {
    if conference_status(c, conference_id)? != "open" {
        return Err(AppError::conflict("the conference is closed"));
    }
    Ok(())
}

/// The columns of `motions` the speakers' list shows.
#[derive(Queryable, Selectable)]
#[diesel(table_name = motions)]
struct MotionRow {
    id: i64,
    conference_id: i64,
    item: Option<String>,
    number: i32,
    title: Option<String>,
    proposer: Option<String>,
}

fn motion_row(c: &mut DbConnection, motion_id: i64) -> AppResult<MotionRow> {
    motions::table
        .filter(motions::id.eq(motion_id))
        .select(MotionRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {motion_id}")))
}

fn in_hand(row: MotionRow) -> MotionInHand {
    MotionInHand {
        id: row.id,
        item: row.item.unwrap_or_else(|| row.number.to_string()),
        title: row.title,
        proposer: row.proposer,
    }
}

type RequestRow = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<i32>,
    i64,
    Option<NaiveDateTime>,
);

macro_rules! request_columns {
    () => {
        (
            sr::id,
            sr::representative_id,
            sr::name,
            sr::lmc,
            sr::side,
            sr::kind,
            sr::status,
            sr::requested_at,
            sr::called_at,
            sr::limit_seconds,
            sr::used_ms,
            sr::timer_started_at,
        )
    };
}

/// One stored request, its enums read strictly (a bad stored value is an error).
struct Request {
    id: i64,
    representative_id: Option<i64>,
    name: String,
    lmc: String,
    side: Side,
    kind: SpeechKind,
    status: RequestStatus,
    requested_at: NaiveDateTime,
    called_at: Option<NaiveDateTime>,
    timer: Timer,
}

impl Request {
    fn from_row(r: RequestRow) -> AppResult<Request> {
        Ok(Request {
            id: r.0,
            representative_id: r.1,
            name: r.2,
            lmc: r.3,
            side: parse(&r.4, "side")?,
            kind: parse(&r.5, "speech kind")?,
            status: parse(&r.6, "request status")?,
            requested_at: r.7,
            called_at: r.8,
            timer: Timer { limit_ms: i64::from(r.9.unwrap_or(0)) * 1000, used_ms: r.10, started_at_ms: r.11.map(ms) },
        })
    }

    fn speech(&self, now_ms: i64) -> Speech {
        let t = self.timer;
        Speech {
            id: self.id,
            name: self.name.clone(),
            lmc: self.lmc.clone(),
            side: self.side,
            kind: self.kind,
            status: self.status,
            called_at: self.called_at.map(utc),
            clock: Clock {
                limit_seconds: (t.limit_ms / 1000) as i32,
                running: t.running(),
                started_at: t.started_at_ms.and_then(DateTime::from_timestamp_millis),
                used_ms: t.used_ms,
                remaining_ms: t.remaining_ms(now_ms),
                over_time: t.over_time(now_ms),
            },
        }
    }
}

fn load_request(c: &mut DbConnection, id: i64) -> AppResult<(i64, i64, Request)> {
    let (conf, motion, row): (i64, i64, RequestRow) = sr::table
        .filter(sr::id.eq(id))
        .select((sr::conference_id, sr::motion_id, request_columns!()))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no request to speak {id}")))?;
    Ok((conf, motion, Request::from_row(row)?))
}

fn requests_on(c: &mut DbConnection, conference_id: i64, motion_id: i64) -> AppResult<Vec<Request>> {
    let rows: Vec<RequestRow> = sr::table
        .filter(sr::conference_id.eq(conference_id))
        .filter(sr::motion_id.eq(motion_id))
        .order(sr::id.asc())
        .select(request_columns!())
        .load(c)?;
    rows.into_iter().map(Request::from_row).collect()
}

/// The representatives who have spoken (or are speaking) at this conference.
fn have_spoken(c: &mut DbConnection, conference_id: i64) -> AppResult<std::collections::HashSet<i64>> {
    let ids: Vec<Option<i64>> = sr::table
        .filter(sr::conference_id.eq(conference_id))
        .filter(sr::status.eq_any([RequestStatus::Called.as_str(), RequestStatus::Spoken.as_str()]))
        .select(sr::representative_id)
        .distinct()
        .load(c)?;
    Ok(ids.into_iter().flatten().collect())
}

/// The debate as `viewer` sees it (`None`: the public view sent in live events and shown on the projector).
pub fn view(c: &mut DbConnection, viewer: Option<&User>, conference_id: i64) -> AppResult<SpeakersView> {
    let open = conference_status(c, conference_id)? == "open";
    let now = db::now();
    let now_ms = ms(now);
    let (rules, motion_id) = rules_and_motion(c, conference_id)?;
    let rep = match viewer {
        Some(u) => representative_of(c, conference_id, u.id)?,
        None => None,
    };
    let mut v = SpeakersView {
        conference_id,
        rules,
        motion: None,
        current: None,
        queue: Vec::new(),
        heard: Vec::new(),
        representative: rep.is_some(),
        mine: None,
        server_time: utc(now),
    };
    // A closed conference takes no more speakers.
    let Some(motion_id) = motion_id.filter(|_| open) else {
        return Ok(v);
    };
    v.motion = Some(in_hand(motion_row(c, motion_id)?));
    let requests = requests_on(c, conference_id, motion_id)?;
    let spoken = have_spoken(c, conference_id)?;
    let waiting: Vec<&Request> = requests.iter().filter(|r| r.status == RequestStatus::Waiting).collect();
    let keys: Vec<Waiting> = waiting
        .iter()
        .map(|r| Waiting { id: r.id, spoken_before: r.representative_id.is_some_and(|id| spoken.contains(&id)) })
        .collect();
    for (position, i) in queue_order(&keys, rules.first_time_speakers_first).into_iter().enumerate() {
        let r = waiting[i];
        v.queue.push(QueuedRequest {
            id: r.id,
            position: position + 1,
            name: r.name.clone(),
            lmc: r.lmc.clone(),
            side: r.side,
            first_time: !keys[i].spoken_before,
            requested_at: utc(r.requested_at),
        });
    }
    let mut heard: Vec<&Request> = requests.iter().filter(|r| r.status.has_spoken()).collect();
    heard.sort_by_key(|r| (r.called_at, r.id));
    for r in heard {
        if r.status == RequestStatus::Called {
            v.current = Some(r.speech(now_ms));
        } else {
            v.heard.push(r.speech(now_ms));
        }
    }
    if let Some(rep) = rep {
        v.mine = requests.iter().find(|r| r.representative_id == Some(rep.id) && r.status.is_active()).map(|r| r.id);
    }
    Ok(v)
}

/// The conference's speaking rules.
pub fn rules(c: &mut DbConnection, conference_id: i64) -> AppResult<SpeakingRules> {
    conference_status(c, conference_id)?;
    Ok(rules_and_motion(c, conference_id)?.0)
}

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
fn set_rules_tx(
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
            "speakers.rules",
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
        let status = r.status.transition(RequestStatus::Spoken).map_err(AppError::conflict)?;
        if r.timer.running() {
            r.timer.stop(ms(now)).map_err(AppError::conflict)?;
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
fn open_debate_tx(c: &mut DbConnection, actor: &User, conference_id: i64, input: Debate) -> AppResult<()> {
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
            "speakers.debate",
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
fn ask_tx(c: &mut DbConnection, user: &User, motion_id: i64, input: AskToSpeak) -> AppResult<i64> {
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
fn withdraw_tx(c: &mut DbConnection, user: &User, request_id: i64) -> AppResult<i64> {
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
        let status = r.status.transition(RequestStatus::Withdrawn).map_err(AppError::conflict)?;
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
fn call_tx(c: &mut DbConnection, _actor: &User, conference_id: i64, input: CallSpeaker) -> AppResult<i64> {
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
                r.status.transition(RequestStatus::Called).map_err(AppError::conflict)?;
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
fn set_clock_tx(c: &mut DbConnection, _actor: &User, conference_id: i64, input: ClockControl) -> AppResult<()> {
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
            r.timer.start(ms(now)).map_err(AppError::conflict)?;
        } else {
            r.timer.stop(ms(now)).map_err(AppError::conflict)?;
        }
        diesel::update(sr::table.filter(sr::id.eq(r.id)))
            .set((sr::used_ms.eq(r.timer.used_ms), sr::timer_started_at.eq(input.running.then_some(now))))
            .execute(c)?;
        Ok(())
    })
}

/// The chair ends the speech being made.
fn end_speech_tx(c: &mut DbConnection, _actor: &User, conference_id: i64) -> AppResult<()> {
    db::write_tx(c, |c| {
        require_open(c, conference_id)?;
        if !end_current(c, conference_id, db::now())? {
            return Err(AppError::conflict("nobody is speaking"));
        }
        Ok(())
    })
}

// ---- the use cases: each commits, then tells every screen (`speakers_updated`, the public view) -----------

/// Tell every screen what changed (after the commit: the public view), and answer with `viewer`'s own view.
fn tell(c: &mut DbConnection, hub: &Hub, viewer: &User, conference_id: i64) -> AppResult<SpeakersView> {
    let public = view(c, None, conference_id)?;
    events::tell(hub, c, ConferenceEvent::SpeakersUpdated(Box::new(public)));
    view(c, Some(viewer), conference_id)
}

/// The chair sets the speaking rules (see [`RulesUpdate`]).
pub fn set_rules(
    c: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: RulesUpdate,
) -> AppResult<SpeakingRules> {
    let rules = set_rules_tx(c, actor, conference_id, input)?;
    tell(c, hub, actor, conference_id)?;
    Ok(rules)
}

/// The chair opens the debate on a motion, or stops taking speakers.
pub fn open_debate(
    c: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: Debate,
) -> AppResult<SpeakersView> {
    open_debate_tx(c, actor, conference_id, input)?;
    tell(c, hub, actor, conference_id)
}

/// A representative asks to speak on the motion in hand.
pub fn ask(c: &mut DbConnection, hub: &Hub, user: &User, motion_id: i64, input: AskToSpeak) -> AppResult<SpeakersView> {
    let conference_id = ask_tx(c, user, motion_id, input)?;
    tell(c, hub, user, conference_id)
}

/// A waiting request is withdrawn (by the representative who made it, or the chair).
pub fn withdraw(c: &mut DbConnection, hub: &Hub, user: &User, request_id: i64) -> AppResult<SpeakersView> {
    let conference_id = withdraw_tx(c, user, request_id)?;
    tell(c, hub, user, conference_id)
}

/// The chair calls a speaker (see [`CallSpeaker`]).
pub fn call(
    c: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: CallSpeaker,
) -> AppResult<SpeakersView> {
    call_tx(c, actor, conference_id, input)?;
    tell(c, hub, actor, conference_id)
}

/// The chair starts or stops the current speaker's clock.
pub fn set_clock(
    c: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: ClockControl,
) -> AppResult<SpeakersView> {
    set_clock_tx(c, actor, conference_id, input)?;
    tell(c, hub, actor, conference_id)
}

/// The chair ends the speech being made.
pub fn end_speech(c: &mut DbConnection, hub: &Hub, actor: &User, conference_id: i64) -> AppResult<SpeakersView> {
    end_speech_tx(c, actor, conference_id)?;
    tell(c, hub, actor, conference_id)
}
