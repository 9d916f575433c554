//! Similar incidents ("we saw this before") and the duplicate check on
//! opening one, written once: `show`, `declare`, `incident similar`, the
//! postmortem and the alert path all ask here, so they never disagree
//! about which past incident is like this one, or which open incident a
//! new one would repeat.
//!
//! Text similarity is [`super::words`]' measure and threshold; this module
//! only decides what counts and in which order.

use super::alerts::AlertSource;
use super::words::{SIMILAR, Words, dice, hash_of, shared_count, similar, similarity_of};
use super::{Brief, Incident, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cmp::Ordering;

/// An alert by what makes it the same alert: its sender and identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AlertKey {
    pub source: AlertSource,
    pub identity: String,
}

/// Why a past incident is like this one, strongest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The same alert (sender and identity) was tied to both.
    SameAlert { alerts: Vec<AlertKey> },
    /// Both name these services.
    SameService { services: Vec<String> },
    /// Their titles (or titles and summaries) share these words, `score`
    /// being the Dice coefficient of [`super::words`].
    SharedWords { words: Vec<String>, score: f64 },
}

/// One similar past incident and why, in the ranked list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: i64,
    #[serde(with = "super::event::stamp")]
    pub declared_at: DateTime<Utc>,
    /// In the order [`Reason`] lists them; never empty.
    pub reasons: Vec<Reason>,
    /// The text similarity, 0 to 1 (0 when only an alert matched).
    pub score: f64,
}

impl Match {
    /// Its [tier](self::tier), by its reasons.
    fn tier(&self) -> u8 {
        let has = |f: fn(&Reason) -> bool| self.reasons.iter().any(f);
        tier(
            has(|r| matches!(r, Reason::SameAlert { .. })),
            has(|r| matches!(r, Reason::SameService { .. })),
        )
    }

    fn rank(&self) -> Rank {
        Rank {
            tier: self.tier(),
            score: self.score,
            declared_at: self.declared_at,
            id: self.id,
        }
    }
}

/// The words of an incident being compared: its title's, and its title's
/// and summary's together. Made once for the many comparisons with it.
#[derive(Debug, Clone)]
pub struct Texts {
    title: Words,
    /// The title's and summary's; `None` without a summary (the title's).
    full: Option<Words>,
}

impl Texts {
    pub fn of(i: &Brief) -> Texts {
        Texts::new(&i.title, i.summary.as_deref())
    }

    fn new(title: &str, summary: Option<&str>) -> Texts {
        let title = Words::of(title);
        let full = summary.map(|s| title.and(Words::of(s)));
        Texts { title, full }
    }

    fn full(&self) -> &Words {
        self.full.as_ref().unwrap_or(&self.title)
    }

    /// [`Print::measured`], said of the words themselves.
    fn measured<'a>(&'a self, theirs: &'a Texts) -> (&'a Words, &'a Words) {
        let by_title = self.title.similarity(&theirs.title);
        let by_text = match (&self.full, &theirs.full) {
            (None, None) => None,
            _ => Some(self.full().similarity(theirs.full())),
        };
        match more_alike(by_title, by_text) {
            (_, true) => (self.full(), theirs.full()),
            (_, false) => (&self.title, &theirs.title),
        }
    }
}

/// How alike two incidents' words are: by their titles, or by their whole
/// texts (`None`: neither has a summary, so those are the titles) when
/// those are more alike; and whether it is the whole texts.
fn more_alike(by_title: f64, by_text: Option<f64>) -> (f64, bool) {
    match by_text {
        Some(by_text) if by_text > by_title => (by_text, true),
        _ => (by_title, false),
    }
}

/// An incident's words and services as numbers ([`super::words`]'
/// hashes): all that the comparison needs of its texts. It is stored with
/// the incident, written whenever the incident is, so that `show` compares
/// with hundreds of past incidents without reading their texts or
/// splitting them into words again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Print {
    /// The title's words, then the summary's words that the title does not
    /// have, then the services it names: each list in order and each word
    /// once. One buffer, so that the hundreds `show` compares with are
    /// read one after another into the same memory ([`Print::read`]).
    hashes: Vec<u64>,
    /// Where the title's words end.
    title: u32,
    /// Where the summary's end; `None` without a summary. Kept apart from
    /// the title's, not with them, so that no word is stored twice.
    extra: Option<u32>,
}

impl Print {
    /// Stored prints of another version are not read but made again from
    /// the texts: change it with anything that changes a word's hash (how
    /// [`Words`] splits, lowercases, drops or stems words, or the hash).
    const VERSION: u8 = 1;

