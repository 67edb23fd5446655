//! carried: conference motions voted in parts, and auditable indicative ballots of GPs.
//!
//! `procedure`, `ballot`, `audit` and `domain` (values checked once: an email address, a name) are pure
//! (no web, no database): the rules live there.
//! `db` is the one data layer, `services` the use cases, `http` the thin handlers.

pub mod audit;
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
