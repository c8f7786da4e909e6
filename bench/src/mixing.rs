//! `bench mixing`: how well `rotate` mixes people, against random balanced draws, and how long
//! one `rotate` takes on a large conversation. No server: the same pure function the assign
//! endpoint calls, with the request budget (at most about 150 ms of search per round).

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::Instant;
use talk_breakout::domain::mixing::{self, Assignment, Budget, History};

/// (people, rooms, rounds, what the issue asks for).
const CASES: [(usize, usize, usize, &str); 3] = [(30, 6, 3, "0"), (12, 3, 4, "13 (the minimum)"), (20, 4, 5, "<= 25")];

/// Repeats after `rounds` rounds, each planned with the history of the ones before.
fn rotate_series(people: usize, rooms: usize, rounds: usize, rng: &mut StdRng) -> usize {
    let caps = vec![None; rooms];
    let mut history = History::new(people);
    let mut series: Vec<Assignment> = Vec::new();
    for _ in 0..rounds {
        let a = mixing::rotate(people, &caps, &history, rng, Budget::request(people)).expect("rooms are unlimited");
        history.add_assignment(&a);
        series.push(a);
    }
    mixing::repeats(&series)
}

fn random_series(people: usize, rooms: usize, rounds: usize, rng: &mut StdRng) -> usize {
    let caps = vec![None; rooms];
    let series: Vec<Assignment> = (0..rounds)
        .map(|_| mixing::balanced(people, &caps, rng).expect("rooms are unlimited"))
        .collect();
    mixing::repeats(&series)
}

pub fn run(seed: u64, draws: usize, runs: usize) -> serde_json::Value {
    let mut rng = StdRng::seed_from_u64(seed);
    println!("mixing: repeated pairs after R rounds (each meeting of a pair after its first counts once)");
    println!(
        "{:>22}  {:>14}  {:>22}  {:>16}",
        "people/rooms/rounds", "rotate", "random (mean of draws)", "target (rotate)"
    );
    let mut cases = Vec::new();
    for (people, rooms, rounds, target) in CASES {
        let rotate: Vec<usize> = (0..runs)
            .map(|_| rotate_series(people, rooms, rounds, &mut rng))
            .collect();
        let random_total: usize = (0..draws).map(|_| random_series(people, rooms, rounds, &mut rng)).sum();
        let random_mean = random_total as f64 / draws as f64;
        let worst = rotate.iter().copied().max().unwrap_or(0);
        let best = rotate.iter().copied().min().unwrap_or(0);
        let shown = if best == worst {
            format!("{worst}")
        } else {
            format!("{best}..{worst}")
        };
        println!(
            "{:>22}  {:>14}  {:>22.1}  {:>16}",
            format!("{people}/{rooms}/{rounds}"),
            shown,
            random_mean,
            target
        );
        cases.push(serde_json::json!({
            "people": people, "rooms": rooms, "rounds": rounds,
            "rotate_repeats": rotate, "random_mean_repeats": random_mean, "random_draws": draws,
            "target": target,
        }));
    }

    // One rotate for a large conversation with a long history of random rounds.
    let (people, rooms, history_rounds) = (1000, 50, 20);
    let caps = vec![None; rooms];
    let mut history = History::new(people);
    for _ in 0..history_rounds {
        let a = mixing::balanced(people, &caps, &mut rng).expect("rooms are unlimited");
        history.add_assignment(&a);
    }
    let mut times = Vec::new();
    let mut costs = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let a =
            mixing::rotate(people, &caps, &history, &mut rng, Budget::request(people)).expect("rooms are unlimited");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        costs.push(mixing::cost(&a, &history));
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "one rotate, {people} people / {rooms} rooms / {history_rounds} rounds of history ({} pairs met): \
         median {median:.1} ms, max {max:.1} ms over {runs} runs (target < 200 ms); pairs meeting again: {:?}",
        history.pairs(),
        costs
    );
    serde_json::json!({
        "seed": seed,
        "cases": cases,
        "large": {
            "people": people, "rooms": rooms, "history_rounds": history_rounds,
            "history_pairs": history.pairs(), "runs": runs,
            "median_ms": median, "max_ms": max, "pairs_meeting_again": costs,
        },
    })
}
