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
pub struct Chain {
    pub uid: String,
    pub head: Option<String>,
    pub rows: Vec<ChainRow>,
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
