//! Full-text search, written once for every backend: what is indexed (the
//! documents an incident's text makes), how text is cut into words, how a
//! person's query is read, and the snippet a hit shows.
//!
//! Both backends index the words [`words`] finds, never the raw text: SQLite
//! gets them space-separated (its `unicode61` tokenizer then sees exactly
//! these words) and PostgreSQL as a `tsvector` literal with positions. So a
//! word is the same word on either backend (PostgreSQL's own parser would
//! keep `api.example.com` whole and find no `example` in it, where SQLite
//! would), and the query language is ours: the backends only ever see words
//! of letters and digits, quoted, so nothing a person types can reach
//! FTS5's or `tsquery`'s operators (`NEAR`, `*`, `-`, `title:`, `!`, `<->`).

use serde::Serialize;

/// The longest word kept, in characters: longer ones are cut to it, in the
/// index and in queries alike (so they still match), which keeps every
/// lexeme far under PostgreSQL's 2 KB limit.
pub const MAX_WORD: usize = 64;

/// The most terms a query may have: more is certainly not a search for
/// something (a pasted file), and each term costs the index a lookup.
pub const MAX_TERMS: usize = 32;

/// Where in an incident a piece of text lives. Stored by [`Place::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    Title,
    Summary,
    Resolution,
    /// A timeline entry (note, decision, action, evidence, update).
    Entry,
    /// A triage assessment's answers (impact, who sees it).
    Assessment,
    RetroImpact,
    RetroWhys,
    RootCause,
    Trigger,
    LeadUp,
    Contributing,
    WentWell,
    WentBadly,
    Lucky,
    NoActions,
    ActionItem,
    Alert,
}

impl Place {
    pub const ALL: &'static [Place] = &[
        Place::Title,
        Place::Summary,
        Place::Resolution,
        Place::Entry,
        Place::Assessment,
        Place::RetroImpact,
        Place::RetroWhys,
        Place::RootCause,
        Place::Trigger,
        Place::LeadUp,
        Place::Contributing,
        Place::WentWell,
        Place::WentBadly,
        Place::Lucky,
        Place::NoActions,
        Place::ActionItem,
        Place::Alert,
    ];

    /// The stored and `--json` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Title => "title",
            Place::Summary => "summary",
            Place::Resolution => "resolution",
            Place::Entry => "timeline",
            Place::Assessment => "assessment",
            Place::RetroImpact => "retro.impact",
            Place::RetroWhys => "retro.whys",
            Place::RootCause => "retro.root_cause",
            Place::Trigger => "retro.trigger",
            Place::LeadUp => "retro.lead_up",
            Place::Contributing => "retro.contributing",
            Place::WentWell => "retro.went_well",
            Place::WentBadly => "retro.went_badly",
            Place::Lucky => "retro.lucky",
            Place::NoActions => "retro.no_actions",
            Place::ActionItem => "action",
            Place::Alert => "alert",
        }
    }

    /// How a person is told where the words are.
    pub fn label(self) -> &'static str {
        match self {
            Place::Title => "title",
            Place::Summary => "summary",
            Place::Resolution => "resolution",
            Place::Entry => "timeline entry",
            Place::Assessment => "assessment",
            Place::RetroImpact => "retro impact",
            Place::RetroWhys => "retro whys",
            Place::RootCause => "retro root cause",
            Place::Trigger => "retro trigger",
            Place::LeadUp => "retro lead-up",
            Place::Contributing => "retro contributing factors",
            Place::WentWell => "retro went well",
            Place::WentBadly => "retro went badly",
            Place::Lucky => "retro lucky",
            Place::NoActions => "retro no actions",
            Place::ActionItem => "action item",
            Place::Alert => "alert",
        }
    }

    pub fn parse(text: &str) -> Option<Place> {
        Place::ALL.iter().copied().find(|p| p.as_str() == text)
    }
}

/// One indexed piece of text. `(place, of)` names it: `of` is the number
/// of the thing it belongs to (the event, assessment, action item or alert;
/// the incident itself for its own fields and its retrospective's), so a
/// new version of the text replaces the old one, and an alert moving to
/// another incident moves its text with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub place: Place,
    pub of: i64,
    pub incident_id: i64,
    /// The text as written; blank: nothing to index (any older version is
    /// removed).
    pub text: String,
}

