use super::*;

#[test]
fn backoff_grows_and_is_capped() {
    assert_eq!(backoff_seconds(1), 2);
    assert_eq!(backoff_seconds(3), 8);
    assert_eq!(backoff_seconds(50), 256);
    assert!(backoff_seconds(8) <= 300);
}

#[test]
fn claims_fill_the_connections_and_respect_the_rate_ceiling() {
    let t = Tuning { connections: 8, max_per_second: None, lease_seconds: 60 };
    assert_eq!(claim_size(&t), 256);
    assert_eq!(claim_size(&Tuning { connections: 100, ..t }), CLAIM_MAX);
    assert_eq!(claim_size(&Tuning { max_per_second: Some(5.0), ..t }), 50);
    assert_eq!(claim_size(&Tuning { max_per_second: Some(0.01), ..t }), 1);
    assert_eq!(claim_size(&Tuning { connections: 0, ..t }), 32);
}

#[test]
fn the_pacer_spaces_sends_and_never_schedules_in_the_past() {
    let t0 = Instant::now();
    let iv = Duration::from_millis(100);
    // Idle for a while: the next send goes now, not at a slot long past.
    let (slot, next) = next_slot(t0, t0 + Duration::from_secs(5), iv);
    assert_eq!(slot, t0 + Duration::from_secs(5));
    assert_eq!(next, slot + iv);
    // A burst: each send takes the following slot, so ten sends span a second.
    let mut next = t0;
    let mut slots = Vec::new();
    for _ in 0..10 {
        let (s, n) = next_slot(next, t0, iv);
        slots.push(s);
        next = n;
    }
    assert_eq!(slots[9] - slots[0], Duration::from_millis(900));
    assert!(Pacer::new(None).interval.is_none());
    assert!(Pacer::new(Some(0.0)).interval.is_none());
    assert_eq!(Pacer::new(Some(400.0)).interval, Some(Duration::from_micros(2500)));
}

#[test]
fn names_cannot_break_headers() {
    assert_eq!(quote_name("Dr \"X\" \\ Y"), "\"Dr X  Y\"");
    assert!(check_header_safe("a\r\nBcc: x", "name").is_err());
}
