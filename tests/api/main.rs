//! One integration-test binary over real HTTP against the real server (so it links once).

mod helpers;
mod mailbox;
mod reliability;

mod access;
mod audit;
mod ballots;
mod cli_output;
mod conference;
mod foundation;
mod fuzz;
mod mailing;
mod officer;
