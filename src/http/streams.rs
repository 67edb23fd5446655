//! Caps on open event streams, overall and per client address, so idle streams cannot use up the
//! service's file descriptors (`CARRIED_MAX_STREAMS`, `CARRIED_MAX_STREAMS_PER_ADDRESS`).

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use actix_web::{web, HttpRequest};
use futures_util::Stream;

use crate::error::{AppError, ErrorCode};
use crate::services::AppState;

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<String, usize>,
}

/// The open streams of this instance.
#[derive(Clone, Default)]
pub struct StreamSlots {
    counts: Arc<Mutex<Counts>>,
}

/// One open stream; dropping it (when the client goes) frees the slot.
pub struct Slot {
    counts: Arc<Mutex<Counts>>,
    address: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                c.by_address.remove(&self.address);
            }
        }
    }
}

impl StreamSlots {
    /// Take a slot for `address`, or None when this address or the instance is at its cap.
    pub fn acquire(&self, address: &str, max_total: usize, max_per_address: usize) -> Option<Slot> {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mine = c.by_address.get(address).copied().unwrap_or(0);
        if c.total >= max_total || mine >= max_per_address {
            return None;
        }
        c.total += 1;
        c.by_address.insert(address.to_string(), mine + 1);
        Some(Slot { counts: self.counts.clone(), address: address.to_string() })
    }

    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

/// A slot for an event stream requested by `req`, or 429 with a wait.
pub fn stream_slot(req: &HttpRequest) -> Result<Slot, AppError> {
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| AppError::internal_msg("app state missing"))?;
    let s = &state.settings;
    let address = crate::http::client::client_of(req, &s.trusted_proxies);
    state.streams.acquire(&address, s.max_streams, s.max_streams_per_address).ok_or_else(|| {
        AppError::new(ErrorCode::RateLimited, "too many live event streams are open; close some pages and try again")
            .with_retry_after(10)
    })
}

/// `stream`, holding `slot` for as long as it is open.
pub fn hold<S: Stream>(slot: Slot, stream: S) -> Held<S> {
    Held { _slot: slot, stream: Box::pin(stream) }
}

pub struct Held<S> {
    _slot: Slot,
    stream: Pin<Box<S>>,
}

impl<S: Stream> Stream for Held<S> {
    type Item = S::Item;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_overall_and_frees_on_drop() {
        let slots = StreamSlots::default();
        let a1 = slots.acquire("a", 3, 2).expect("first");
        let _a2 = slots.acquire("a", 3, 2).expect("second");
        assert!(slots.acquire("a", 3, 2).is_none(), "per address");
        let _b1 = slots.acquire("b", 3, 2).expect("other address");
        assert!(slots.acquire("c", 3, 2).is_none(), "overall");
        drop(a1);
        assert_eq!(slots.open(), 2);
        assert!(slots.acquire("a", 3, 2).is_some());
    }
}
