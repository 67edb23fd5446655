//! Typed requests: one `TestApp` method per operation of the API, named after it and grouped by the
//! OpenAPI document's tags, so a test says `app.close_poll(poll, Some(&chair))` instead of spelling
//! `/api/v1/polls/{poll}/close` by hand. Each returns the `Reply` (status, headers, JSON body, text).
//!
//! Arguments come in the order of the path: the path's ids first, then the JSON body (or CSV bytes)
//! where the operation takes one, then the caller's token (`None` for an anonymous request). Operations
//! whose body is optional have two methods: `close_poll` sends none, `close_poll_with` sends one.
//! Tests that send a malformed path or body on purpose keep using `get`/`post`/`request`/`post_raw`.
// A helper for every operation, whether a test calls it yet or not.
#![allow(dead_code)]

mod accounts;
mod audit;
mod ballots;
mod conferences;
mod end_to_end;
mod motions;
mod polls;
mod service;
mod speakers;
