//! PURE. Values that are checked once, where they enter, and can then only hold a valid value: an email
//! address and a person's name. Accounts (`services::auth`) and the electoral roll (`ballot::roll`) use the
//! same types, so the two cannot drift apart. No web, no database here.

pub mod email;
pub mod name;

pub use email::{EmailAddress, EmailError};
pub use name::{NameError, PersonName};