impl Doc {
    pub fn new(place: Place, of: i64, incident_id: i64, text: impl Into<String>) -> Doc {
        Doc {
            place,
            of,
            incident_id,
            text: text.into(),
        }
    }

    /// Whether there are words to index.
    pub fn is_blank(&self) -> bool {
        words(&self.text).next().is_none()
    }
}

/// An incident's own fields: title, summary, resolution.
pub fn incident_docs(incident: &super::Incident) -> [Doc; 3] {
    incident_fields(
        incident.id,
        &incident.title,
        incident.summary.as_deref(),
        incident.resolution.as_deref(),
    )
}

/// The texts of `incident` to index after a change from `before` (the
/// state the writing transaction read): the ones that changed, or all
/// three when there is no before (a new incident, an import). Most changes
/// (a status, a severity, a role) change none of them.
pub fn changed_incident_docs(incident: &super::Incident, before: Option<&super::Incident>) -> Vec<Doc> {
    let docs = incident_docs(incident);
    match before {
        None => docs.into(),
        Some(before) => docs
            .into_iter()
            .zip(incident_docs(before))
            .filter(|(new, old)| new != old)
            .map(|(new, _)| new)
            .collect(),
    }
}

/// [`incident_docs`] from the fields alone (a migration's backfill reads
/// only these columns).
pub fn incident_fields(id: i64, title: &str, summary: Option<&str>, resolution: Option<&str>) -> [Doc; 3] {
    [
        Doc::new(Place::Title, id, id, title),
        Doc::new(Place::Summary, id, id, summary.unwrap_or_default()),
        Doc::new(Place::Resolution, id, id, resolution.unwrap_or_default()),
    ]
}

/// Whether events of `kind` are timeline entries a person wrote, whose text
/// is indexed. The others' text is written by the tool ("Severity SEV2 →
/// SEV1", "Title: old → new"): indexing an edit would keep an old title
/// findable, which `edit --title` is meant to end.
pub fn is_written(kind: super::EventKind) -> bool {
    use super::EventKind as K;
    matches!(
        kind,
        K::Note | K::Decision | K::Action | K::Evidence | K::Comms | K::StatusUpdate
    )
}

/// A timeline entry's text, when its kind is indexed.
pub fn event_doc(incident_id: i64, event_id: i64, kind: super::EventKind, text: &str) -> Option<Doc> {
    is_written(kind).then(|| Doc::new(Place::Entry, event_id, incident_id, text))
}

/// An assessment's free-text answers.
pub fn assessment_doc(a: &super::triage::Assessment) -> Doc {
    Doc::new(
        Place::Assessment,
        a.id,
        a.incident_id,
        assessment_text(&a.answers.impact, &a.answers.sees),
    )
}

/// The indexed text of an assessment with these answers.
pub fn assessment_text(impact: &str, sees: &str) -> String {
    format!("{impact}\n{sees}")
}

/// A retrospective's answers, one document per field (blank ones too, so
/// an answer taken back is removed).
pub fn retro_docs(incident_id: i64, r: &super::retro::Retro) -> Vec<Doc> {
    let one = |o: &Option<String>| o.clone().unwrap_or_default();
    let many = |v: &[String]| v.join("\n");
    [
        (Place::RetroImpact, one(&r.impact)),
        (Place::RetroWhys, many(&r.whys)),
        (Place::RootCause, one(&r.root_cause)),
        (Place::Trigger, one(&r.trigger)),
        (Place::LeadUp, one(&r.lead_up)),
        (Place::Contributing, many(&r.contributing)),
        (Place::WentWell, many(&r.went_well)),
        (Place::WentBadly, many(&r.went_badly)),
        (Place::Lucky, many(&r.lucky)),
        (Place::NoActions, one(&r.no_actions)),
    ]
    .into_iter()
    .map(|(place, text)| Doc::new(place, incident_id, incident_id, text))
    .collect()
}

/// An action item's text and its closing note.
pub fn action_doc(item: &super::retro::ActionItem) -> Doc {
    Doc::new(
        Place::ActionItem,
        item.id,
        item.incident_id,
        action_text(&item.text, item.note.as_deref()),
    )
}

