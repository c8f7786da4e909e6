//! Assignments that mix people: who goes into which breakout room. Pure: no database, no clock
//! other than the optional time budget, randomness only from the generator the caller passes (a
//! seeded one in tests, so results are reproducible).
//!
//! People are numbered `0..n`, rooms `0..k` in the caller's order; an [`Assignment`] is each
//! person's room.
//!
//! # Sizes
//! Capacities are hard limits. Within them sizes are as even as possible ([`room_sizes`]): with `L`
//! the smallest level such that `Σ min(capᵢ, L) ≥ n`, every room gets `min(capᵢ, L − 1)` seats and
//! the people left over go one each to rooms whose capacity reaches `L` (chosen at random). So
//! every room is at `L − 1` or `L`, except rooms whose capacity is below `L − 1`, which are full:
//! the largest room is as small as it can be, and sizes differ by at most one where capacities
//! allow. O(k log n).
//!
//! # `balanced`
//! A uniform shuffle poured into those sizes. O(n + k log n).
//!
//! # `rotate`
//! Minimises the number of pairs in the new assignment who already shared a room (history: the
//! completed rounds; a pair that met before costs 1 however often it met, because each meeting
//! after the first counts once as a repeat), with the sizes above fixed.
//! 1. Greedy construction: people in random order, most-met first (they are the hardest to
//!    place), each into the room with free seats where they have met the fewest present people
//!    (ties at random).
//! 2. Local search over two kinds of step: swapping two people of different rooms, or, where
//!    sizes allow, moving one person from a room of size `L` to one of size `L − 1` with a free
//!    seat. Which search depends on the size of the round:
//!    - **Tabu search** for up to [`TABU_MAX_PEOPLE`] people (as used for the social golfer
//!      problem, which this is one round of). Each iteration scores every step that moves a
//!      person who has met someone in their room (only those can lower the cost) and takes the
//!      best one, even if it makes the cost worse; a person may not go back to the room they
//!      left for the next 3–12 iterations (drawn at random), unless that reaches a cost below
//!      the best so far. After 200 iterations without a new best, or when every step is
//!      forbidden, the search restarts from the best assignment with three random swaps. Small
//!      rounds have few, deep local minima (20 people in 4 rooms: the third round's best has 4
//!      repeats and the usual trap 5, which then costs 9 more in the fourth round); the
//!      deterministic descent with a short memory leaves them far more reliably than random
//!      steps do: with a tenth of the request budget it finds the 20/4/5 series' 25 in 96 % of
//!      200 seeds, annealing in 52 % (with the full budget both do in all 200, in release; a
//!      time limit cut short by a loaded machine is what used to give 31–32).
//!    - **Simulated annealing** above that: a step, drawn at random, is accepted if it does not
//!      make the cost worse, or else with probability `exp(−Δ/T)`, `T` falling geometrically
//!      from 1 to 0.05 over the budget. A tabu iteration there would score O(c·n) steps (c:
//!      people in conflict, up to n) and take milliseconds, while annealing's steps are O(1);
//!      measured on 300 and 500 people, annealing ends 15–30 % lower in the same budget.
//!
//!    Both keep the best assignment seen and stop at cost 0. Scoring a step is O(1):
//!    `met[p·k + r]` holds how many people person `p` has met who sit in room `r` now, so
//!    swapping `a` (room A) with `b` (room B) changes the cost by
//!    `met[a,B] − met[a,A] + met[b,A] − met[b,B] − 2·w(a,b)`, where `w(a,b)` (they met before)
//!    is one hash lookup. Applying a step updates `met` for the partners of the two people
//!    only: O(d), d = how many distinct people they met before.
//!
//! Memory O(n·k + P) for P distinct pairs in the history; setup O(n·k + P). Annealing: each step
//! O(1) to score and O(d) to apply. Tabu: each iteration O(c·(n + k)) to score, O(d) to apply,
//! O(n·k) for the tabu table once; a restart O(n·d + Σ room sizes²). The budget bounds the steps
//! (every scored step counts; an iteration cap, and optionally a time limit checked every 256
//! annealing steps or every tabu iteration), so one call costs at most about the budget.

use foldhash::{HashSet, HashSetExt};
use rand::seq::SliceRandom;
use rand::Rng;
use std::time::{Duration, Instant};

/// Up to this many people `rotate` searches by tabu search, above by simulated annealing (see the
/// module comment).
pub const TABU_MAX_PEOPLE: usize = 150;

/// More people than the rooms' total capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overfull;

