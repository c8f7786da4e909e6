//! `attendeeMap` parsing: arbitrary strings never panic, and whatever is accepted satisfies
//! upstream's rules (keys ≥ 1, room numbers within 0..max).
#![no_main]

use libfuzzer_sys::fuzz_target;
use talk_breakout::domain::breakout::parse_attendee_map;

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else { return };
    let max = i64::from(max % 22);
    let text = String::from_utf8_lossy(rest);
    if let Ok(map) = parse_attendee_map(&text, max) {
        for (attendee, room) in map {
            assert!(attendee.0 >= 1, "accepted attendee id {}", attendee.0);
            assert!((0..max).contains(&room), "accepted room {room} with {max} rooms");
        }
    }
});