    /// An incident's print, from its words made already.
    fn with(words: &Texts, services: &[String]) -> Print {
        let mut hashes = words.title.hashes();
        let title = hashes.len() as u32;
        let extra = words.full.as_ref().map(|full| {
            let titled = hashes.len();
            for h in full.hashes() {
                if hashes[..titled].binary_search(&h).is_err() {
                    hashes.push(h);
                }
            }
            hashes.len() as u32
        });
        let start = hashes.len();
        hashes.extend(services.iter().map(|s| hash_of(s)));
        hashes[start..].sort_unstable();
        let mut services = hashes.split_off(start);
        services.dedup();
        hashes.append(&mut services);
        Print { hashes, title, extra }
    }

    /// The print of an incident as stored: its title, summary and services.
    pub fn of_incident(i: &Incident) -> Print {
        Print::of_parts(&i.title, i.summary.as_deref(), &i.services)
    }

    /// The print of a stored incident's title, summary and services.
    pub fn of_parts(title: &str, summary: Option<&str>, services: &[String]) -> Print {
        Print::with(&Texts::new(title, summary), services)
    }

    fn title(&self) -> &[u64] {
        &self.hashes[..self.title as usize]
    }

    /// The summary's own words (none without a summary).
    fn extra(&self) -> &[u64] {
        &self.hashes[self.title as usize..self.extra.unwrap_or(self.title) as usize]
    }

    fn services(&self) -> &[u64] {
        &self.hashes[self.extra.unwrap_or(self.title) as usize..]
    }

    /// As stored, little-endian: a version byte; the three lists' lengths
    /// as 16-bit numbers (the summary's as length + 1, 0 for none); then
    /// the 64-bit numbers. `None` for a print too long for that, which is
    /// not stored: it is made from the texts when read.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let lengths = [
            self.title().len(),
            self.extra.map_or(0, |_| self.extra().len() + 1),
            self.services().len(),
        ];
        let mut out = Vec::with_capacity(7 + 8 * self.hashes.len());
        out.push(Print::VERSION);
        for n in lengths {
            out.extend_from_slice(&u16::try_from(n).ok()?.to_le_bytes());
        }
        for h in &self.hashes {
            out.extend_from_slice(&h.to_le_bytes());
        }
        Some(out)
    }

    /// A print as [`Print::to_bytes`] wrote it; `None` for another version
    /// or anything else, which the caller makes again from the texts.
    pub fn from_bytes(bytes: &[u8]) -> Option<Print> {
        let mut print = Print::default();
        print.read(bytes).then_some(print)
    }

    /// [`Print::from_bytes`] into this print, whose memory it reuses:
    /// `show` reads hundreds one after another. `false` (and the print
    /// left meaningless) where `from_bytes` says `None`.
    pub fn read(&mut self, bytes: &[u8]) -> bool {
        let Some((&version, rest)) = bytes.split_first() else {
            return false;
        };
        if version != Print::VERSION || rest.len() < 6 {
            return false;
        }
        let (lengths, numbers) = rest.split_at(6);
        let length = |k: usize| usize::from(u16::from_le_bytes([lengths[2 * k], lengths[2 * k + 1]]));
        let (title, extra, services) = (length(0), length(1), length(2));
        let count = title + extra.saturating_sub(1) + services;
        if numbers.len() != 8 * count {
            return false;
        }
        self.hashes.clear();
        self.hashes.extend(
            numbers
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())),
        );
        self.title = title as u32;
        self.extra = (extra > 0).then(|| (title + extra - 1) as u32);
        // Out of order, or a word twice (written by hand?): compared, it
        // would say wrong things; made again instead.
        let sorted = |v: &[u64]| v.windows(2).all(|w| w[0] < w[1]);
        let apart = shared_count(self.title(), self.extra()) == 0;
        sorted(self.title()) && sorted(self.extra()) && sorted(self.services()) && apart
    }

    /// How alike the two incidents' words are ([`more_alike`]).
    fn measured(&self, theirs: &Print) -> f64 {
        let by_title = similarity_of(self.title(), theirs.title());
        let by_text = match (self.extra, theirs.extra) {
            (None, None) => None,
            _ => {
                let (mine, their) = (self.extra(), theirs.extra());
                // A title's and its summary's own words are apart, so each
                // word the whole texts share is counted once.
                let shared = shared_count(self.title(), theirs.title())
                    + shared_count(self.title(), their)
                    + shared_count(mine, theirs.title())
                    + shared_count(mine, their);
                let sizes = (
                    self.title().len() + mine.len(),
                    theirs.title().len() + their.len(),
                );
                Some(dice(sizes.0, sizes.1, shared))
            }
        };
        more_alike(by_title, by_text).0
    }
}

/// What the comparison needs of a past incident: when it was declared,
/// whether it counts, and its [`Print`] — not its texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Likeness {
    pub id: i64,
    pub declared_at: DateTime<Utc>,
    pub status: Status,
    pub drill: bool,
    pub print: Print,
}