/// Each person's room (index into the rooms given).
pub type Assignment = Vec<usize>;

/// How long `rotate` may search.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub steps: u64,
    pub time: Option<Duration>,
}

impl Budget {
    /// A fixed number of steps: the same seed gives the same result on every machine.
    pub fn steps(steps: u64) -> Budget {
        Budget { steps, time: None }
    }

    /// What a request may spend: 20,000 steps per person (plenty for small rounds, which then
    /// finish in milliseconds; between 200,000 and 20 million), and at most 150 ms.
    pub fn request(people: usize) -> Budget {
        Budget {
            steps: (people as u64).saturating_mul(20_000).clamp(200_000, 20_000_000),
            time: Some(Duration::from_millis(150)),
        }
    }
}

/// Who met whom in earlier rounds (pairs of people, in the `0..n` numbering of the round being
/// planned).
#[derive(Debug, Clone, Default)]
pub struct History {
    pairs: HashSet<u64>,
    partners: Vec<Vec<u32>>,
}

fn pair_key(a: usize, b: usize) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    ((lo as u64) << 32) | hi as u64
}

impl History {
    pub fn new(people: usize) -> History {
        History {
            pairs: HashSet::new(),
            partners: vec![Vec::new(); people],
        }
    }

    /// Records one earlier round: `rooms` lists the members of each room (people out of range
    /// are ignored: they are not in the round being planned).
    pub fn add_round<R: AsRef<[usize]>>(&mut self, rooms: &[R]) {
        let n = self.partners.len();
        for room in rooms {
            let members: Vec<usize> = room.as_ref().iter().copied().filter(|&p| p < n).collect();
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    self.add_pair(a, b);
                }
            }
        }
    }

    /// Records an assignment made in `0..n` numbering as an earlier round.
    pub fn add_assignment(&mut self, assignment: &Assignment) {
        let rooms = members_of(assignment, assignment.iter().copied().max().map_or(0, |m| m + 1));
        self.add_round(&rooms);
    }

    fn add_pair(&mut self, a: usize, b: usize) {
        if a != b && self.pairs.insert(pair_key(a, b)) {
            self.partners[a].push(b as u32);
            self.partners[b].push(a as u32);
        }
    }

    /// Whether `a` and `b` shared a room before.
    pub fn met(&self, a: usize, b: usize) -> bool {
        self.pairs.contains(&pair_key(a, b))
    }

    /// How many pairs met before.
    pub fn pairs(&self) -> usize {
        self.pairs.len()
    }
}

/// The members of each of `rooms` rooms, in person order.
pub fn members_of(assignment: &Assignment, rooms: usize) -> Vec<Vec<usize>> {
    let mut members = vec![Vec::new(); rooms];
    for (person, &room) in assignment.iter().enumerate() {
        members[room].push(person);
    }
    members
}

/// How many pairs of `assignment` met in `history`.
pub fn cost(assignment: &Assignment, history: &History) -> usize {
    let rooms = assignment.iter().copied().max().map_or(0, |m| m + 1);
    members_of(assignment, rooms)
        .iter()
        .map(|m| {
            let mut c = 0;
            for (i, &a) in m.iter().enumerate() {
                c += m[i + 1..].iter().filter(|&&b| history.met(a, b)).count();
            }
            c
        })
        .sum()
}

/// Repeats over a series of rounds: every meeting of a pair after its first counts once.
pub fn repeats(rounds: &[Assignment]) -> usize {
    let n = rounds.iter().map(Vec::len).max().unwrap_or(0);
    let mut history = History::new(n);
    let mut total = 0;
    for round in rounds {
        total += cost(round, &history);
        history.add_assignment(round);
    }
    total
}

