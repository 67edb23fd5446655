//! The speakers' queue and the speech timer, as standing orders run them: representatives ask to speak
//! for or against the motion in hand; the chair calls the proposer, then speakers from the queue (a
//! representative who has not yet spoken at this conference first, if the conference's standing orders
//! say so), then the proposer's right of reply; each speech runs against its time limit.
//!
//! Pure: the states a request to speak goes through, the order of the queue, the limits and the timer.

use super::errors::SpeakersError;
use crate::text_enum;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

text_enum! {
    /// For or against the motion.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Side ("side") {
        For = "for",
        Against = "against",
    }
}

text_enum! {
    /// What kind of speech: each has its own limit in standing orders.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum SpeechKind ("speech kind") {
        /// The proposer opening the debate.
        Proposer = "proposer",
        /// A speaker for or against, called from the queue.
        Speaker = "speaker",
        /// The proposer's right of reply, closing the debate.
        Reply = "reply",
    }
}

text_enum! {
    /// Where a request to speak is.
    ///
    /// ```text
    /// waiting ──call──▶ called ──next speaker / end──▶ spoken
    ///    │
    ///    ├──withdraw (the representative, or the chair)──▶ withdrawn
    ///    └──the chair moves to another motion──────────▶ lapsed
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RequestStatus ("request status") {
        Waiting = "waiting",
        Called = "called",
        Spoken = "spoken",
        Withdrawn = "withdrawn",
        Lapsed = "lapsed",
    }
}

impl RequestStatus {
    /// Waiting in the queue or speaking now: a representative has at most one such request per motion.
    pub fn is_active(&self) -> bool {
        matches!(self, RequestStatus::Waiting | RequestStatus::Called)
    }

    /// Has been (or is being) heard: no longer a first-time speaker.
    pub fn has_spoken(&self) -> bool {
        matches!(self, RequestStatus::Called | RequestStatus::Spoken)
    }

    /// The state after `to`, or why it cannot happen (in words for the chair or the representative).
    pub fn transition(self, to: RequestStatus) -> Result<RequestStatus, SpeakersError> {
        use RequestStatus::*;
        match (self, to) {
            (Waiting, Called) | (Waiting, Withdrawn) | (Waiting, Lapsed) | (Called, Spoken) => Ok(to),
            (Called, Withdrawn) => Err(SpeakersError::CalledCannotWithdraw),
            (Called, _) => Err(SpeakersError::SpeakingNow),
            (Spoken, _) => Err(SpeakersError::AlreadySpoken),
            (Withdrawn, _) => Err(SpeakersError::Withdrawn),
            (Lapsed, _) => Err(SpeakersError::Lapsed),
            (Waiting, _) => Err(SpeakersError::NotCalledYet),
        }
    }
}

/// One waiting request, as the queue's order needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// Requests are numbered in the order they were made.
    pub id: i64,
    /// The representative has already spoken at this conference (on any motion).
    pub spoken_before: bool,
}

/// The order in which the chair is offered the waiting requests (indices into `waiting`): the order they
/// were made in, except that with `first_time_first` everyone who has not yet spoken at this conference
/// goes ahead of everyone who has (each group in the order its requests were made).
pub fn queue_order(waiting: &[Waiting], first_time_first: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..waiting.len()).collect();
    order.sort_by_key(|&i| (first_time_first && waiting[i].spoken_before, waiting[i].id));
    order
}

/// The time limits and the queue's rule, as the conference's standing orders set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SpeakingRules {
    /// Representatives who have not yet spoken at this conference are called first.
    pub first_time_speakers_first: bool,
    /// The proposer's speech, in seconds.
    pub proposer_seconds: i32,
    /// Every other speech, in seconds.
    pub speaker_seconds: i32,
    /// The proposer's right of reply, in seconds.
    pub reply_seconds: i32,
}

impl Default for SpeakingRules {
    /// Common standing orders: proposer 3 minutes, other speakers 2, right of reply 2.
    fn default() -> Self {
        SpeakingRules {
            first_time_speakers_first: false,
            proposer_seconds: 180,
            speaker_seconds: 120,
            reply_seconds: 120,
        }
    }
}

/// The shortest and longest limit accepted, in seconds.
pub const LIMIT_RANGE: (i32, i32) = (10, 3600);

impl SpeakingRules {
    pub fn limit_seconds(&self, kind: SpeechKind) -> i32 {
        match kind {
            SpeechKind::Proposer => self.proposer_seconds,
            SpeechKind::Speaker => self.speaker_seconds,
            SpeechKind::Reply => self.reply_seconds,
        }
    }

    /// Every limit within [`LIMIT_RANGE`], or the first field that is not.
    pub fn validate(&self) -> Result<(), super::errors::SpeakingTimeError> {
        let (lo, hi) = LIMIT_RANGE;
        for (field, v) in [
            ("proposer_seconds", self.proposer_seconds),
            ("speaker_seconds", self.speaker_seconds),
            ("reply_seconds", self.reply_seconds),
        ] {
            if !(lo..=hi).contains(&v) {
                return Err(super::errors::SpeakingTimeError { field, seconds: v });
            }
        }
        Ok(())
    }
}