impl Likeness {
    pub fn of(i: &Brief) -> Likeness {
        Likeness::with(i, &Texts::of(i))
    }

    /// An incident's likeness, from its words made already.
    pub fn with(i: &Brief, words: &Texts) -> Likeness {
        Likeness {
            id: i.id,
            declared_at: i.declared_at,
            status: i.status,
            drill: i.drill,
            print: Print::with(words, &i.services),
        }
    }
}

/// How `candidate` (whose alerts are `theirs`) is like `of` (whose alerts
/// are `alerts`), if it is a past incident like it at all.
///
/// Past: declared before it (the same time: numbered before it). Not
/// counted: canceled incidents and duplicates (never real, or told by
/// their primary), and drills unless `of` is one.
///
/// Alike, in this order: the same alert was tied to both; they share a
/// service and their words are [`SIMILAR`] or more; their words alone are
/// more than [`SIMILAR`] (a shared service tips a borderline pair, "Search
/// is slow" and "Checkout is slow", and only it). Words are the title's,
/// or the title's and summary's together, whichever is more alike
/// ([`Best`] orders the matches). The services and words shared are
/// named by [`name`], for the few matches kept: a common word can make
/// hundreds match.
pub fn compare(
    of: &Likeness,
    alerts: &[AlertKey],
    candidate: &Likeness,
    theirs: &[AlertKey],
) -> Option<Match> {
    judge(of, alerts, candidate, theirs).map(|found| found.into_match(candidate))
}

/// What [`compare`] found alike, before a [`Match`] (and its list of
/// reasons) is made of it: [`Best::offer`] ranks it first, and most of
/// hundreds of matches are never kept.
struct Alike {
    shared_alerts: Vec<AlertKey>,
    same_service: bool,
    worded: bool,
    score: f64,
}

/// [`compare`], without the match made.
fn judge(of: &Likeness, alerts: &[AlertKey], candidate: &Likeness, theirs: &[AlertKey]) -> Option<Alike> {
    if !is_past(candidate, of) {
        return None;
    }
    let mut shared_alerts: Vec<AlertKey> = theirs.iter().filter(|a| alerts.contains(a)).cloned().collect();
    shared_alerts.sort();
    shared_alerts.dedup();
    let same_service = shared_count(candidate.print.services(), of.print.services()) > 0;
    let score = of.print.measured(&candidate.print);
    let worded = match same_service {
        false => score > SIMILAR,
        true => score >= SIMILAR,
    };
    if shared_alerts.is_empty() && !worded {
        return None;
    }
    Some(Alike {
        shared_alerts,
        same_service,
        worded,
        score,
    })
}

impl Alike {
    /// Where the match would rank: as [`Match::rank`] of
    /// [`Alike::into_match`].
    fn rank(&self, candidate: &Likeness) -> Rank {
        Rank {
            tier: tier(!self.shared_alerts.is_empty(), self.same_service),
            score: self.shown_score(),
            declared_at: candidate.declared_at,
            id: candidate.id,
        }
    }

    /// The text similarity a match shows: 0 when only an alert matched.
    fn shown_score(&self) -> f64 {
        if self.worded { self.score } else { 0.0 }
    }

    fn into_match(self, candidate: &Likeness) -> Match {
        let score = self.shown_score();
        let mut reasons = Vec::new();
        if !self.shared_alerts.is_empty() {
            reasons.push(Reason::SameAlert {
                alerts: self.shared_alerts,
            });
        }
        if self.same_service {
            reasons.push(Reason::SameService { services: Vec::new() });
        }
        if self.worded {
            reasons.push(Reason::SharedWords {
                words: Vec::new(),
                score: self.score,
            });
        }
        Match {
            id: candidate.id,
            declared_at: candidate.declared_at,
            reasons,
            score,
        }
    }
}

/// A match's tier: 0, the same alert; 1, the same service (and similar
/// words); 2, similar words alone.
fn tier(same_alert: bool, same_service: bool) -> u8 {
    match (same_alert, same_service) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 2,
    }
}

/// What the order of matches compares.
#[derive(Debug, Clone, Copy)]
struct Rank {
    tier: u8,
    score: f64,
    declared_at: DateTime<Utc>,
    id: i64,
}

/// Most alike first: the same alert, then the same service, then words
/// alone; within each the more alike words, then the newer incident.
fn order(matches: &mut [Match]) {
    matches.sort_by(more_alike_first);
}

/// The `keep` most alike of matches given one at a time (all when
/// `None`), most alike first (as `order` sorts), holding no more than
/// `keep` at any time: a common word can make hundreds match where three
/// are shown.
#[derive(Debug)]
pub struct Best {
    keep: Option<usize>,
    /// With `keep`, most alike first.
    matches: Vec<Match>,
}