/// The most even room sizes for `people` within `capacities` (`None` = unlimited); which rooms
/// take the one extra person is drawn at random.
pub fn room_sizes(people: usize, capacities: &[Option<usize>], rng: &mut impl Rng) -> Result<Vec<usize>, Overfull> {
    let caps: Vec<usize> = capacities.iter().map(|c| c.unwrap_or(usize::MAX).min(people)).collect();
    let seats = |level: usize| caps.iter().map(|&c| c.min(level)).sum::<usize>();
    if people == 0 {
        return Ok(vec![0; caps.len()]);
    }
    if seats(people) < people {
        return Err(Overfull);
    }
    // The smallest level L with enough seats (binary search: seats() is monotone).
    let (mut lo, mut hi) = (1, people);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if seats(mid) >= people {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let level = lo;
    let mut sizes: Vec<usize> = caps.iter().map(|&c| c.min(level - 1)).collect();
    let mut left = people - sizes.iter().sum::<usize>();
    let mut open: Vec<usize> = (0..caps.len()).filter(|&r| caps[r] >= level).collect();
    open.shuffle(rng);
    for r in open {
        if left == 0 {
            break;
        }
        sizes[r] += 1;
        left -= 1;
    }
    Ok(sizes)
}

/// A random assignment with the most even sizes.
pub fn balanced(people: usize, capacities: &[Option<usize>], rng: &mut impl Rng) -> Result<Assignment, Overfull> {
    let sizes = room_sizes(people, capacities, rng)?;
    Ok(pour(people, &sizes, rng))
}

/// A balanced assignment with as few pairs who met in `history` as the budget finds (see the
/// module comment for the method).
pub fn rotate(
    people: usize,
    capacities: &[Option<usize>],
    history: &History,
    rng: &mut impl Rng,
    budget: Budget,
) -> Result<Assignment, Overfull> {
    let sizes = room_sizes(people, capacities, rng)?;
    if people == 0 || sizes.len() < 2 || history.pairs() == 0 {
        return Ok(pour(people, &sizes, rng));
    }
    let caps: Vec<usize> = capacities.iter().map(|c| c.unwrap_or(usize::MAX)).collect();
    let mut search = Search::greedy(people, &sizes, caps, history, rng);
    if people <= TABU_MAX_PEOPLE {
        Ok(search.tabu(rng, budget))
    } else {
        Ok(search.anneal(rng, budget))
    }
}

/// A uniform shuffle of `0..people` poured into rooms of `sizes`.
fn pour(people: usize, sizes: &[usize], rng: &mut impl Rng) -> Assignment {
    let mut order: Vec<usize> = (0..people).collect();
    order.shuffle(rng);
    let mut assignment = vec![0; people];
    let mut next = order.into_iter();
    for (room, &size) in sizes.iter().enumerate() {
        for person in next.by_ref().take(size) {
            assignment[person] = room;
        }
    }
    assignment
}

/// A proposed change: move a person to a room, or swap two people.
#[derive(Debug, Clone, Copy)]
enum Step {
    Move(usize, usize),
    Swap(usize, usize),
}

/// The local-search state: where everyone sits and how many people each person has met in each
/// room.
struct Search<'h> {
    history: &'h History,
    rooms: usize,
    caps: Vec<usize>,
    room_of: Vec<usize>,
    size: Vec<usize>,
    /// `met[p * rooms + r]`: people in room `r` whom `p` met before.
    met: Vec<u32>,
    cost: usize,
}

impl<'h> Search<'h> {
    fn greedy(people: usize, sizes: &[usize], caps: Vec<usize>, history: &'h History, rng: &mut impl Rng) -> Self {
        let rooms = sizes.len();
        let mut s = Search {
            history,
            rooms,
            caps,
            room_of: vec![usize::MAX; people],
            size: vec![0; rooms],
            met: vec![0; people * rooms],
            cost: 0,
        };
        let mut order: Vec<usize> = (0..people).collect();
        order.shuffle(rng);
        order.sort_by_key(|&p| std::cmp::Reverse(history.partners[p].len()));
        let mut best: Vec<usize> = Vec::with_capacity(rooms);
        for p in order {
            let mut lowest = u32::MAX;
            best.clear();
            for (r, &size) in sizes.iter().enumerate() {
                if s.size[r] >= size {
                    continue;
                }
                let m = s.met[p * rooms + r];
                if m < lowest {
                    lowest = m;
                    best.clear();
                }
                if m == lowest {
                    best.push(r);
                }
            }
            let r = best[rng.gen_range(0..best.len())];
            s.cost += lowest as usize;
            s.place(p, r);
        }
        s
    }

    fn place(&mut self, p: usize, r: usize) {
        self.room_of[p] = r;
        self.size[r] += 1;
        for &x in &self.history.partners[p] {
            self.met[x as usize * self.rooms + r] += 1;
        }
    }