/// The indexed text of an action item: what it says, and its closing note.
pub fn action_text(text: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{text}\n{note}"),
        None => text.to_string(),
    }
}

/// An alert's summary, while it belongs to an incident (`None`: it belongs
/// to none, and any earlier document of it goes).
pub fn alert_doc(alert: &super::alerts::Alert) -> Option<Doc> {
    alert
        .incident_id
        .map(|incident| Doc::new(Place::Alert, alert.id, incident, alert.summary.clone()))
}

/// The words of `text`, each with its byte range, lower-cased and cut to
/// [`MAX_WORD`] characters: runs of letters and digits (`char::is_alphanumeric`);
/// everything else separates them.
pub fn words(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            chars.next();
        }
        let (start, _) = *chars.peek()?;
        let mut end = start;
        let mut word = String::new();
        let mut kept = 0;
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            if kept < MAX_WORD {
                word.extend(c.to_lowercase());
                kept += 1;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        Some((start, end, word))
    })
}

/// What the SQLite index is given for `text`: its words, space-separated.
pub fn indexed_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (_, _, word) in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// PostgreSQL keeps at most 256 positions of one lexeme, and none past
/// 16,383.
const MAX_POSITIONS: usize = 255;
const MAX_POSITION: usize = 16_383;

/// What the PostgreSQL index is given for `text`: a `tsvector` literal of
/// its words with their positions (`'disk':2,7 'full':3`). Words are letters
/// and digits only, so quoting cannot be escaped from; quotes and
/// backslashes are doubled all the same.
pub fn tsvector(text: &str) -> String {
    let mut positions: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (n, (_, _, word)) in words(text).enumerate() {
        let at = (n + 1).min(MAX_POSITION);
        let list = positions.entry(word).or_default();
        if list.len() < MAX_POSITIONS && list.last() != Some(&at) {
            list.push(at);
        }
    }
    let mut out = String::new();
    for (word, at) in positions {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(&quote(&word));
        out.push_str("':");
        out.push_str(&at.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","));
    }
    out
}

fn quote(word: &str) -> String {
    word.replace('\\', "\\\\").replace('\'', "''")
}

/// A search: every term must be in one piece of text (words anywhere in
/// it, a phrase's words in a row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Each term is one word, or a phrase of several in a row.
    pub terms: Vec<Vec<String>>,
}

/// Why a query cannot be searched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// Nothing to look for: no letters or digits at all.
    NoWords,
    /// More terms than [`MAX_TERMS`].
    TooManyTerms(usize),
}

