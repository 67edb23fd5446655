//! Tables of end-to-end ballots (migrations `…_e2e_ballots`, docs/e2e.md).

diesel::table! {
    e2e_ballots (ballot_id) {
        ballot_id -> BigInt,
        uuid -> Nullable<Text>,
        election -> Nullable<Text>,
        trustees -> Nullable<Text>,
        public_credentials -> Nullable<Text>,
        archive_timestamp -> Nullable<BigInt>,
        head -> Nullable<Text>,
        ballot_count -> BigInt,
        encrypted_tally -> Nullable<Text>,
        num_tallied -> Nullable<BigInt>,
        result -> Nullable<Text>,
        threshold -> Nullable<Integer>,
        threshold_params -> Nullable<Text>,
    }
}

diesel::table! {
    e2e_trustees (ballot_id, position) {
        ballot_id -> BigInt,
        position -> Integer,
        user_id -> BigInt,
        public_key -> Nullable<Text>,
        key_uploaded_at -> Nullable<Timestamp>,
        partial_decryption -> Nullable<Text>,
        decrypted_at -> Nullable<Timestamp>,
        certificate -> Nullable<Text>,
        polynomial -> Nullable<Text>,
        voutput -> Nullable<Text>,
    }
}

diesel::table! {
    e2e_credentials (ballot_id, credential) {
        ballot_id -> BigInt,
        credential -> Text,
        roll_id -> BigInt,
        used -> Bool,
    }
}

diesel::table! {
    e2e_cast (ballot_id, seq) {
        ballot_id -> BigInt,
        seq -> BigInt,
        tracker -> Text,
        ballot -> Text,
    }
}
use super::schema::ballots;
diesel::allow_tables_to_appear_in_same_query!(e2e_ballots, ballots);
