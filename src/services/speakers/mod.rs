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
use crate::procedure::ConferenceStatus;
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

fn conference_status(c: &mut DbConnection, conference_id: i64) -> AppResult<ConferenceStatus> {
    conferences::table
        .filter(conferences::id.eq(conference_id))
        .select(conferences::status)
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no conference {conference_id}")))
}

fn require_open(c: &mut DbConnection, conference_id: i64) -> AppResult<()> {
    if conference_status(c, conference_id)? != ConferenceStatus::Open {
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
    let open = conference_status(c, conference_id)? == ConferenceStatus::Open;
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

// After `request_columns!`, which the steps use (a macro is in scope below its definition).
mod transitions;
use transitions::*;
pub use transitions::{AskToSpeak, CallSpeaker, ClockControl, Debate, RulesUpdate};
