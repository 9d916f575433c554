//! The tamper-evident timeline: each event stores the SHA-256 of its content
//! and of the previous event of the same incident, and the incident row keeps
//! the newest hash (its head). Editing, deleting or reordering events with
//! `sqlite3` breaks the chain, and `incident verify` says where.
//!
//! This detects changes made behind the tool's back by anyone who does not
//! recompute the whole chain; it is evidence, not a signature. Anchoring the
//! head elsewhere (a chat message, a ticket) makes even that detectable.

use sha2::{Digest, Sha256};

/// An event's content exactly as stored (text columns, verbatim), so the hash
/// is checked against the bytes in the file, not a re-serialisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content<'a> {
    pub at: &'a str,
    pub recorded_at: &'a str,
    pub author: &'a str,
    pub kind: &'a str,
    pub text: &'a str,
    pub details: Option<&'a str>,
}

/// The hash of an event: over a domain tag, the incident's stable id, the
/// previous hash and the content, as one JSON array (unambiguous framing).
pub fn hash(incident_uid: &str, prev: &str, c: &Content<'_>) -> String {
    let framed = serde_json::json!([
        "incident-chain-v1",
        incident_uid,
        prev,
        c.at,
        c.recorded_at,
        c.author,
        c.kind,
        c.text,
        c.details
    ]);
    let digest = Sha256::digest(framed.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new event as it is stored and chained: its fields in the exact text
/// form that is hashed, its link to the previous event and its hash.
/// Every backend stores these fields as they are, so an event hashes the
/// same wherever it is kept.
pub fn seal(
    incident_uid: &str,
    head: Option<&str>,
    event: &crate::domain::NewEvent,
    author: &str,
    recorded_at: chrono::DateTime<chrono::Utc>,
) -> ChainRow {
    let (kind, details) = event.data.to_stored();
    let prev = head.unwrap_or_default().to_string();
    let mut row = ChainRow {
        id: 0,
        at: crate::time::to_rfc3339(event.at),
        recorded_at: crate::time::to_rfc3339(recorded_at),
        author: author.to_string(),
        kind: kind.as_str().to_string(),
        text: event.text.clone(),
        details,
        prev_hash: Some(prev),
        hash: None,
    };
    row.hash = Some(hash(
        incident_uid,
        row.prev_hash.as_deref().unwrap_or_default(),
        &row.link().content,
    ));
    row
}

/// One stored event, for verification.
#[derive(Debug, Clone)]
pub struct Link<'a> {
    pub id: i64,
    pub content: Content<'a>,
    pub prev_hash: Option<&'a str>,
    pub hash: Option<&'a str>,
}

/// What is wrong with a chain, by event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The event has no hash: it was inserted behind the tool's back.
    Unhashed { id: i64 },
    /// The content no longer matches its hash.
    Edited { id: i64 },
    /// The event does not follow the one before it: events between were
    /// deleted, or the order was changed.
    Broken { id: i64 },
    /// The newest events are gone: the chain ends before the recorded head.
    Truncated { last: Option<i64> },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unhashed { id } => write!(f, "event {id} has no hash: it was added outside incident"),
            Problem::Edited { id } => write!(f, "event {id} was changed after it was recorded"),
            Problem::Broken { id } => write!(f, "the events before event {id} were deleted or reordered"),
            Problem::Truncated { last: Some(id) } => {
                write!(
                    f,
                    "events after event {id} were deleted (the chain's recorded head is missing)"
                )
            }
            Problem::Truncated { last: None } => write!(f, "every event was deleted"),
        }
    }
}