    fn unplace(&mut self, p: usize) {
        let r = self.room_of[p];
        self.size[r] -= 1;
        for &x in &self.history.partners[p] {
            self.met[x as usize * self.rooms + r] -= 1;
        }
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Move(a, room) => {
                self.unplace(a);
                self.place(a, room);
            }
            Step::Swap(a, b) => {
                let (room_a, room_b) = (self.room_of[a], self.room_of[b]);
                self.unplace(a);
                self.unplace(b);
                self.place(a, room_b);
                self.place(b, room_a);
            }
        }
    }

    fn met_in(&self, p: usize, r: usize) -> i64 {
        i64::from(self.met[p * self.rooms + r])
    }

    /// The cost change of `step`.
    fn delta(&self, step: Step) -> i64 {
        match step {
            Step::Move(a, room_b) => self.met_in(a, room_b) - self.met_in(a, self.room_of[a]),
            Step::Swap(a, b) => {
                let (room_a, room_b) = (self.room_of[a], self.room_of[b]);
                let together = i64::from(self.history.met(a, b));
                self.met_in(a, room_b) - self.met_in(a, room_a) + self.met_in(b, room_a)
                    - self.met_in(b, room_b)
                    - 2 * together
            }
        }
    }

    /// Seats everyone as in `assignment` (same sizes) and recomputes the cost.
    fn load(&mut self, assignment: &Assignment) {
        for p in 0..self.room_of.len() {
            self.unplace(p);
        }
        for (p, &r) in assignment.iter().enumerate() {
            self.place(p, r);
        }
        self.cost = cost(assignment, self.history);
    }

    /// Tabu search (module comment).
    fn tabu(&mut self, rng: &mut impl Rng, budget: Budget) -> Assignment {
        const TENURE_MIN: u64 = 3;
        const TENURE_SPAN: u64 = 10;
        const STALL: u64 = 200;
        const KICKS: usize = 3;
        let people = self.room_of.len();
        let rooms = self.rooms;
        let started = Instant::now();
        // `until[p·k + r]`: the iteration from which `p` may enter room `r` again.
        let mut until = vec![0u64; people * rooms];
        let mut best = self.room_of.clone();
        let mut best_cost = self.cost;
        let (mut iteration, mut last_better, mut steps) = (0u64, 0u64, 0u64);
        let uneven = self.size.iter().min() != self.size.iter().max();
        while best_cost > 0 && steps < budget.steps {
            if budget.time.is_some_and(|limit| started.elapsed() >= limit) {
                break;
            }
            iteration += 1;
            let mut chosen: Option<(Step, i64)> = None;
            let mut ties = 0u32;
            let mut consider = |step: Step, delta: i64, allowed: bool, rng: &mut dyn rand::RngCore| {
                // A forbidden step is taken only if it beats the best assignment so far.
                if !allowed && self.cost as i64 + delta >= best_cost as i64 {
                    return;
                }
                match chosen {
                    Some((_, d)) if delta > d => {}
                    Some((_, d)) if delta == d => {
                        ties += 1;
                        if rng.gen_range(0..ties) == 0 {
                            chosen = Some((step, delta));
                        }
                    }
                    _ => {
                        ties = 1;
                        chosen = Some((step, delta));
                    }
                }
            };
            for a in 0..people {
                let room_a = self.room_of[a];
                if self.met_in(a, room_a) == 0 {
                    continue;
                }
                for b in 0..people {
                    let room_b = self.room_of[b];
                    if room_b == room_a {
                        continue;
                    }
                    steps += 1;
                    let step = Step::Swap(a, b);
                    let allowed = until[a * rooms + room_b] <= iteration && until[b * rooms + room_a] <= iteration;
                    consider(step, self.delta(step), allowed, rng);
                }
                if uneven {
                    for room_b in 0..rooms {
                        if room_b == room_a
                            || self.size[room_b] + 1 != self.size[room_a]
                            || self.size[room_b] >= self.caps[room_b]
                        {
                            continue;
                        }
                        steps += 1;
                        let step = Step::Move(a, room_b);
                        consider(step, self.delta(step), until[a * rooms + room_b] <= iteration, rng);
                    }
                }
            }
            let stalled = iteration - last_better > STALL;
            match chosen {
                Some((step, delta)) if !stalled => {
                    let movers = match step {
                        Step::Swap(a, b) => [Some(a), Some(b)],
                        Step::Move(a, _) => [Some(a), None],
                    };
                    for p in movers.into_iter().flatten() {
                        until[p * rooms + self.room_of[p]] = iteration + TENURE_MIN + rng.gen_range(0..TENURE_SPAN);
                    }
                    self.apply(step);
                    self.cost = (self.cost as i64 + delta) as usize;
                    if self.cost < best_cost {
                        best_cost = self.cost;
                        best.clone_from(&self.room_of);
                        last_better = iteration;
                    }
                }
                _ => {
                    // Stuck: from the best so far, a few random swaps, a fresh memory.
                    self.load(&best);
                    for _ in 0..KICKS {
                        let (a, b) = (rng.gen_range(0..people), rng.gen_range(0..people));
                        if self.room_of[a] != self.room_of[b] {
                            self.apply(Step::Swap(a, b));
                        }
                    }
                    self.cost = cost(&self.room_of, self.history);
                    until.fill(0);
                    last_better = iteration;
                }
            }
        }
        best
    }

    fn anneal(&mut self, rng: &mut impl Rng, budget: Budget) -> Assignment {
        const T_START: f64 = 1.0;
        const T_END: f64 = 0.05;
        let people = self.room_of.len();
        let started = Instant::now();
        let mut best = self.room_of.clone();
        let mut best_cost = self.cost;
        let mut temperature = T_START;
        let mut step: u64 = 0;
        // Moves keep sizes balanced only between rooms whose sizes differ by one.
        let uneven = self.size.iter().min() != self.size.iter().max();
        while best_cost > 0 && step < budget.steps {
            if step % 256 == 0 {
                let mut progress = step as f64 / budget.steps as f64;
                if let Some(limit) = budget.time {
                    let spent = started.elapsed();
                    if spent >= limit {
                        break;
                    }
                    progress = progress.max(spent.as_secs_f64() / limit.as_secs_f64());
                }
                temperature = T_START * (T_END / T_START).powf(progress);
            }
            step += 1;
            let a = rng.gen_range(0..people);
            let room_a = self.room_of[a];
            let (delta, proposal);
            if uneven && rng.gen_bool(0.2) {
                let room_b = rng.gen_range(0..self.rooms);
                if room_b == room_a
                    || self.size[room_b] + 1 != self.size[room_a]
                    || self.size[room_b] >= self.caps[room_b]
                {
                    continue;
                }
                delta = self.met_in(a, room_b) - self.met_in(a, room_a);
                proposal = Step::Move(a, room_b);
            } else {
                let b = rng.gen_range(0..people);
                let room_b = self.room_of[b];
                if room_a == room_b {
                    continue;
                }
                let together = i64::from(self.history.met(a, b));
                delta = self.met_in(a, room_b) - self.met_in(a, room_a) + self.met_in(b, room_a)
                    - self.met_in(b, room_b)
                    - 2 * together;
                proposal = Step::Swap(a, b);
            }
            if delta <= 0 || rng.gen::<f64>() < (-(delta as f64) / temperature).exp() {
                self.apply(proposal);
                self.cost = (self.cost as i64 + delta) as usize;
                if self.cost < best_cost {
                    best_cost = self.cost;
                    best.clone_from(&self.room_of);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn rng(seed: u64) -> StdRng {
        StdRng::seed_from_u64(seed)
    }

    fn sizes_of(a: &Assignment, rooms: usize) -> Vec<usize> {
        members_of(a, rooms).iter().map(Vec::len).collect()
    }

    /// R rounds planned one after the other, each with the history of the ones before.
    fn rotate_series(people: usize, rooms: usize, rounds: usize, seed: u64) -> usize {
        let mut rng = rng(seed);
        let caps = vec![None; rooms];
        let mut history = History::new(people);
        let mut series = Vec::new();
        for _ in 0..rounds {
            let a = rotate(people, &caps, &history, &mut rng, Budget::steps(300_000)).unwrap();
            assert_eq!(
                sizes_of(&a, rooms).iter().max().unwrap() - sizes_of(&a, rooms).iter().min().unwrap(),
                0
            );
            history.add_assignment(&a);
            series.push(a);
        }
        repeats(&series)
    }

    #[test]
    fn sizes_are_even_within_capacities() {
        let mut r = rng(1);
        let mut sorted = |n, caps: &[Option<usize>]| {
            let mut s = room_sizes(n, caps, &mut r).unwrap();
            s.sort_unstable();
            s
        };
        assert_eq!(sorted(10, &[None, None, None]), vec![3, 3, 4]);
        assert_eq!(sorted(0, &[None, Some(1)]), vec![0, 0]);
        // A small room is full, the others share the rest evenly.
        assert_eq!(sorted(10, &[Some(1), None, None]), vec![1, 4, 5]);
        assert_eq!(sorted(9, &[Some(2), Some(3), Some(4)]), vec![2, 3, 4]);
        assert_eq!(sorted(7, &[Some(2), Some(3), Some(4)]), vec![2, 2, 3]);
        assert_eq!(sorted(1, &[None, None, None]), vec![0, 0, 1]);
        assert_eq!(room_sizes(10, &[Some(3), Some(3), Some(3)], &mut rng(1)), Err(Overfull));
        assert_eq!(room_sizes(1, &[], &mut rng(1)), Err(Overfull));
        assert_eq!(room_sizes(0, &[], &mut rng(1)), Ok(vec![]));
    }

    #[test]
    fn the_extra_seats_go_to_rooms_at_random() {
        let mut seen = std::collections::HashSet::new();
        let mut r = rng(7);
        for _ in 0..50 {
            seen.insert(room_sizes(4, &[None, None, None], &mut r).unwrap());
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
    }

    #[test]
    fn balanced_places_everyone_once_within_capacities() {
        let caps = [Some(2), None, Some(5), None];
        for seed in 0..20 {
            let a = balanced(13, &caps, &mut rng(seed)).unwrap();
            assert_eq!(a.len(), 13);
            let sizes = sizes_of(&a, 4);
            assert_eq!(sizes.iter().sum::<usize>(), 13);
            assert_eq!(sizes[0], 2);
            assert!(sizes[1..].iter().all(|&s| s == 3 || s == 4), "{sizes:?}");
        }
        assert_eq!(balanced(3, &[Some(1), Some(1)], &mut rng(0)), Err(Overfull));
    }

    #[test]
    fn same_seed_same_assignment() {
        let mut h = History::new(12);
        h.add_round(&[vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9, 10, 11]]);
        let caps = [None, None, None];
        let a = rotate(12, &caps, &h, &mut rng(3), Budget::steps(10_000)).unwrap();
        let b = rotate(12, &caps, &h, &mut rng(3), Budget::steps(10_000)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn rotate_keeps_capacities_and_sizes() {
        let mut h = History::new(11);
        h.add_round(&[vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9, 10]]);
        let caps = [Some(2), None, None];
        for seed in 0..10 {
            let a = rotate(11, &caps, &h, &mut rng(seed), Budget::steps(20_000)).unwrap();
            let sizes = sizes_of(&a, 3);
            assert_eq!(sizes[0], 2);
            assert!(sizes[1..].iter().all(|&s| s == 4 || s == 5), "{sizes:?}");
        }
        assert_eq!(
            rotate(4, &[Some(1), Some(2)], &h, &mut rng(0), Budget::steps(10)),
            Err(Overfull)
        );
    }

    #[test]
    fn rotate_separates_everyone_who_met_when_it_can() {
        let mut h = History::new(9);
        h.add_round(&[vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
        let a = rotate(9, &[None, None, None], &h, &mut rng(5), Budget::steps(50_000)).unwrap();
        assert_eq!(cost(&a, &h), 0, "{a:?}");
    }

    #[test]
    fn repeats_count_each_meeting_after_the_first() {
        let same = vec![0, 0, 0];
        assert_eq!(repeats(std::slice::from_ref(&same)), 0);
        // Three pairs meet a second and then a third time.
        assert_eq!(repeats(&[same.clone(), same.clone(), same]), 6);
        assert_eq!(repeats(&[vec![0, 0, 1, 1], vec![0, 1, 0, 1]]), 0);
    }

    #[test]
    fn thirty_people_in_six_rooms_never_meet_twice_in_three_rounds() {
        assert_eq!(rotate_series(30, 6, 3, 11), 0);
    }

    #[test]
    fn twelve_people_in_three_rooms_reach_the_minimum_of_thirteen_in_four_rounds() {
        assert_eq!(rotate_series(12, 3, 4, 12), 13);
    }

    #[test]
    fn twenty_people_in_four_rooms_repeat_at_most_twenty_five_times_in_five_rounds() {
        for seed in 13..17 {
            let r = rotate_series(20, 4, 5, seed);
            assert!(r <= 25, "seed {seed}: {r}");
        }
    }

    #[test]
    fn large_rounds_anneal_within_sizes() {
        let people = TABU_MAX_PEOPLE + 50;
        let mut h = History::new(people);
        // One earlier round in 10 rooms of 20: now 20 rooms of 10 can avoid every pair.
        h.add_assignment(&(0..people).map(|p| p % 10).collect());
        let a = rotate(people, &vec![None; 20], &h, &mut rng(4), Budget::steps(2_000_000)).unwrap();
        assert!(sizes_of(&a, 20).iter().all(|&s| s == 10));
        assert_eq!(cost(&a, &h), 0);
    }
}
