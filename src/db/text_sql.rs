//! Stored words as SQL text: the `text_enum!` enums written to and read from `TEXT` columns on both
//! backends (and through the `MultiConnection`'s own backend).
//!
//! Writing stores `as_str()`. Reading accepts only the exact words: a stored word this version does not
//! know is a load error (`deserialize` fails, so the query fails and the request answers 500 with the
//! error logged), never a silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Nullable, SingleValue, Text};
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// Give each `text_enum!` enum listed diesel's `ToSql`/`FromSql` for `Text` (SQLite, PostgreSQL and the
/// `MultiBackend`), `Queryable` as one column, and `AsExpression` so it can be compared with and written
/// to a text column (`polls::status.eq(PollStatus::Open)`).
macro_rules! text_sql {
    ($($t:ty),+ $(,)?) => {$(
        impl FromSql<Text, Sqlite> for $t {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let word = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                Ok(<$t>::parse_word(&word)?)
            }
        }

        impl FromSql<Text, Pg> for $t {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let word = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                Ok(<$t>::parse_word(&word)?)
            }
        }

        impl FromSql<Text, MultiBackend> for $t {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }

        impl ToSql<Text, Sqlite> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <str as ToSql<Text, Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, Pg> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, MultiBackend> for $t {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl<DB, ST> Queryable<ST, DB> for $t
        where
            DB: Backend,
            ST: SingleValue,
            $t: FromSql<ST, DB>,
        {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<Text> for $t {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Text> for &$t {
            type Expression = <&'static str as AsExpression<Text>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Text>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for $t {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }

        impl AsExpression<Nullable<Text>> for &$t {
            type Expression = <&'static str as AsExpression<Nullable<Text>>>::Expression;
            fn as_expression(self) -> Self::Expression {
                <&'static str as AsExpression<Nullable<Text>>>::as_expression(self.as_str())
            }
        }
    )+};
}

use crate::procedure::{AgendaMark, Majority, Outcome, ProceduralKind, Qualifier, TakenAs};

text_sql!(
    Majority,
    Outcome,
    Qualifier,
    TakenAs,
    AgendaMark,
    ProceduralKind,
    crate::procedure::Choice,
    crate::procedure::ItemKind,
    crate::procedure::resolutions::Method,
    crate::procedure::polls::PollStatus,
    crate::procedure::ConferenceStatus,
    crate::procedure::speakers::Side,
    crate::procedure::speakers::SpeechKind,
    crate::procedure::speakers::RequestStatus,
    crate::ballot::roll::GpRole,
    crate::ballot::status::BallotStatus,
    crate::services::mail::MailKind,
    crate::services::mail::MailStatus,
    crate::services::audit_log::AuditAction,
);

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use diesel::sqlite::SqliteConnection;

    use crate::db::DbConnection;
    use crate::procedure::{Majority, Outcome};

    fn memory() -> DbConnection {
        DbConnection::Sqlite(SqliteConnection::establish(":memory:").expect("in-memory SQLite"))
    }

    #[test]
    fn every_word_goes_in_and_comes_back_out() {
        let mut c = memory();
        for m in Majority::ALL {
            let back: Majority = diesel::select(m.into_sql::<Text>()).get_result(&mut c).expect("loads");
            assert_eq!(back, m);
        }
        for o in Outcome::ALL {
            let back: Option<Outcome> = diesel::select(Some(o).into_sql::<diesel::sql_types::Nullable<Text>>())
                .get_result(&mut c)
                .expect("loads");
            assert_eq!(back, Some(o));
        }
        // The words kept outside the core: the outbox's and the audit log's.
        macro_rules! round_trip {
            ($($t:ty),+) => {$(
                for v in <$t>::ALL {
                    let back: $t = diesel::select(v.into_sql::<Text>()).get_result(&mut c).expect("loads");
                    assert_eq!(back, v);
                }
            )+};
        }
        round_trip!(
            crate::services::mail::MailKind,
            crate::services::mail::MailStatus,
            crate::services::audit_log::AuditAction
        );
    }

    #[test]
    fn an_unknown_stored_word_is_a_load_error_naming_it() {
        let mut c = memory();
        let e =
            diesel::select(sql::<Text>("'three_quarters'")).get_result::<Majority>(&mut c).expect_err("not a majority");
        // Logged as the cause of an internal error (500), with the word and the words allowed.
        let text = crate::error::AppError::from(e).to_string();
        assert!(text.starts_with("internal"), "{text}");
        assert!(text.contains("unknown majority \"three_quarters\"; expected one of: simple, two_thirds"), "{text}");
        // Stored words are exact: the loose spellings people may type are not accepted from the database.
        assert!(diesel::select(sql::<Text>("'SIMPLE'")).get_result::<Majority>(&mut c).is_err());
        assert!(diesel::select(sql::<Text>("'NOT REACHED'")).get_result::<Outcome>(&mut c).is_err());
    }

    /// The OpenAPI schema (from `#[serde(rename_all)]`) lists the same words serde and the database use.
    #[test]
    fn the_published_schema_names_the_same_words() {
        fn words_of<T: utoipa::PartialSchema>() -> Vec<String> {
            let schema = serde_json::to_value(T::schema()).expect("schema as JSON");
            let list = schema.get("enum").and_then(|e| e.as_array()).cloned().unwrap_or_default();
            list.into_iter().filter_map(|w| w.as_str().map(str::to_string)).collect()
        }
        macro_rules! same {
            ($($t:ty),+) => {$(
                assert_eq!(words_of::<$t>(), <$t>::WORDS.to_vec(), "{}", stringify!($t));
            )+};
        }
        same!(
            Majority,
            Outcome,
            crate::procedure::Qualifier,
            crate::procedure::TakenAs,
            crate::procedure::AgendaMark,
            crate::procedure::ProceduralKind,
            crate::procedure::Choice,
            crate::procedure::ItemKind,
            crate::procedure::resolutions::Method,
            crate::procedure::polls::PollStatus,
            crate::procedure::ConferenceStatus,
            crate::procedure::speakers::Side,
            crate::procedure::speakers::SpeechKind,
            crate::procedure::speakers::RequestStatus,
            crate::ballot::roll::GpRole,
            crate::ballot::status::BallotStatus,
            crate::services::auth::Role,
            crate::services::mail::MailKind,
            crate::services::mail::MailStatus
        );
    }
}
