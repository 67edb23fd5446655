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
/// to a text column (`polls::status.eq(PollStatus::Open)`). The same list makes the tests' `listed()`, so
/// an enum given the traits cannot be left out of the tests.
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
    )+

        /// Every enum listed, with its words, for the tests.
        #[cfg(test)]
        fn listed() -> Vec<tests::Listed> {
            vec![$(tests::Listed::of::<$t>(stringify!($t), <$t>::WORDS)),+]
        }
    };
}

use crate::procedure::{AgendaMark, Majority, Outcome, ProceduralKind, Qualifier, TakenAs};

// Every enum stored as one text column, one a line: listing it here gives it the traits above and puts it
// in the tests below (each word goes in and comes back out, an unknown word fails, the schema agrees).
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
    crate::services::reminders::RoundState,
);

#[cfg(test)]
mod tests {
    use diesel::deserialize::FromSqlRow;
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::serialize::ToSql;
    use diesel::sql_types::{Nullable, Text};
    use diesel::sqlite::SqliteConnection;

    use crate::db::{DbConnection, MultiBackend};
    use crate::procedure::{Majority, Outcome};

    /// One enum of the list given to `text_sql!`, with what the tests check of it.
    pub struct Listed {
        name: &'static str,
        words: &'static [&'static str],
        /// Each word loads as the enum and is written back as the same word, and an unknown word fails.
        through_the_database: fn(&mut DbConnection, &[&str]) -> Result<(), String>,
        /// The words the published OpenAPI schema gives.
        schema_words: fn() -> Vec<String>,
    }

    impl Listed {
        pub fn of<T>(name: &'static str, words: &'static [&'static str]) -> Listed
        where
            T: FromSqlRow<Text, MultiBackend> + ToSql<Text, MultiBackend> + utoipa::PartialSchema + 'static,
            Option<T>: FromSqlRow<Nullable<Text>, MultiBackend>,
        {
            Listed { name, words, through_the_database: through_the_database::<T>, schema_words: schema_words::<T> }
        }
    }

    fn through_the_database<T>(c: &mut DbConnection, words: &[&str]) -> Result<(), String>
    where
        T: FromSqlRow<Text, MultiBackend> + ToSql<Text, MultiBackend> + 'static,
        Option<T>: FromSqlRow<Nullable<Text>, MultiBackend>,
    {
        for &word in words {
            let fail = |e: diesel::result::Error| format!("{word}: {e}");
            let loaded: T = diesel::select(word.into_sql::<Text>()).get_result(c).map_err(fail)?;
            let loaded_nullable: Option<T> =
                diesel::select(Some(word).into_sql::<Nullable<Text>>()).get_result(c).map_err(fail)?;
            // Written back through the enum's own `ToSql` (a bound parameter), read as plain text.
            for value in [Some(loaded), loaded_nullable] {
                let written: Option<String> =
                    diesel::select(value.into_sql::<Nullable<Text>>()).get_result(c).map_err(fail)?;
                if written.as_deref() != Some(word) {
                    return Err(format!("{word} was written back as {written:?}"));
                }
            }
        }
        match diesel::select("no_such_word".into_sql::<Text>()).get_result::<T>(c) {
            Ok(_) => Err("an unknown word loaded".to_string()),
            Err(e) => {
                // As logged: the internal error with its cause.
                let logged = crate::error::AppError::from(e).to_string();
                if logged.contains("\"no_such_word\"; expected one of: ") {
                    Ok(())
                } else {
                    Err(format!("the error for an unknown word does not name it: {logged}"))
                }
            }
        }
    }

    fn schema_words<T: utoipa::PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).expect("schema as JSON");
        let list = schema.get("enum").and_then(|e| e.as_array()).cloned().unwrap_or_default();
        list.into_iter().filter_map(|w| w.as_str().map(str::to_string)).collect()
    }

    fn memory() -> DbConnection {
        DbConnection::Sqlite(SqliteConnection::establish(":memory:").expect("in-memory SQLite"))
    }

    #[test]
    fn every_word_of_every_enum_listed_goes_in_and_comes_back_out() {
        let mut c = memory();
        for e in super::listed() {
            if let Err(why) = (e.through_the_database)(&mut c, e.words) {
                panic!("{}: {why}", e.name);
            }
        }
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
        for e in super::listed() {
            assert_eq!((e.schema_words)(), e.words.to_vec(), "{}", e.name);
        }
        // An account's roles are stored together in one column, not through this file, but are published too.
        use crate::services::auth::Role;
        assert_eq!(schema_words::<Role>(), Role::WORDS.to_vec(), "Role");
    }
}
