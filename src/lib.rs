//! carried: conference motions voted in parts, and auditable indicative ballots of GPs.
//!
//! `procedure`, `ballot`, `audit` and `domain` (values checked once: an email address, a name) are pure
//! (no web, no database): the rules live there. `audit` is the crate `carried-audit` (crates/carried-audit),
//! so Cargo holds it to that; it is re-exported here so that `crate::audit::…` reads as before.
//! `db` is the one data layer, `services` the use cases, `http` the thin handlers.

pub use carried_audit as audit;
pub mod ballot;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod procedure;
pub mod services;
pub mod startup;
pub mod text_enum;