/// A speech's clock. Times are milliseconds on the server's clock, so every screen that is told the
/// remaining time at a given server time shows the same thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timer {
    pub limit_ms: i64,
    /// Time used in earlier runs (the chair may stop and restart the clock).
    pub used_ms: i64,
    /// When the clock was last started, while it runs.
    pub started_at_ms: Option<i64>,
}

impl Timer {
    pub fn new(limit_seconds: i32) -> Timer {
        Timer { limit_ms: i64::from(limit_seconds) * 1000, used_ms: 0, started_at_ms: None }
    }

    pub fn running(&self) -> bool {
        self.started_at_ms.is_some()
    }

    /// Time spoken so far. A clock that went backwards counts as no time.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        self.used_ms + self.started_at_ms.map_or(0, |s| (now_ms - s).max(0))
    }

    /// Time left; negative once the speaker is over their time.
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        self.limit_ms - self.elapsed_ms(now_ms)
    }

    pub fn over_time(&self, now_ms: i64) -> bool {
        self.remaining_ms(now_ms) < 0
    }

    pub fn start(&mut self, now_ms: i64) -> Result<(), SpeakersError> {
        if self.running() {
            return Err(SpeakersError::ClockRunning);
        }
        self.started_at_ms = Some(now_ms);
        Ok(())
    }

    pub fn stop(&mut self, now_ms: i64) -> Result<(), SpeakersError> {
        if !self.running() {
            return Err(SpeakersError::ClockNotRunning);
        }
        self.used_ms = self.elapsed_ms(now_ms);
        self.started_at_ms = None;
        Ok(())
    }
}

