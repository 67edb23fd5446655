//! Words that are stored and sent as text ("simple", "two_thirds", "carried", …), as Rust enums.
//!
//! [`text_enum!`] declares such an enum once, with the one word each variant is written as, and gives it
//! `ALL`, `WORDS`, `as_str`, `from_word`, `FromStr`, `Display`, and serde `Serialize`/`Deserialize` as that
//! word. Reading a word the enum does not know is always an error that names the word and the ones allowed:
//! serde refuses it, `FromStr` refuses it, and the data layer (`db::text_sql`) refuses a stored one.
//!
//! Pure: no web, no database. The data layer adds diesel's `ToSql`/`FromSql` for these enums.

/// A word that is not one of an enum's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema, thiserror::Error)]
#[error("unknown {what} \"{given}\"; expected one of: {expected}")]
pub struct UnknownName {
    /// What kind of word it was ("outcome", "majority", …).
    pub what: String,
    /// The text given.
    pub given: String,
    /// The accepted words, comma-separated.
    pub expected: String,
}

impl UnknownName {
    pub fn new(what: &str, given: &str, expected: &[&str]) -> Self {
        UnknownName { what: what.to_string(), given: given.to_string(), expected: expected.join(", ") }
    }
}

/// Declare an enum whose variants are stored and sent as words.
///
/// ```ignore
/// text_enum! {
///     /// The majority a poll needs.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
///     #[serde(rename_all = "snake_case")] // read by ToSchema only: the words below are what serde uses
///     pub enum Majority ("majority", loose) {
///         Simple = "simple",
///         TwoThirds = "two_thirds",
///     }
/// }
/// ```
///
/// In the parentheses: what the word names (for error messages), then optionally
/// - `loose`: `FromStr` (for people's input: CSV files, the CLI) ignores surrounding spaces and ASCII case;
/// - `also = method`: `FromStr` also accepts `self.method()` (e.g. the printed "NOT REACHED");
/// - `err = function -> Type`: `FromStr`'s error is `function(UnknownName)` of that type.
///
/// `from_word`, serde and the data layer accept only the exact words.
#[macro_export]
macro_rules! text_enum {
    (@err_ty) => { $crate::text_enum::UnknownName };
    (@err_ty $err:ty) => { $err };
    (@err_map $e:ident) => { $e };
    (@err_map $e:ident, $errfn:ident) => { $errfn($e) };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal, loose $($rest:tt)*) { $($body:tt)* }
    ) => {
        $crate::text_enum!(@make [true] $(#[$meta])* $vis enum $name ($what $($rest)*) { $($body)* });
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal $($rest:tt)*) { $($body:tt)* }
    ) => {
        $crate::text_enum!(@make [false] $(#[$meta])* $vis enum $name ($what $($rest)*) { $($body)* });
    };
    (
        @make [$loose:expr]
        $(#[$meta:meta])*
        $vis:vis enum $name:ident (
            $what:literal
            $(, also = $alias:ident)?
            $(, err = $errfn:ident -> $err:ty)?
        ) {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$variant),+];

            /// Every word, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word this variant is stored and sent as.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The variant written as exactly `word`, if any.
            pub fn from_word(word: &str) -> Option<Self> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// [`Self::from_word`], or the error naming the word and the ones allowed.
            pub fn parse_word(word: &str) -> Result<Self, $crate::text_enum::UnknownName> {
                Self::from_word(word).ok_or_else(|| $crate::text_enum::UnknownName::new($what, word, Self::WORDS))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::text_enum!(@err_ty $($err)?);

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let loose: bool = $loose;
                let wanted = if loose { s.trim() } else { s };
                let same = |a: &str| if loose { a.eq_ignore_ascii_case(wanted) } else { a == wanted };
                Self::ALL
                    .into_iter()
                    .find(|v| same(v.as_str()) $(|| same(v.$alias()))?)
                    .ok_or_else(|| {
                        let e = $crate::text_enum::UnknownName::new($what, s, Self::WORDS);
                        $crate::text_enum!(@err_map e $(, $errfn)?)
                    })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Words;
                impl ::serde::de::Visitor<'_> for Words {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "a {} (one of {})", $what, $name::WORDS.join(", "))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::from_word(v).ok_or_else(|| E::unknown_variant(v, $name::WORDS))
                    }
                }
                deserializer.deserialize_str(Words)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    crate::text_enum! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour ("colour") {
            Red = "red",
            /// A doc comment on a variant is kept.
            DarkBlue = "dark_blue",
        }
    }

    crate::text_enum! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        enum Size ("size", loose, also = shout, err = size_error -> String) {
            #[default]
            Small = "small",
            Large = "large",
        }
    }

    impl Size {
        fn shout(&self) -> &'static str {
            match self {
                Size::Small => "SMALL!",
                Size::Large => "LARGE!",
            }
        }
    }

    fn size_error(e: super::UnknownName) -> String {
        format!("bad size {}", e.given)
    }

    #[test]
    fn every_variant_round_trips_through_its_word() {
        assert_eq!(Colour::WORDS, &["red", "dark_blue"]);
        for c in Colour::ALL {
            assert_eq!(Colour::from_word(c.as_str()), Some(c));
            assert_eq!(c.as_str().parse::<Colour>(), Ok(c));
            assert_eq!(c.to_string(), c.as_str());
            let json = serde_json::to_string(&c).expect("serialises");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).expect("deserialises"), c);
        }
        for s in Size::ALL {
            assert_eq!(Size::from_word(s.as_str()), Some(s));
            assert_eq!(s.as_str().parse::<Size>(), Ok(s));
        }
        assert_eq!(Size::default(), Size::Small);
        assert_eq!(Size::parse_word("large"), Ok(Size::Large));
    }

    #[test]
    fn a_bad_word_is_refused_with_its_name_and_the_allowed_ones() {
        let e = Colour::from_str("green").expect_err("green is no colour");
        assert_eq!(e.to_string(), "unknown colour \"green\"; expected one of: red, dark_blue");
        assert_eq!(Colour::parse_word("green"), Err(e));
        // Exact words only, unless loose.
        assert!(Colour::from_str(" red").is_err());
        assert!(Colour::from_str("RED").is_err());
        assert_eq!(Colour::from_word("Red"), None);
    }

    #[test]
    fn loose_parsing_ignores_case_and_spaces_and_accepts_the_alias() {
        assert_eq!(" LARGE ".parse::<Size>(), Ok(Size::Large));
        assert_eq!("small!".parse::<Size>(), Ok(Size::Small));
        assert_eq!("huge".parse::<Size>(), Err("bad size huge".to_string()));
        // The stored word is still exact.
        assert_eq!(Size::from_word("LARGE"), None);
    }

    #[test]
    fn serde_refuses_a_bad_word_naming_it() {
        let e = serde_json::from_str::<Colour>("\"green\"").expect_err("refused").to_string();
        assert!(e.contains("green") && e.contains("red") && e.contains("dark_blue"), "{e}");
        let e = serde_json::from_str::<Size>("\"LARGE\"").expect_err("serde is exact").to_string();
        assert!(e.contains("LARGE"), "{e}");
        let e = serde_json::from_str::<Colour>("3").expect_err("not a string").to_string();
        assert!(e.contains("colour"), "{e}");
    }
}