impl Query {
    /// Reads what a person typed: words, and "quoted phrases" (an unclosed
    /// quote runs to the end). Anything that is not a letter or a digit
    /// separates words, and an unquoted word that punctuation splits
    /// (`api.example.com`, `disk-full`) is a phrase of its parts, so it
    /// finds the text it was copied from. There are no operators: `OR`,
    /// `NEAR`, `-x`, `x*` and `title:x` are words like any other.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut terms: Vec<Vec<String>> = Vec::new();
        for (n, part) in text.split('"').enumerate() {
            let quoted = n % 2 == 1;
            let chunks: Vec<&str> = match quoted {
                true => vec![part],
                false => part.split(char::is_whitespace).collect(),
            };
            for chunk in chunks {
                let term: Vec<String> = words(chunk).map(|(_, _, w)| w).collect();
                if !term.is_empty() && !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
        match terms.len() {
            0 => Err(QueryError::NoWords),
            n if n > MAX_TERMS => Err(QueryError::TooManyTerms(n)),
            _ => Ok(Query { terms }),
        }
    }

    /// The FTS5 query: each term a quoted string (a phrase), all required.
    /// Words are letters and digits only, so no FTS5 syntax can be formed.
    pub fn fts5(&self) -> String {
        self.terms
            .iter()
            .map(|t| format!("\"{}\"", t.join(" ").replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The `tsquery` literal: each word quoted, a phrase's words joined by
    /// `<->` (followed by), the terms by `&`.
    pub fn tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let phrase = t
                    .iter()
                    .map(|w| format!("'{}'", quote(w)))
                    .collect::<Vec<_>>()
                    .join(" <-> ");
                format!("({phrase})")
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    fn has_word(&self, word: &str) -> bool {
        self.terms.iter().any(|t| t.iter().any(|w| w == word))
    }
}

/// One incident found: its best-ranked piece of text, and how many of its
/// pieces matched in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub incident_id: i64,
    pub place: Place,
    /// The number of the event, assessment, action item or alert (the
    /// incident's for its own fields and its retrospective).
    pub of: i64,
    pub text: String,
    /// Pieces of this incident's text that matched, this one included.
    pub matches: usize,
}

/// The best hits, best first, and how many incidents matched in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hits {
    pub hits: Vec<Hit>,
    /// The incidents matched: all of them, or (when `cut`) those of the
    /// texts ranked, so at least this many.
    pub total: usize,
    /// `Some(n)`: more than `n` texts matched, and only the newest `n` were
    /// ranked (see [`bound`]).
    pub cut: Option<usize>,
}

/// How many matching pieces of text a page of results ranks, at most: the
/// newest ones (the most recently indexed first). A word in much of the
/// record (`deploy`, a service's name, a phrase every update repeats)
/// matches hundreds of thousands of texts, and ranking every one took 0.15
/// to 1.5 s at 100,000 incidents (BENCHMARKS.md); the backends hand over
/// their matches newest first and stop here, so such a query costs what a
/// rare word does. A query that names what it looks for matches fewer and
/// is ranked whole. Newest first because a responder searching a common
/// word most often means the recent past; the footer says the rest were
/// not ranked and how to reach them.
pub const RANKED: usize = 1_000;

/// The most matching texts ranked for a page of `limit` incidents (`None`:
/// every incident was asked for, and every match is ranked). Never fewer
/// than the page, so a long page can fill when the matches do.
pub fn bound(limit: Option<usize>) -> Option<usize> {
    limit.map(|n| n.max(RANKED))
}

/// How many matching texts a backend reads, newest first, for a page of
/// `limit`: one more than the bound, to know whether any were left.
pub fn to_read(limit: Option<usize>) -> Option<usize> {
    bound(limit).map(|n| n + 1)
}

/// The most incidents a filter may select for a search to start from
/// their texts rather than from the newest matches. A common word under a
/// narrow filter (`elevated --service payments --since 30d`) otherwise
/// reads its matches newest first until the filter has kept [`RANKED`],
/// which for a filter that keeps fewer is every match in the record (120
/// to 370 ms at 100,000 incidents, BENCHMARKS.md). The backends look the
/// selected incidents up first, at most one more than this many; a filter
/// that selects more keeps enough of the newest matches soon enough.
pub const FEW_INCIDENTS: usize = 2_000;

/// BM25's constants, as FTS5 and Lucene use them: how fast repeats of a
/// word stop counting (`K1`), and how much a text's length counts (`B`).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// The length, in words, a text is measured against: about a timeline
/// entry's. A fixed number, so a text's score is its own and never
/// depends on what else matched.
const AVERAGE_WORDS: f64 = 12.0;

/// How well `text` matches `query`: BM25 without its rarity weight (every
/// term counts alike), so it needs nothing but the text. Each term scores
/// by how often it occurs (a phrase: its words in a row), saturating, and
/// less in a longer text, so a short title that holds the words outranks
/// a long entry that mentions them once. The backends find the matches;
/// this orders them, the same on both. Left out of BM25: weighing a rare
/// term above a common one, which needs every text's words counted (the
/// very cost the bound avoids); in a search where every text holds every
/// term, it only changes how two terms' repeats compare.
pub fn score(text: &str, query: &Query) -> f64 {
    let words: Vec<String> = words(text).map(|(_, _, w)| w).collect();
    let length = words.len() as f64;
    let norm = K1 * (1.0 - B + B * length / AVERAGE_WORDS);
    query
        .terms
        .iter()
        .map(|term| {
            let tf = match term.len() {
                0 => 0,
                n => words.windows(n).filter(|w| *w == term.as_slice()).count(),
            } as f64;
            tf * (K1 + 1.0) / (tf + norm)
        })
        .sum()
}

/// An incident's best text so far, and how many of its texts matched.
#[derive(Debug)]
struct Best {
    score: f64,
    hit: Hit,
}

/// Ranks the matches a backend reads, newest first, for a page of `limit`
/// incidents: each incident by its best-scoring text ([`score`]), ties to
/// the newer incident (and within one incident to its title, then the
/// lower place and number), up to [`bound`] texts. One rule for both
/// backends: they only select the matches, in order, and stop at
/// [`to_read`].
#[derive(Debug)]
pub struct Ranking<'q> {
    query: &'q Query,
    limit: Option<usize>,
    read: usize,
    cut: bool,
    best: std::collections::HashMap<i64, Best>,
}

impl<'q> Ranking<'q> {
    pub fn new(query: &'q Query, limit: Option<usize>) -> Ranking<'q> {
        Ranking {
            query,
            limit,
            read: 0,
            cut: false,
            best: Default::default(),
        }
    }

    /// Takes the next matching text, newest first; `false` once the bound is
    /// reached (this one is not ranked, and nothing after it need be read).
    pub fn offer(&mut self, incident_id: i64, place: Place, of: i64, text: &str) -> bool {
        if bound(self.limit).is_some_and(|n| self.read >= n) {
            self.cut = true;
            return false;
        }
        self.read += 1;
        let score = score(text, self.query);
        let better =
            |b: &Best| score > b.score || (score == b.score && (place, of) < (b.hit.place, b.hit.of));
        let best = |matches| Best {
            score,
            hit: Hit {
                incident_id,
                place,
                of,
                text: text.to_string(),
                matches,
            },
        };
        match self.best.entry(incident_id) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let b = e.get_mut();
                b.hit.matches += 1;
                if better(b) {
                    *b = best(b.hit.matches);
                }
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(best(1));
            }
        }
        true
    }

