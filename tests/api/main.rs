//! One integration-test binary over real HTTP against the real server (so it links once).

mod helpers;

mod conference;
mod foundation;
