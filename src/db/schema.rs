//! The tables, written once with portable types (the same migrations exist for SQLite and PostgreSQL).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        roles -> Text,
        active -> Bool,
        created_at -> Timestamp,
        session_generation -> BigInt,
        link_generation -> BigInt,
        link_expires_at -> Nullable<Timestamp>,
        email_proven -> Bool,
    }
}

diesel::table! {
    login_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        attempts -> Integer,
        failures -> Integer,
        blocked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    password_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        expires_at -> Timestamp,
        used -> Bool,
    }
}

diesel::table! {
    service_keys (purpose, kid) {
        purpose -> Text,
        kid -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    conferences (id) {
        id -> BigInt,
        name -> Text,
        venue -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        starts_on -> Nullable<Text>,
        ends_on -> Nullable<Text>,
    }
}

diesel::table! {
    representatives (id) {
        id -> BigInt,
        conference_id -> BigInt,
        user_id -> BigInt,
        lmc -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    motions (id) {
        id -> BigInt,
        conference_id -> BigInt,
        number -> Integer,
        title -> Nullable<Text>,
        proposer -> Nullable<Text>,
        agenda_committee -> Bool,
        stem -> Text,
        marks -> Text,
        bracket -> Nullable<Text>,
        needs_two_thirds -> Bool,
        taken_as -> Nullable<Text>,
        whole_outcome -> Nullable<Text>,
        whole_qualifier -> Nullable<Text>,
        whole_counts -> Nullable<Text>,
        created_at -> Timestamp,
        item -> Nullable<Text>,
        kind -> Text,
        section -> Nullable<Text>,
        subsection -> Nullable<Text>,
        amends -> Nullable<Text>,
        placement -> Nullable<Text>,
        after_parts -> Nullable<Text>,
        seconder -> Nullable<Text>,
        position -> Nullable<Integer>,
    }
}

diesel::table! {
    parts (id) {
        id -> BigInt,
        motion_id -> BigInt,
        position -> Integer,
        label -> Text,
        text -> Text,
        outcome -> Nullable<Text>,
        qualifier -> Nullable<Text>,
        counts -> Nullable<Text>,
        added_by_rider -> Bool,
    }
}

diesel::table! {
    polls (id) {
        id -> BigInt,
        conference_id -> BigInt,
        motion_id -> Nullable<BigInt>,
        subject -> Text,
        question -> Text,
        majority -> Text,
        method -> Text,
        status -> Text,
        opened_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        for_votes -> BigInt,
        against_votes -> BigInt,
        abstain_votes -> BigInt,
        counted -> Bool,
        carried -> Nullable<Bool>,
        qualifier -> Nullable<Text>,
        wording -> Nullable<Text>,
        before_state -> Nullable<Text>,
        void_reason -> Nullable<Text>,
        voided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    poll_votes (poll_id, representative_id) {
        poll_id -> BigInt,
        representative_id -> BigInt,
        choice -> Text,
        cast_at -> Timestamp,
    }
}

diesel::table! {
    ballots (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        questions -> Text,
        status -> Text,
        publication -> Text,
        opens_at -> Nullable<Timestamp>,
        closes_at -> Nullable<Timestamp>,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        eligible -> Nullable<BigInt>,
        genesis -> Nullable<Text>,
        head -> Nullable<Text>,
        entry_count -> BigInt,
        signoff -> Nullable<Text>,
        record -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    roll (id) {
        id -> BigInt,
        ballot_id -> BigInt,
        membership_no -> Text,
        name -> Text,
        email -> Text,
        lmc -> Text,
        role -> Text,
        code_hash -> Nullable<Text>,
        voted -> Bool,
        confirmed -> Bool,
    }
}

diesel::table! {
    ballot_entries (ballot_id, seq) {
        ballot_id -> BigInt,
        seq -> BigInt,
        receipt -> Text,
        answers -> Text,
        nonce -> Text,
        prev -> Text,
        hash -> Text,
    }
}

diesel::table! {
    group_counts (ballot_id, dimension, grp, question, choice) {
        ballot_id -> BigInt,
        dimension -> Text,
        grp -> Text,
        question -> Integer,
        choice -> Text,
        votes -> BigInt,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Text,
        actor -> Text,
        action -> Text,
        subject -> Text,
        details -> Text,
        prev -> Text,
        hash -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        kind -> Text,
        to_addr -> Text,
        to_name -> Text,
        subject -> Text,
        body -> Text,
        ballot_id -> Nullable<BigInt>,
        roll_id -> Nullable<BigInt>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conference_chairs (conference_id, user_id) {
        conference_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    ballot_officers (ballot_id, user_id) {
        ballot_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    ballot_box (ballot_id, token) {
        ballot_id -> BigInt,
        token -> Text,
        receipt -> Text,
        answers -> Text,
        nonce -> Text,
        lmc -> Text,
        role -> Text,
    }
}

diesel::table! {
    /// Scheduled reminders (services::reminders): one row per round, claimed once.
    reminder_schedule (ballot_id, days_before_close) {
        ballot_id -> BigInt,
        days_before_close -> Integer,
        state -> Text,
        done_at -> Nullable<Timestamp>,
        sent_count -> Nullable<BigInt>,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(representatives -> conferences (conference_id));
diesel::joinable!(representatives -> users (user_id));
diesel::joinable!(motions -> conferences (conference_id));
diesel::joinable!(parts -> motions (motion_id));
diesel::joinable!(poll_votes -> polls (poll_id));
diesel::joinable!(roll -> ballots (ballot_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    login_limits,
    password_tokens,
    service_keys,
    conferences,
    representatives,
    motions,
    parts,
    polls,
    poll_votes,
    ballots,
    roll,
    ballot_entries,
    group_counts,
    audit_log,
    mail_outbox,
    conference_chairs,
    ballot_officers,
    ballot_box,
);