impl Best {
    pub fn new(keep: Option<usize>) -> Best {
        Best {
            keep,
            matches: Vec::new(),
        }
    }

    /// A match made already: what [`Best::offer`] is held to in the
    /// tests (the product offers, and makes only the matches kept).
    #[cfg(test)]
    fn push(&mut self, m: Match) {
        let rank = m.rank();
        if !self.beaten(&rank) {
            self.insert(m, &rank);
        }
    }

    /// [`compare`], and the match held if it is among the best so far:
    /// made only then. Whether it was kept (for now: a better one may push it
    /// out later).
    pub fn offer(
        &mut self,
        of: &Likeness,
        alerts: &[AlertKey],
        candidate: &Likeness,
        theirs: &[AlertKey],
    ) -> bool {
        let Some(found) = judge(of, alerts, candidate, theirs) else {
            return false;
        };
        let rank = found.rank(candidate);
        if self.beaten(&rank) {
            return false;
        }
        self.insert(found.into_match(candidate), &rank);
        true
    }

    /// Holds `m`, ranked `rank` and not [`Best::beaten`], in its place,
    /// the worst held let go if `keep` are held already.
    fn insert(&mut self, m: Match, rank: &Rank) {
        let Some(keep) = self.keep else {
            self.matches.push(m);
            return;
        };
        if self.matches.len() == keep {
            self.matches.pop();
        }
        let at = self.matches.partition_point(|kept| before(&kept.rank(), rank));
        self.matches.insert(at, m);
    }

    /// Whether a match ranked `rank` would not be kept: `keep` are held,
    /// all more alike. The order ([`alike_order`]) is total (ids differ),
    /// so the best of the best so far and the rest are the best of all.
    fn beaten(&self, rank: &Rank) -> bool {
        match self.keep {
            None => false,
            Some(keep) if self.matches.len() < keep => false,
            Some(_) => self
                .matches
                .last()
                .is_none_or(|worst| !before(rank, &worst.rank())),
        }
    }

    /// The matches kept, most alike first.
    pub fn into_vec(self) -> Vec<Match> {
        let mut matches = self.matches;
        if self.keep.is_none() {
            order(&mut matches);
        }
        matches
    }
}

fn more_alike_first(a: &Match, b: &Match) -> Ordering {
    alike_order(&a.rank(), &b.rank())
}

fn alike_order(a: &Rank, b: &Rank) -> Ordering {
    a.tier
        .cmp(&b.tier)
        .then(b.score.total_cmp(&a.score))
        .then((b.declared_at, b.id).cmp(&(a.declared_at, a.id)))
}

/// Whether `a` ranks before `b`.
fn before(a: &Rank, b: &Rank) -> bool {
    alike_order(a, b) == Ordering::Less
}

/// Whether `candidate` counts as a past incident of `of`.
fn is_past(candidate: &Likeness, of: &Likeness) -> bool {
    let earlier = match candidate.declared_at.cmp(&of.declared_at) {
        Ordering::Less => true,
        Ordering::Equal => candidate.id < of.id,
        Ordering::Greater => false,
    };
    earlier
        && candidate.id != of.id
        && !matches!(candidate.status, Status::Canceled | Status::Duplicate)
        && (of.drill || !candidate.drill)
}

/// `m`, a [`compare`] by `candidate`'s stored print, as `candidate`'s own
/// texts say (`texts`: its [`Likeness`] made from them). The two differ
/// only where the texts were changed without the print (by hand, or by an
/// older release still running after an upgrade): the alerts shared
/// stay, the words and services are compared again, and `None` if that
/// leaves nothing alike.
pub fn recheck(of: &Likeness, m: &Match, texts: &Likeness) -> Option<Match> {
    let alerts: Vec<AlertKey> = m
        .reasons
        .iter()
        .find_map(|r| match r {
            Reason::SameAlert { alerts } => Some(alerts.clone()),
            _ => None,
        })
        .unwrap_or_default();
    compare(of, &alerts, texts, &alerts)
}

/// Names the services and words `m` (a [`compare`] of `candidate`, whose
/// words are `theirs`, with `of`, whose words are `words`) says they
/// share.
pub fn name(words: &Texts, of: &Brief, m: &mut Match, candidate: &Brief, theirs: &Texts) {
    for reason in &mut m.reasons {
        match reason {
            Reason::SameService { services } => {
                *services = candidate
                    .services
                    .iter()
                    .filter(|s| of.services.contains(s))
                    .cloned()
                    .collect();
            }
            Reason::SharedWords { words: named, .. } => {
                let (mine, their) = words.measured(theirs);
                *named = mine.shared(their).into_iter().map(String::from).collect();
            }
            Reason::SameAlert { .. } => {}
        }
    }
}

