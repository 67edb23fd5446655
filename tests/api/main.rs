//! One integration-test binary over real HTTP against the real server (so it links once).

mod helpers;
mod mailbox;
mod reliability;
mod requests;

mod access;
mod agenda;
mod audit;
mod ballots;
mod cli_output;
mod committee;
mod conference;
mod conference_day;
mod e2e;
mod e2e_pages;
mod foundation;
mod fuzz;
mod hall;
mod hardening;
mod linked;
mod mailing;
mod officer;
mod roll_admin;
mod secrecy;
mod speakers;
mod stored_words;
mod threshold_http;