/// "2:00", "0:07"; over time, "+0:12" (how far over).
pub fn clock_text(remaining_ms: i64) -> String {
    let over = remaining_ms < 0;
    // Count down in whole seconds shown until they are used up: 1.2 s left shows 0:02; over by 0.4 s, +0:00.
    let secs = if over { (-remaining_ms) / 1000 } else { (remaining_ms + 999) / 1000 };
    format!("{}{}:{:02}", if over { "+" } else { "" }, secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(id: i64, spoken_before: bool) -> Waiting {
        Waiting { id, spoken_before }
    }

    #[test]
    fn first_come_first_called_unless_first_time_speakers_go_first() {
        let q = [w(3, true), w(5, false), w(1, true), w(9, false)];
        assert_eq!(queue_order(&q, false), vec![2, 0, 1, 3], "the order asked in: 1, 3, 5, 9");
        assert_eq!(queue_order(&q, true), vec![1, 3, 2, 0], "first-time speakers 5 and 9, then 1 and 3");
        assert!(queue_order(&[], true).is_empty());
    }

    #[test]
    fn states_and_their_transitions() {
        use RequestStatus::*;
        assert_eq!(Waiting.transition(Called), Ok(Called));
        assert_eq!(Waiting.transition(Withdrawn), Ok(Withdrawn));
        assert_eq!(Waiting.transition(Lapsed), Ok(Lapsed));
        assert_eq!(Called.transition(Spoken), Ok(Spoken));
        assert_eq!(Called.transition(Withdrawn), Err(SpeakersError::CalledCannotWithdraw), "the chair ends it");
        assert_eq!(Called.transition(Called), Err(SpeakersError::SpeakingNow));
        assert_eq!(Spoken.transition(Called), Err(SpeakersError::AlreadySpoken));
        assert_eq!(Withdrawn.transition(Called), Err(SpeakersError::Withdrawn));
        assert_eq!(Lapsed.transition(Called), Err(SpeakersError::Lapsed));
        assert_eq!(Waiting.transition(Spoken), Err(SpeakersError::NotCalledYet), "never heard");
        for s in [Spoken, Withdrawn, Lapsed] {
            for t in RequestStatus::ALL {
                assert!(s.transition(t).is_err(), "{s:?} is final");
            }
        }
        for s in RequestStatus::ALL {
            assert_eq!(s.as_str().parse::<RequestStatus>(), Ok(s));
        }
        assert!("spoke".parse::<RequestStatus>().is_err(), "a bad stored value is an error, not a default");
        assert_eq!((Waiting.is_active(), Called.is_active(), Spoken.is_active()), (true, true, false));
        assert_eq!((Waiting.has_spoken(), Called.has_spoken(), Spoken.has_spoken()), (false, true, true));
    }

    #[test]
    fn names_round_trip() {
        for s in [Side::For, Side::Against] {
            assert_eq!(s.as_str().parse::<Side>(), Ok(s));
        }
        for k in [SpeechKind::Proposer, SpeechKind::Speaker, SpeechKind::Reply] {
            assert_eq!(k.as_str().parse::<SpeechKind>(), Ok(k));
        }
        assert!("abstain".parse::<Side>().is_err());
        assert!("seconder".parse::<SpeechKind>().is_err());
    }

    #[test]
    fn limits_per_kind_and_their_range() {
        let r = SpeakingRules::default();
        assert_eq!(
            (
                r.limit_seconds(SpeechKind::Proposer),
                r.limit_seconds(SpeechKind::Speaker),
                r.limit_seconds(SpeechKind::Reply)
            ),
            (180, 120, 120)
        );
        assert!(r.validate().is_ok());
        let bad = SpeakingRules { speaker_seconds: 5, ..r };
        assert_eq!(
            bad.validate(),
            Err(super::super::errors::SpeakingTimeError { field: "speaker_seconds", seconds: 5 })
        );
        assert_eq!(
            bad.validate().map_err(|e| e.to_string()),
            Err("speaker_seconds: 5 is not between 10 and 3600 seconds".to_string())
        );
        assert!(SpeakingRules { reply_seconds: 3601, ..r }.validate().is_err());
    }

    #[test]
    fn the_clock_counts_down_stops_restarts_and_goes_over() {
        let mut t = Timer::new(120);
        assert_eq!(t.remaining_ms(5_000), 120_000, "not started: the full time");
        t.start(10_000).expect("start");
        assert_eq!(t.start(11_000), Err(SpeakersError::ClockRunning));
        assert_eq!(t.remaining_ms(40_000), 90_000);
        t.stop(40_000).expect("stop");
        assert_eq!(t.stop(41_000), Err(SpeakersError::ClockNotRunning));
        assert_eq!(t.remaining_ms(99_000), 90_000, "stopped: time stands still");
        t.start(100_000).expect("restart");
        assert_eq!(t.remaining_ms(190_000), 0);
        assert!(!t.over_time(190_000));
        assert!(t.over_time(190_001));
        assert_eq!(t.remaining_ms(202_000), -12_000);
        assert_eq!(t.remaining_ms(50_000), 90_000, "a clock read before its start counts no time");
    }

    #[test]
    fn clock_text_counts_whole_seconds_and_over_time() {
        assert_eq!(clock_text(120_000), "2:00");
        assert_eq!(clock_text(119_001), "2:00");
        assert_eq!(clock_text(1_200), "0:02");
        assert_eq!(clock_text(0), "0:00");
        assert_eq!(clock_text(-400), "+0:00");
        assert_eq!(clock_text(-12_000), "+0:12");
        assert_eq!(clock_text(-75_500), "+1:15");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The queue's order is a permutation of the waiting requests; with the rule, every first-time
        /// speaker comes before everyone who has spoken; within each group (and without the rule) requests
        /// keep the order they were made in.
        #[test]
        fn the_queue_is_a_fair_permutation(
            raw in proptest::collection::vec((0i64..10_000, any::<bool>()), 0..40),
            rule in any::<bool>(),
        ) {
            let mut seen = std::collections::HashSet::new();
            let waiting: Vec<Waiting> = raw.into_iter().filter(|(id, _)| seen.insert(*id)).map(|(id, s)| w(id, s)).collect();
            let order = queue_order(&waiting, rule);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..waiting.len()).collect::<Vec<_>>());
            for pair in order.windows(2) {
                let (a, b) = (waiting[pair[0]], waiting[pair[1]]);
                if rule && a.spoken_before != b.spoken_before {
                    prop_assert!(!a.spoken_before && b.spoken_before, "first-time speakers go first");
                } else {
                    prop_assert!(a.id < b.id, "otherwise, the order asked in");
                }
            }
        }

        /// However the chair starts and stops the clock, the time used is the sum of the running
        /// stretches, and used + remaining is always the limit.
        #[test]
        fn the_clock_adds_up(
            limit in 10i32..3600,
            steps in proptest::collection::vec(0i64..200_000, 0..12),
            read_after in 0i64..500_000,
        ) {
            let mut t = Timer::new(limit);
            let mut now = 1_000_000i64;
            let mut expected = 0i64;
            for (i, step) in steps.iter().enumerate() {
                if i % 2 == 0 {
                    prop_assert!(t.start(now).is_ok());
                } else {
                    prop_assert!(t.stop(now).is_ok());
                    expected += steps[i - 1];
                }
                now += step;
            }
            if steps.len() % 2 == 1 {
                expected += steps[steps.len() - 1];
            }
            prop_assert_eq!(t.elapsed_ms(now), expected);
            prop_assert_eq!(t.elapsed_ms(now) + t.remaining_ms(now), i64::from(limit) * 1000);
            prop_assert_eq!(t.over_time(now), expected > i64::from(limit) * 1000);
            let later = now + read_after;
            prop_assert!(t.remaining_ms(later) <= t.remaining_ms(now), "time never comes back");
            prop_assert_eq!(t.remaining_ms(later) == t.remaining_ms(now), !t.running() || read_after == 0);
        }
    }
}
