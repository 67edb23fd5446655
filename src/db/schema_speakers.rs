//! The speakers' queue's tables (migrations `*_speakers_queue`), kept apart from `schema.rs` so the two
//! change independently.

use super::schema::{conferences, motions, representatives};

diesel::table! {
    speaker_settings (conference_id) {
        conference_id -> BigInt,
        first_time_first -> Bool,
        proposer_seconds -> Integer,
        speaker_seconds -> Integer,
        reply_seconds -> Integer,
        motion_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    speaker_requests (id) {
        id -> BigInt,
        conference_id -> BigInt,
        motion_id -> BigInt,
        representative_id -> Nullable<BigInt>,
        name -> Text,
        lmc -> Text,
        side -> Text,
        kind -> Text,
        status -> Text,
        requested_at -> Timestamp,
        called_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        limit_seconds -> Nullable<Integer>,
        used_ms -> BigInt,
        timer_started_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(speaker_settings, speaker_requests);
diesel::allow_tables_to_appear_in_same_query!(speaker_requests, representatives);
diesel::allow_tables_to_appear_in_same_query!(speaker_requests, motions);
diesel::allow_tables_to_appear_in_same_query!(speaker_requests, conferences);
diesel::allow_tables_to_appear_in_same_query!(speaker_settings, motions);
diesel::allow_tables_to_appear_in_same_query!(speaker_settings, conferences);