    /// The page: the best incidents, best first, and the count.
    pub fn finish(self) -> Hits {
        let total = self.best.len();
        let mut ranked: Vec<Best> = self.best.into_values().collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.hit.incident_id.cmp(&a.hit.incident_id))
        });
        if let Some(n) = self.limit {
            ranked.truncate(n);
        }
        Hits {
            hits: ranked.into_iter().map(|b| b.hit).collect(),
            total,
            cut: self.cut.then(|| bound(self.limit).unwrap_or(self.read)),
        }
    }
}

/// The line under a page of `shown` hits that says what else matched, if
/// anything did.
pub fn footer(found: &Hits, shown: usize) -> Option<String> {
    if let Some(ranked) = found.cut {
        return Some(format!(
            "… and more: only the newest {} matching texts were ranked, from {} incidents; \
             narrow the search (more words, --service, --since) or rank every match with --limit 0",
            thousands(ranked),
            thousands(found.total)
        ));
    }
    (found.total > shown).then(|| {
        format!(
            "… and {} more; --limit 0 shows all {}",
            found.total - shown,
            found.total
        )
    })
}

/// `12345` as `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A piece of matched text, on one line, with the query's words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// The marked words, as `[start, end)` offsets in characters (not
    /// bytes), in order: what `jq`'s `.[start:end]` slices.
    pub marks: Vec<(usize, usize)>,
}

impl Snippet {
    /// The text cut into pieces, each marked or not, in order.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut bytes = self.text.char_indices().map(|(i, _)| i).collect::<Vec<_>>();
        bytes.push(self.text.len());
        let mut out = Vec::new();
        let mut at = 0;
        for &(start, end) in &self.marks {
            let (s, e) = (bytes[start], bytes[end]);
            if s > at {
                out.push((&self.text[at..s], false));
            }
            out.push((&self.text[s..e], true));
            at = e;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }
}

/// Characters of context a snippet shows around its first match, at most.
pub const SNIPPET_CHARS: usize = 160;