/// The open incident that a new one (`draft`) would repeat, if any: open,
/// on a service the draft names too, titled alike ([`similar`]), a drill
/// only for a drill; the most recently declared of them. A person
/// declaring is asked (or refused without `--force`); an alert joins it
/// instead of opening another.
pub fn duplicate<'a>(draft: &Incident, open: &'a [Incident]) -> Option<&'a Incident> {
    open.iter()
        .filter(|i| i.status.is_open() && i.id != draft.id && i.drill == draft.drill)
        .filter(|i| i.services.iter().any(|s| draft.services.contains(s)))
        .filter(|i| similar(&i.title, &draft.title))
        .max_by_key(|i| (i.declared_at, i.id))
}

/// The past incidents a view shows beside an incident ("we saw this
/// before"): the first few of the ranking.
pub const SHOWN: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    /// A past incident to compare with, and the alerts that were tied to it.
    #[derive(Debug, Clone)]
    struct Candidate {
        incident: Brief,
        alerts: Vec<AlertKey>,
    }

    /// The past incidents among `candidates` that are like `of` (whose own
    /// alerts are `alerts`), most alike first, named: the whole ranking,
    /// as `store::similar` composes it from these parts.
    fn rank(of: &Incident, alerts: &[AlertKey], candidates: &[Candidate]) -> Vec<Match> {
        let of = Brief::of(of);
        let words = Texts::of(&of);
        let me = Likeness::with(&of, &words);
        let mut found: Vec<Match> = candidates
            .iter()
            .filter_map(|c| {
                let theirs = Texts::of(&c.incident);
                let mut m = compare(&me, alerts, &Likeness::with(&c.incident, &theirs), &c.alerts)?;
                name(&words, &of, &mut m, &c.incident, &theirs);
                Some(m)
            })
            .collect();
        order(&mut found);
        found
    }

    fn t(s: &str) -> DateTime<Utc> {
        format!("2026-11-{s}:00Z").parse().unwrap()
    }

    fn incident(id: i64, declared: &str, title: &str, services: &[&str]) -> Incident {
        Incident {
            id,
            title: title.into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            declared_at: t(declared),
            status: Status::Closed,
            ..Incident::example()
        }
    }

    fn alert(identity: &str) -> AlertKey {
        AlertKey {
            source: AlertSource::Alertmanager,
            identity: identity.into(),
        }
    }

    fn candidate(i: Incident, alerts: &[&str]) -> Candidate {
        Candidate {
            incident: Brief::of(&i),
            alerts: alerts.iter().map(|a| alert(a)).collect(),
        }
    }

    /// A history where the right answer is known: the same alert first,
    /// then the same service with similar words, then similar words alone,
    /// each by how alike, then newer first.
    fn history() -> Vec<Candidate> {
        vec![
            candidate(
                incident(1, "01T08:00", "Checkout returns 500s", &["checkout"]),
                &[],
            ),
            candidate(incident(2, "02T08:00", "Database failover", &["db"]), &["a1"]),
            candidate(incident(3, "03T08:00", "Checkout returning 500 errors", &[]), &[]),
            candidate(incident(4, "04T08:00", "Search is slow", &["search"]), &[]),
            candidate(incident(5, "05T08:00", "Checkout is slow", &["checkout"]), &[]),
            candidate(incident(6, "06T08:00", "Checkout 500s again", &["checkout"]), &[]),
            candidate(
                Incident {
                    status: Status::Canceled,
                    ..incident(7, "07T08:00", "Checkout returns 500s", &["checkout"])
                },
                &[],
            ),
            candidate(incident(8, "08T08:00", "Login page slow", &["checkout"]), &[]),
            // Later than the incident: not past.
            candidate(
                incident(10, "10T09:00", "Checkout returns 500s", &["checkout"]),
                &[],
            ),
        ]
    }

    /// The open incident the history is ranked for.
    fn checkout_again() -> Incident {
        Incident {
            id: 9,
            status: Status::Investigating,
            ..incident(9, "10T08:00", "Checkout returns 500s", &["checkout"])
        }
    }

    #[test]
    fn the_best_few_are_the_first_few_of_the_whole_order() {
        let all = rank(&checkout_again(), &[alert("a1")], &history());
        // Unordered, as they are found.
        let mut found = all.clone();
        found.reverse();
        found.rotate_left(1);
        let best_of = |keep| {
            let mut best = Best::new(keep);
            found.iter().cloned().for_each(|m| best.push(m));
            best.into_vec()
        };
        for keep in 0..=all.len() + 1 {
            let best = best_of(Some(keep));
            assert_eq!(best, all[..keep.min(all.len())], "keep {keep}");
        }
        let every = best_of(None);
        assert_eq!(every, all);
    }

    /// Hundreds of matches, of every tier, with ties in score and time,
    /// given in a scrambled order.
    fn many_matches() -> Vec<Match> {
        let mut state: u64 = 7;
        (1..=300)
            .map(|id| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let reasons = match (state >> 33) % 3 {
                    0 => vec![Reason::SameAlert {
                        alerts: vec![alert("a1")],
                    }],
                    1 => vec![Reason::SameService { services: Vec::new() }],
                    _ => vec![Reason::SharedWords {
                        words: Vec::new(),
                        score: 0.5,
                    }],
                };
                Match {
                    id: (id * 7919) % 301,
                    declared_at: t(&format!("{:02}T08:00", 1 + (state >> 40) % 3)),
                    reasons,
                    score: [0.5, 0.75, 1.0][((state >> 50) % 3) as usize],
                }
            })
            .collect()
    }

    #[test]
    fn the_best_kept_while_matching_are_the_best_of_all() {
        let found = many_matches();
        for keep in [None, Some(0), Some(1), Some(3), Some(50), Some(299), Some(400)] {
            // All of them sorted, then the first `keep`.
            let mut all = found.clone();
            order(&mut all);
            all.truncate(keep.unwrap_or(usize::MAX));
            let mut best = Best::new(keep);
            for m in found.iter().cloned() {
                best.push(m);
                assert!(
                    keep.is_none_or(|n| best.matches.len() <= n),
                    "keep {keep:?}: holds {}",
                    best.matches.len()
                );
            }
            assert_eq!(best.into_vec(), all, "keep {keep:?}");
        }
    }

    /// Offered one at a time, the kept are those `compare` and `push`
    /// would keep, and each offer says whether it was kept: what is not
    /// alike, or not among the best so far, is refused. (`beaten`, which
    /// both use, is held to a sort of all by
    /// `the_best_kept_while_matching_are_the_best_of_all`.)
    #[test]
    fn an_offer_keeps_what_compare_and_push_keep() {
        let of = Brief::of(&checkout_again());
        let me = Likeness::of(&of);
        let alerts = [alert("a1")];
        let mut candidates = history();
        // A second round of the history, ids after it, with the first
        // round's ties in words and time.
        for c in history() {
            let id = c.incident.id + 100;
            candidates.push(Candidate {
                incident: Brief { id, ..c.incident },
                alerts: c.alerts,
            });
        }
        // The same alert as 2, older, and words a little alike (0.4, under
        // SIMILAR): ranked by the alert alone, with no score, after 2.
        candidates.push(candidate(
            incident(50, "01T07:00", "Checkout is slow", &["search"]),
            &["a1"],
        ));
        for keep in [None, Some(0), Some(1), Some(2), Some(5), Some(50)] {
            let (mut offered, mut pushed) = (Best::new(keep), Best::new(keep));
            for c in &candidates {
                let them = Likeness::of(&c.incident);
                let kept = offered.offer(&me, &alerts, &them, &c.alerts);
                let m = compare(&me, &alerts, &them, &c.alerts);
                let held = pushed.matches.len();
                if let Some(m) = m.clone() {
                    pushed.push(m);
                }
                // Kept: it is among the held now.
                assert_eq!(
                    kept,
                    m.is_some_and(|m| pushed.matches.contains(&m)),
                    "keep {keep:?}, incident {} (held {held})",
                    c.incident.id
                );
            }
            assert_eq!(offered.into_vec(), pushed.into_vec(), "keep {keep:?}");
        }
    }

    #[test]
    fn the_ranking_of_a_known_history() {
        let ranked = rank(&checkout_again(), &[alert("a1")], &history());
        let ids: Vec<i64> = ranked.iter().map(|m| m.id).collect();
        assert_eq!(ids, [2, 1, 6, 3]);
        assert_eq!(
            ranked[0].reasons,
            [Reason::SameAlert {
                alerts: vec![alert("a1")]
            }]
        );
        assert_eq!(
            ranked[1].reasons,
            [
                Reason::SameService {
                    services: vec!["checkout".into()]
                },
                Reason::SharedWords {
                    words: vec!["500".into(), "checkout".into(), "return".into()],
                    score: 1.0
                }
            ]
        );
        // "Checkout 500s again" shares 2 of 3 + 3 words on checkout: 0.67.
        assert!((ranked[2].score - 2.0 / 3.0).abs() < 1e-9);
        // No service in common: words more than alike, 0.86.
        assert!(matches!(ranked[3].reasons[..], [Reason::SharedWords { .. }]));
        // "Checkout is slow" on checkout shares 1 of 3 + 2: 0.4, not alike.
        assert!(!ids.contains(&5));
    }

    #[test]
    fn a_shared_service_tips_a_borderline_pair_and_only_it() {
        let of = incident(9, "10T08:00", "Checkout is slow", &["checkout"]);
        let search = |services: &[&str]| candidate(incident(4, "04T08:00", "Search is slow", services), &[]);
        assert!(rank(&of, &[], &[search(&["search"])]).is_empty());
        assert!(rank(&of, &[], &[search(&[])]).is_empty());
        assert_eq!(rank(&of, &[], &[search(&["checkout"])]).len(), 1);
    }

    #[test]
    fn the_summary_counts_when_it_makes_them_more_alike() {
        let of = Incident {
            summary: Some("payments provider timeouts".into()),
            ..incident(9, "10T08:00", "Checkout errors", &[])
        };
        let other = Incident {
            summary: Some("timeouts from the payments provider".into()),
            ..incident(1, "01T08:00", "Orders failing", &[])
        };
        let ranked = rank(&of, &[], &[candidate(other, &[])]);
        assert_eq!(ranked.len(), 1);
        assert!(
            matches!(&ranked[0].reasons[0], Reason::SharedWords { words, .. } if words.contains(&"payment".to_string()))
        );
    }

    #[test]
    fn drills_count_only_for_drills() {
        let drill = Incident {
            drill: true,
            ..incident(1, "01T08:00", "Database failover", &["db"])
        };
        let of = incident(9, "10T08:00", "Database failover", &["db"]);
        assert!(rank(&of, &[], &[candidate(drill.clone(), &[])]).is_empty());
        let rehearsal = Incident { drill: true, ..of };
        assert_eq!(rank(&rehearsal, &[], &[candidate(drill, &[])]).len(), 1);
    }

    #[test]
    fn the_duplicate_is_the_latest_open_incident_on_a_shared_service_titled_alike() {
        let open = |id, declared, title, services: &[&str]| Incident {
            status: Status::Investigating,
            ..incident(id, declared, title, services)
        };
        let incidents = [
            open(1, "10T08:00", "Checkout returns 500s", &["checkout"]),
            open(
                2,
                "10T08:10",
                "checkout returning 500 errors",
                &["checkout", "cart"],
            ),
            open(3, "10T08:20", "Checkout returns 500s", &["search"]),
            incident(4, "10T08:30", "Checkout returns 500s", &["checkout"]),
            open(5, "10T08:40", "Checkout is slow", &["checkout"]),
        ];
        let draft = Incident {
            id: 0,
            ..incident(0, "10T09:00", "Checkout: returns 500s", &["checkout"])
        };
        assert_eq!(duplicate(&draft, &incidents).map(|i| i.id), Some(2));
        let elsewhere = Incident {
            services: vec!["billing".into()],
            ..draft.clone()
        };
        assert_eq!(duplicate(&elsewhere, &incidents), None);
        let unnamed = Incident {
            services: vec![],
            ..draft.clone()
        };
        assert_eq!(duplicate(&unnamed, &incidents), None);
        let drill = Incident { drill: true, ..draft };
        assert_eq!(duplicate(&drill, &incidents), None);
    }

    fn print(title: &str, summary: Option<&str>, services: &[&str]) -> Print {
        let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
        Print::of_parts(title, summary, &services)
    }

    #[test]
    fn a_print_reads_back_as_written() {
        for p in [
            print("Checkout returns 500s", None, &["checkout"]),
            print(
                "Checkout returns 500s",
                Some("Payments timing out; rolled back"),
                &["b", "a", "b"],
            ),
            print("", Some(""), &[]),
            print("the", None, &[]),
        ] {
            assert_eq!(Print::from_bytes(&p.to_bytes().unwrap()), Some(p));
        }
        // A summary of filler words alone is still a summary.
        let p = print("Checkout down", Some("the"), &[]);
        assert_ne!(p, print("Checkout down", None, &[]));
        assert_eq!(Print::from_bytes(&p.to_bytes().unwrap()), Some(p));
    }

    /// `show` reads the window's prints one after another into one print:
    /// each reads as if alone, whatever was read before it.
    #[test]
    fn prints_read_one_after_another_into_one_read_as_each_alone() {
        let prints = [
            print(
                "Checkout returns 500s",
                Some("Payments timing out; rolled back"),
                &["checkout", "payments"],
            ),
            print("Search slow", None, &[]),
            print("", Some("Only a summary here"), &["search"]),
            print("Login page down for everyone in the EU region", None, &["auth"]),
        ];
        let mut into = Print::default();
        for p in prints.iter().chain(prints.iter().rev()) {
            assert!(into.read(&p.to_bytes().unwrap()));
            assert_eq!(&into, p);
        }
        // Another version is refused, as by from_bytes.
        let mut other = prints[0].to_bytes().unwrap();
        other[0] = Print::VERSION + 1;
        assert!(!into.read(&other));
    }

    #[test]
    fn a_print_too_long_to_store_is_not_stored_but_still_compares() {
        let words: Vec<String> = (0..70_000).map(|n| format!("w{n}")).collect();
        let long = print("Checkout down", Some(&words.join(" ")), &["checkout"]);
        assert_eq!(long.to_bytes(), None);
        let short = print("Checkout down", None, &["checkout"]);
        assert!(long.measured(&short) > 0.9, "by the titles");
    }

    #[test]
    fn a_print_of_another_version_or_damaged_is_not_read() {
        let bytes = print("Checkout returns 500s", Some("rolled back"), &["checkout", "db"])
            .to_bytes()
            .unwrap();
        let mut other = bytes.clone();
        other[0] = Print::VERSION + 1;
        assert_eq!(Print::from_bytes(&other), None);
        for cut in 0..bytes.len() {
            assert_eq!(Print::from_bytes(&bytes[..cut]), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Print::from_bytes(&longer), None);
        // Lengths that overflow, and numbers out of order.
        let mut huge = vec![Print::VERSION];
        huge.extend([u8::MAX; 6]);
        assert_eq!(Print::from_bytes(&huge), None);
        let mut swapped = bytes.clone();
        let (a, b) = (7, 15);
        for k in 0..8 {
            swapped.swap(a + k, b + k);
        }
        assert_eq!(Print::from_bytes(&swapped), None);
    }

    mod any_bytes {
        use super::super::{Print, Texts};
        use proptest::prelude::*;

        /// A title or summary of words that overlap often, filler and
        /// endings among them.
        fn text() -> impl Strategy<Value = String> {
            let word = prop_oneof![
                Just("checkout"),
                Just("Checkout"),
                Just("returns"),
                Just("returning"),
                Just("500s"),
                Just("500"),
                Just("the"),
                Just("is"),
                Just("slow"),
                Just("db"),
                Just("failover"),
                Just("!"),
            ];
            proptest::collection::vec(word, 0..8).prop_map(|w| w.join(" "))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Stored, the print compares as the words of the texts do: the
            /// titles', or the whole texts' when more alike.
            #[test]
            fn a_print_measures_what_the_words_measure(
                a in (text(), proptest::option::of(text())),
                b in (text(), proptest::option::of(text())),
            ) {
                let (ta, tb) = (Texts::new(&a.0, a.1.as_deref()), Texts::new(&b.0, b.1.as_deref()));
                let by_title = ta.title.similarity(&tb.title);
                let by_text = ta.full().similarity(tb.full());
                let want = match a.1.is_none() && b.1.is_none() {
                    true => by_title,
                    false => by_title.max(by_text),
                };
                let stored = |t: &Texts| Print::from_bytes(&Print::with(t, &[]).to_bytes().unwrap()).unwrap();
                prop_assert_eq!(stored(&ta).measured(&stored(&tb)), want);
            }
        }

        proptest! {
            /// Well-formed version 1 prints whose lists may be out of
            /// order, repeat a number or share one between title and
            /// summary: read back exactly, or refused, and refused only
            /// for those faults.
            #[test]
            fn a_print_of_this_version_is_read_exactly_or_refused_for_a_fault(
                title in proptest::collection::vec(0u64..6, 0..5),
                extra in proptest::option::of(proptest::collection::vec(0u64..6, 0..5)),
                services in proptest::collection::vec(0u64..6, 0..4),
                sort in any::<bool>(),
            ) {
                let tidy = |mut v: Vec<u64>| { if sort { v.sort_unstable(); v.dedup(); } v };
                let (title, services) = (tidy(title), tidy(services));
                let extra = extra.map(tidy);
                let mut bytes = vec![Print::VERSION];
                for n in [title.len(), extra.as_ref().map_or(0, |e| e.len() + 1), services.len()] {
                    bytes.extend_from_slice(&(n as u16).to_le_bytes());
                }
                for h in title.iter().chain(extra.iter().flatten()).chain(&services) {
                    bytes.extend_from_slice(&h.to_le_bytes());
                }
                let increasing = |v: &[u64]| v.windows(2).all(|w| w[0] < w[1]);
                let fine = increasing(&title)
                    && extra.as_deref().is_none_or(increasing)
                    && increasing(&services)
                    && extra.iter().flatten().all(|h| !title.contains(h));
                let read = Print::from_bytes(&bytes);
                prop_assert_eq!(read.is_some(), fine);
                if let Some(p) = read {
                    prop_assert_eq!(p.to_bytes(), Some(bytes));
                }
            }

            #[test]
            fn any_stored_bytes_are_read_or_refused_without_a_panic(
                bytes in proptest::collection::vec(any::<u8>(), 0..64),
            ) {
                if let Some(p) = Print::from_bytes(&bytes) {
                    prop_assert_eq!(p.to_bytes(), Some(bytes));
                }
            }
        }
    }
}