/// Checks a chain (events in recording order) against the incident's head.
pub fn verify(incident_uid: &str, head: Option<&str>, links: &[Link<'_>]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut previous = "";
    for link in links {
        let (Some(stored), Some(prev)) = (link.hash, link.prev_hash) else {
            problems.push(Problem::Unhashed { id: link.id });
            previous = "";
            continue;
        };
        if prev != previous {
            problems.push(Problem::Broken { id: link.id });
        }
        if hash(incident_uid, prev, &link.content) != stored {
            problems.push(Problem::Edited { id: link.id });
        }
        previous = stored;
    }
    let tail = links.last().and_then(|l| l.hash);
    if head.is_some() && head != tail {
        problems.push(Problem::Truncated {
            last: links.last().map(|l| l.id),
        });
    }
    problems
}

/// An event's chain fields and content, verbatim from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    pub id: i64,
    pub at: String,
    pub recorded_at: String,
    pub author: String,
    pub kind: String,
    pub text: String,
    pub details: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl ChainRow {
    pub fn link(&self) -> Link<'_> {
        Link {
            id: self.id,
            content: Content {
                at: &self.at,
                recorded_at: &self.recorded_at,
                author: &self.author,
                kind: &self.kind,
                text: &self.text,
                details: self.details.as_deref(),
            },
            prev_hash: self.prev_hash.as_deref(),
            hash: self.hash.as_deref(),
        }
    }
}

/// An incident's stable id, recorded head and events in recording order, as
/// stored (no parsing, so even a mangled row can be checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub uid: String,
    pub head: Option<String>,
    pub rows: Vec<ChainRow>,
}

/// A commitment to the whole database as it stood: every event that had
/// arrived (up to arrival number `upto`), with its incident, in arrival
/// order. Kept outside (a chat message, a git repository), it makes the
/// deletion of newest events, of a timeline or of an incident evident,
/// which the chains alone cannot show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The arrival number of the newest event it covers (0: none).
    pub upto: i64,
    /// SHA-256 over the covered events' incident uids and hashes.
    pub digest: String,
}

/// The tag a checkpoint line starts with (and its version).
const CHECKPOINT_TAG: &str = "incident-checkpoint-v1";

impl Checkpoint {
    /// The one line `incident checkpoint` prints.
    pub fn line(&self) -> String {
        format!("{CHECKPOINT_TAG}:{}:{}", self.upto, self.digest)
    }

    /// Reads a checkpoint line; `Err` says it is not one.
    pub fn parse(line: &str) -> Result<Checkpoint, String> {
        let bad = || format!("'{}' is not a checkpoint line", line.trim());
        let mut parts = line.trim().split(':');
        let (Some(CHECKPOINT_TAG), Some(upto), Some(digest), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let upto: i64 = upto.parse().map_err(|_| bad())?;
        let hex = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
        if upto < 0 || !hex {
            return Err(bad());
        }
        Ok(Checkpoint {
            upto,
            digest: digest.to_ascii_lowercase(),
        })
    }
}

/// Builds a [`Checkpoint`] from events fed in arrival order.
pub struct CheckpointHasher {
    digest: Sha256,
}

impl Default for CheckpointHasher {
    fn default() -> Self {
        let mut digest = Sha256::new();
        digest.update(CHECKPOINT_TAG.as_bytes());
        CheckpointHasher { digest }
    }
}

impl CheckpointHasher {
    /// One event: its incident's uid and its hash (none when unhashed).
    /// Each value is length-prefixed, so the framing is unambiguous.
    pub fn add(&mut self, uid: &str, hash: Option<&str>) {
        let hash = hash.unwrap_or("");
        for part in [uid, hash] {
            self.digest.update((part.len() as u64).to_be_bytes());
            self.digest.update(part.as_bytes());
        }
    }

    pub fn finish(self, upto: i64) -> Checkpoint {
        let digest = self.digest.finalize();
        Checkpoint {
            upto,
            digest: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> Content<'_> {
        Content {
            at: "2026-11-23T08:00:00Z",
            recorded_at: "2026-11-23T08:00:00Z",
            author: "alice",
            kind: "note",
            text,
            details: None,
        }
    }

    /// Builds a valid chain of three notes; returns (hashes, texts).
    fn chain() -> (Vec<String>, Vec<String>) {
        let texts: Vec<String> = ["one", "two", "three"].map(String::from).to_vec();
        let mut hashes: Vec<String> = Vec::new();
        for t in &texts {
            let prev = hashes.last().map(String::as_str).unwrap_or("");
            hashes.push(hash("uid", prev, &content(t)));
        }
        (hashes, texts)
    }

    fn links<'a>(hashes: &'a [String], texts: &'a [String]) -> Vec<Link<'a>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Link {
                id: i as i64 + 1,
                content: content(t),
                prev_hash: Some(if i == 0 { "" } else { hashes[i - 1].as_str() }),
                hash: Some(hashes[i].as_str()),
            })
            .collect()
    }