/// The snippet of `text` for `query`: up to [`SNIPPET_CHARS`] characters
/// around the first word of the query found in it (the start of the text
/// when none is, as for a phrase split over a line), whitespace and control
/// characters folded into single spaces (what else a terminal must not
/// see is escaped where it is shown), cut at word boundaries with `…`.
pub fn snippet(text: &str, query: &Query) -> Snippet {
    // Fold to one line first, so offsets are those of what is shown.
    let mut line = String::with_capacity(text.len().min(64 * 1024));
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !line.is_empty();
        } else {
            if space {
                line.push(' ');
                space = false;
            }
            line.push(c);
        }
    }
    let found: Vec<(usize, usize)> = words(&line)
        .filter(|(_, _, w)| query.has_word(w))
        .map(|(s, e, _)| (s, e))
        .collect();
    let first = found.first().map_or(0, |&(s, _)| s);
    // A third of the room before the first match, the rest after it.
    let before = SNIPPET_CHARS / 3;
    let mut start = line[..first]
        .char_indices()
        .rev()
        .nth(before.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if start > 0 {
        // To the next word's start, so no word is cut in two.
        start = line[start..]
            .find(' ')
            .map_or(start, |sp| (start + sp + 1).min(first));
    }
    let mut end = line[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(line.len(), |(i, _)| start + i);
    if end < line.len() {
        end = line[..end].rfind(' ').filter(|&sp| sp > first).unwrap_or(end);
    }
    let head = if start > 0 { "… " } else { "" };
    let tail = if end < line.len() { " …" } else { "" };
    let shown = format!("{head}{}{tail}", &line[start..end]);
    let offset = head.len();
    let to_chars = |byte: usize| shown[..byte].chars().count();
    let marks = found
        .into_iter()
        .filter(|&(s, e)| s >= start && e <= end)
        .map(|(s, e)| (to_chars(s - start + offset), to_chars(e - start + offset)))
        .collect();
    Snippet { text: shown, marks }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Query {
        Query::parse(text).unwrap()
    }

    fn terms(text: &str) -> Vec<Vec<&'static str>> {
        q(text)
            .terms
            .into_iter()
            .map(|t| t.into_iter().map(|w| &*w.leak()).collect())
            .collect()
    }

    #[test]
    fn a_change_indexes_only_the_incident_texts_it_changed() {
        let before = super::super::Incident::example();
        let places = |docs: Vec<Doc>| docs.into_iter().map(|d| (d.place, d.text)).collect::<Vec<_>>();
        // A new incident (or an import): all three, blank ones too, so an
        // older text of a reused number is removed.
        assert_eq!(
            places(changed_incident_docs(&before, None)),
            [
                (Place::Title, "Checkout returns 500s".to_string()),
                (Place::Summary, String::new()),
                (Place::Resolution, String::new())
            ]
        );
        let escalated = super::super::Incident {
            severity: "SEV2".into(),
            status: super::super::Status::Identified,
            ..before.clone()
        };
        assert_eq!(places(changed_incident_docs(&escalated, Some(&before))), []);
        let resolved = super::super::Incident {
            resolution: Some("Rolled back".into()),
            ..escalated.clone()
        };
        assert_eq!(
            places(changed_incident_docs(&resolved, Some(&escalated))),
            [(Place::Resolution, "Rolled back".to_string())]
        );
        // A summary cleared is a change: its old text is removed.
        let summarized = super::super::Incident {
            summary: Some("Card payments fail".into()),
            ..before.clone()
        };
        assert_eq!(
            places(changed_incident_docs(&before, Some(&summarized))),
            [(Place::Summary, String::new())]
        );
        // Another incident's state is no before of this one.
        let other = super::super::Incident {
            id: 2,
            ..before.clone()
        };
        assert_eq!(changed_incident_docs(&before, Some(&other)).len(), 3);
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_lower_cased() {
        let got: Vec<String> = words("Disk FULL on db-3.example.com; Ünïcode 42")
            .map(|w| w.2)
            .collect();
        assert_eq!(
            got,
            ["disk", "full", "on", "db", "3", "example", "com", "ünïcode", "42"]
        );
        let long = "x".repeat(100);
        let got: Vec<_> = words(&long).collect();
        assert_eq!(got, [(0, 100, "x".repeat(MAX_WORD))]);
        assert_eq!(indexed_words("  A--b\u{7}c  "), "a b c");
    }

    #[test]
    fn queries_are_words_and_quoted_phrases() {
        assert_eq!(terms("disk full"), [vec!["disk"], vec!["full"]]);
        assert_eq!(terms("\"disk full\" db"), [vec!["disk", "full"], vec!["db"]]);
        // Punctuation inside a word makes a phrase of its parts.
        assert_eq!(terms("api.example.com"), [vec!["api", "example", "com"]]);
        // An unclosed quote runs to the end; repeats count once.
        assert_eq!(terms("db \"disk full"), [vec!["db"], vec!["disk", "full"]]);
        assert_eq!(terms("db DB"), [vec!["db"]]);
    }

    #[test]
    fn operators_are_words_and_punctuation_is_nothing() {
        assert_eq!(
            terms("title:x NEAR(a b) -c d* OR e ^f"),
            [
                vec!["title", "x"],
                vec!["near", "a"],
                vec!["b"],
                vec!["c"],
                vec!["d"],
                vec!["or"],
                vec!["e"],
                vec!["f"]
            ]
        );
        for nothing in ["", "   ", "\"\"", "*", "-- ' \" ; : ( ) \u{0} \u{1b}[;", "<->&|!"] {
            assert_eq!(Query::parse(nothing), Err(QueryError::NoWords), "{nothing:?}");
        }
        let many = (0..40).map(|n| format!("w{n}")).collect::<Vec<_>>().join(" ");
        assert_eq!(Query::parse(&many), Err(QueryError::TooManyTerms(40)));
    }

    #[test]
    fn the_backends_see_only_quoted_words() {
        let query = q("\"disk full\" NEAR it's*");
        assert_eq!(query.fts5(), "\"disk full\" AND \"near\" AND \"it s\"");
        assert_eq!(query.tsquery(), "('disk' <-> 'full') & ('near') & ('it' <-> 's')");
        for hostile in ["'", "\\", "\"", "a'b", "x\\'y", "'); DROP TABLE incidents; --"] {
            if let Ok(query) = Query::parse(hostile) {
                for term in &query.terms {
                    for word in term {
                        assert!(word.chars().all(char::is_alphanumeric), "{word:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_short_text_with_the_words_outscores_a_long_one_that_mentions_them() {
        let query = q("database failover");
        let title = score("Database failover stalled", &query);
        let entry = score(
            "We suspected the database failover at first, then found a slow cache and a \
             misconfigured pool on two of the hosts behind the checkout service",
            &query,
        );
        assert!(title > entry, "{title} {entry}");
        // Repeats count, less and less; a phrase counts its words in a row.
        let once = score("disk full on db", &q("disk"));
        let twice = score("disk full on disk", &q("disk"));
        assert!(twice > once && twice < 2.0 * once, "{once} {twice}");
        assert_eq!(score("full disk", &q("\"disk full\"")), 0.0);
        assert!(score("the disk is full, disk full", &q("\"disk full\"")) > 0.0);
        // Case and punctuation as the index sees them.
        assert_eq!(
            score("DISK-full", &q("disk full")),
            score("disk full", &q("disk full"))
        );
    }

    fn rank(limit: Option<usize>, texts: &[(i64, Place, i64, &str)], query: &str) -> (Hits, usize) {
        let query = q(query);
        let mut ranking = Ranking::new(&query, limit);
        let read = texts
            .iter()
            .take_while(|(incident, place, of, text)| ranking.offer(*incident, *place, *of, text))
            .count();
        (ranking.finish(), read)
    }

    fn ids(hits: &Hits) -> Vec<(i64, Place, usize)> {
        hits.hits
            .iter()
            .map(|h| (h.incident_id, h.place, h.matches))
            .collect()
    }

    #[test]
    fn each_incident_is_ranked_by_its_best_text_ties_to_the_newer() {
        let texts = [
            (
                3,
                Place::Entry,
                30,
                "the disk filled up again on the primary while we watched",
            ),
            (3, Place::Title, 3, "Disk full"),
            (2, Place::Title, 2, "Disk full"),
            (1, Place::Entry, 10, "disk"),
            (1, Place::Summary, 1, "disk"),
        ];
        let (found, read) = rank(Some(20), &texts, "disk");
        assert_eq!(read, 5);
        assert_eq!(
            ids(&found),
            [(1, Place::Summary, 2), (3, Place::Title, 2), (2, Place::Title, 1)]
        );
        assert_eq!((found.total, found.cut), (3, None));
        assert_eq!(found.hits[1].text, "Disk full");
        let (page, _) = rank(Some(2), &texts, "disk");
        assert_eq!(page.hits.len(), 2);
        assert_eq!((page.total, page.cut), (3, None));
    }

    #[test]
    fn a_page_ranks_at_most_the_bound_and_says_what_it_left() {
        assert_eq!(bound(Some(20)), Some(RANKED));
        assert_eq!(bound(Some(5_000)), Some(5_000));
        assert_eq!(bound(None), None);
        assert_eq!(to_read(Some(20)), Some(RANKED + 1));
        assert_eq!(to_read(None), None);
        // 1,500 texts, newest first: 1,500 incidents with the word in a
        // long entry, then the best title of all in the oldest.
        let long = "a long timeline entry that mentions the word elevated once among many others";
        let mut texts: Vec<(i64, Place, i64, &str)> =
            (2..=1_500).rev().map(|n| (n, Place::Entry, n, long)).collect();
        texts.push((1, Place::Title, 1, "Elevated"));
        let (found, read) = rank(Some(20), &texts, "elevated");
        // The newest 1,000 are ranked, the next one only read, to know.
        assert_eq!(read, RANKED);
        assert_eq!((found.total, found.cut), (RANKED, Some(RANKED)));
        assert_eq!(found.hits[0].incident_id, 1_500);
        // All of them, when all are asked for.
        let (all, read) = rank(None, &texts, "elevated");
        assert_eq!(read, 1_500);
        assert_eq!((all.total, all.cut, all.hits.len()), (1_500, None, 1_500));
        assert_eq!(all.hits[0].incident_id, 1);
        // Exactly the bound: ranked whole.
        let (whole, _) = rank(Some(20), &texts[500..], "elevated");
        assert_eq!((whole.total, whole.cut), (RANKED, None));
        assert_eq!(whole.hits[0].incident_id, 1);

        let hits = |total, cut| Hits {
            hits: Vec::new(),
            total,
            cut,
        };
        assert_eq!(footer(&hits(3, None), 3), None);
        assert_eq!(
            footer(&hits(3, None), 2).as_deref(),
            Some("… and 1 more; --limit 0 shows all 3")
        );
        assert_eq!(
            footer(&hits(612, Some(1_000)), 20).as_deref(),
            Some(
                "… and more: only the newest 1,000 matching texts were ranked, from 612 incidents; \
                 narrow the search (more words, --service, --since) or rank every match with --limit 0"
            )
        );
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_tsvector_lists_each_word_with_its_positions() {
        assert_eq!(tsvector("Disk full, disk"), "'disk':1,3 'full':2");
        assert_eq!(tsvector(""), "");
        let many = "a ".repeat(400);
        let positions = tsvector(&many).matches(',').count() + 1;
        assert_eq!(positions, MAX_POSITIONS);
    }

    #[test]
    fn a_snippet_marks_the_words_in_characters() {
        let s = snippet("The disk on db-3 was\nfull again", &q("disk full"));
        assert_eq!(s.text, "The disk on db-3 was full again");
        assert_eq!(s.marks, [(4, 8), (21, 25)]);
        assert_eq!(
            s.pieces(),
            [
                ("The ", false),
                ("disk", true),
                (" on db-3 was ", false),
                ("full", true),
                (" again", false)
            ]
        );
        // Offsets are characters, not bytes.
        let s = snippet("Ärger: Platte voll", &q("voll"));
        assert_eq!(s.marks, [(14, 18)]);
        assert_eq!(s.text.chars().skip(14).take(4).collect::<String>(), "voll");
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match_at_word_boundaries() {
        let text = format!("{} needle {}", "word ".repeat(200), "tail ".repeat(200));
        let s = snippet(&text, &q("needle"));
        assert!(s.text.starts_with("… word"), "{}", s.text);
        assert!(s.text.ends_with("tail …"), "{}", s.text);
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 4);
        let (a, b) = s.marks[0];
        assert_eq!(s.text.chars().skip(a).take(b - a).collect::<String>(), "needle");
        // Control characters never reach the snippet (the terminal's
        // sanitiser escapes the rest, piece by piece).
        let s = snippet("a\u{1b}[31mred\n\tneedle", &q("needle"));
        assert_eq!(s.text, "a [31mred needle");
    }
}