    #[test]
    fn a_checkpoint_line_round_trips_and_commits_to_every_event() {
        let build = |events: &[(&str, &str)]| {
            let mut h = CheckpointHasher::default();
            for (uid, hash) in events {
                h.add(uid, Some(hash));
            }
            h.finish(events.len() as i64)
        };
        let all = build(&[("u1", "a"), ("u2", "b"), ("u1", "c")]);
        assert_eq!(Checkpoint::parse(&all.line()), Ok(all.clone()));
        assert_ne!(build(&[("u1", "a"), ("u2", "b")]).digest, all.digest);
        assert_ne!(build(&[("u1", "a"), ("u1", "c"), ("u2", "b")]).digest, all.digest);
        // Framing: moving a character between fields changes the digest.
        assert_ne!(build(&[("u1a", "")]).digest, build(&[("u1", "a")]).digest);
        for bad in [
            "",
            "x",
            "incident-checkpoint-v1:1",
            "incident-checkpoint-v1:-1:00",
            "incident-checkpoint-v1:1:zz",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let (h, t) = chain();
        assert_eq!(verify("uid", Some(&h[2]), &links(&h, &t)), []);
        assert_eq!(h[0].len(), 64);
    }

    #[test]
    fn the_hash_covers_every_field_and_the_incident() {
        let base = hash("uid", "", &content("x"));
        assert_ne!(base, hash("other", "", &content("x")));
        assert_ne!(base, hash("uid", "p", &content("x")));
        let mut c = content("x");
        c.author = "mallory";
        assert_ne!(base, hash("uid", "", &c));
        let mut c = content("x");
        c.details = Some("{}");
        assert_ne!(base, hash("uid", "", &c));
        // Framing: moving text between fields changes the hash.
        let mut a = content("b");
        a.author = "a";
        let mut b = content("");
        b.author = "ab";
        assert_ne!(hash("uid", "", &a), hash("uid", "", &b));
    }

    #[test]
    fn an_edit_is_found() {
        let (h, mut t) = chain();
        t[1] = "TWO".into();
        assert_eq!(
            verify("uid", Some(&h[2]), &links(&h, &t)),
            [Problem::Edited { id: 2 }]
        );
    }

    #[test]
    fn a_deletion_in_the_middle_is_found() {
        let (h, t) = chain();
        let mut l = links(&h, &t);
        l.remove(1);
        assert_eq!(verify("uid", Some(&h[2]), &l), [Problem::Broken { id: 3 }]);
    }

    #[test]
    fn deleting_the_newest_events_is_found_through_the_head() {
        let (h, t) = chain();
        let mut l = links(&h, &t);
        l.pop();
        assert_eq!(
            verify("uid", Some(&h[2]), &l),
            [Problem::Truncated { last: Some(2) }]
        );
        assert_eq!(
            verify("uid", Some(&h[2]), &[]),
            [Problem::Truncated { last: None }]
        );
    }

    #[test]
    fn a_reorder_and_an_unhashed_insert_are_found() {
        let (h, t) = chain();
        let mut l = links(&h, &t);
        l.swap(1, 2);
        let problems = verify("uid", Some(&h[2]), &l);
        assert!(problems.contains(&Problem::Broken { id: 3 }), "{problems:?}");
        let mut l = links(&h, &t);
        l[1].hash = None;
        assert!(verify("uid", Some(&h[2]), &l).contains(&Problem::Unhashed { id: 2 }));
    }
}
