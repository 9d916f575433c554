//! Whether two short texts (titles, summaries) say the same thing, by the
//! words they share: the one measure of text similarity that similar
//! incidents, the duplicate check on declaring and the count of repeated
//! incidents all use, so they never disagree about what "similar" means.
//!
//! Titles are a few words typed in a hurry ("Checkout returns 500s",
//! "checkout returning 500 errors"), so the measure is on word sets after a
//! light normalisation, not on characters: case, punctuation, filler words
//! and the commonest English endings do not count; the order of words does
//! not either.

/// How much two word sets must share to be called similar (Dice
/// coefficient): "Checkout returns 500s" and "Checkout is returning 500
/// errors" share 3 of their 3 + 4 words, 0.86; "Search is slow" and
/// "Checkout is slow" share 1 of 2 + 2, 0.5 — on the line, and called
/// similar only with a shared service, which the callers ask for as well.
pub const SIMILAR: f64 = 0.5;

/// Words that carry no subject: an incident titled "The API is down" is
/// about the API being down.
const FILLER: &[&str] = &[
    "a", "after", "all", "an", "and", "are", "as", "at", "be", "been", "before", "being", "by", "for",
    "from", "has", "have", "in", "into", "is", "it", "its", "of", "on", "or", "some", "than", "that", "the",
    "their", "then", "there", "this", "to", "was", "were", "when", "while", "with",
];

/// A text's words, normalised: lowercase, split at anything not a letter
/// or digit, filler words dropped, a plural or verb ending taken off; each
/// once. Similar incidents compare an incident with hundreds, so a set is
/// one buffer of text and one list of its words, each named by a 64-bit
/// hash of it and kept in the order of those hashes: two sets are compared
/// by their numbers, with no string compared or allocated per word (a
/// `String` each and string comparisons made most of `show`'s
/// instructions, BENCHMARKS.md). Two different words with one hash would
/// count as one: a chance of one in 2^64 per pair of words.
#[derive(Debug, Clone, Default)]
pub struct Words {
    text: String,
    /// Each word's hash, start and end in `text`, by hash.
    words: Vec<(u64, u32, u32)>,
}

/// FNV-1a, 64 bits: fixed (the same on every machine and run, unlike the
/// standard library's hasher), fast for words of a few bytes, and a
/// `const fn` so the filler words are hashed once, at compile time.
const fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// [`FILLER`] with each word's hash, by hash, for a binary search.
const FILLER_BY_HASH: [(u64, &str); FILLER.len()] = {
    let mut out = [(0u64, ""); FILLER.len()];
    let mut i = 0;
    while i < FILLER.len() {
        out[i] = (hash(FILLER[i].as_bytes()), FILLER[i]);
        i += 1;
    }
    // Insertion sort: a const fn cannot call `sort`.
    let mut k = 1;
    while k < out.len() {
        let mut m = k;
        while m > 0 && out[m - 1].0 > out[m].0 {
            let t = out[m - 1];
            out[m - 1] = out[m];
            out[m] = t;
            m -= 1;
        }
        k += 1;
    }
    out
};

/// Whether `word` (lowercase) is a filler word.
fn is_filler(word: &str) -> bool {
    FILLER_BY_HASH
        .binary_search_by_key(&hash(word.as_bytes()), |f| f.0)
        .is_ok_and(|i| FILLER_BY_HASH[i].1 == word)
}

impl Words {
    pub fn of(text: &str) -> Words {
        // Room for all of it at once: no growing buffer copied on the way.
        let mut words = Words {
            text: String::with_capacity(text.len()),
            words: Vec::with_capacity(text.len() / 4 + 1),
        };
        // Split first, then lowercase each word: a letter whose lowercase
        // is not alphanumeric ('İ' → "i̇") stays inside its word.
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let start = words.text.len();
            if word.is_ascii() {
                words.text.push_str(word);
                words.text[start..].make_ascii_lowercase();
            } else {
                // The whole word at once, for what depends on the word (a
                // final sigma).
                words.text.push_str(&word.to_lowercase());
            }
            let lower = &words.text[start..];
            if is_filler(lower) {
                words.text.truncate(start);
                continue;
            }
            let end = start + stem(lower).len();
            words.text.truncate(end);
            let h = hash(&words.text.as_bytes()[start..end]);
            words.words.push((h, start as u32, end as u32));
        }
        words.settle();
        words
    }

    /// Orders the words by hash and keeps each once.
    fn settle(&mut self) {
        self.words.sort_unstable_by_key(|w| w.0);
        self.words.dedup_by_key(|w| w.0);
    }

    fn word(&self, &(_, start, end): &(u64, u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    /// The words, in alphabetical order.
    pub fn sorted(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.words.iter().map(|w| self.word(w)).collect();
        all.sort_unstable();
        all
    }

    /// The words of both: what [`Words::of`] gives for the two texts
    /// joined by a space, without reading the first again.
    pub fn and(&self, other: Words) -> Words {
        let shift = self.text.len() as u32;
        let mut both = Words {
            text: self.text.clone() + &other.text,
            words: self.words.clone(),
        };
        both.words
            .extend(other.words.iter().map(|&(h, a, b)| (h, a + shift, b + shift)));
        both.settle();
        both
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words' hashes, in order and each once: what
    /// [`similarity_of`] compares, and what is stored of a text to be
    /// compared without reading it again.
    pub fn hashes(&self) -> Vec<u64> {
        self.words.iter().map(|w| w.0).collect()
    }

    /// How much the two share, from 0 (nothing, or either is empty) to 1
    /// (the same words).
    pub fn similarity(&self, other: &Words) -> f64 {
        dice(self.words.len(), other.words.len(), self.common(other).count())
    }

    /// The words both have, in alphabetical order.
    pub fn shared<'a>(&'a self, other: &'a Words) -> Vec<&'a str> {
        let mut both: Vec<&str> = self.common(other).map(|w| self.word(w)).collect();
        both.sort_unstable();
        both
    }

    /// This set's entries whose hashes `other` has too, by hash.
    fn common<'a>(&'a self, other: &'a Words) -> impl Iterator<Item = &'a (u64, u32, u32)> {
        let (mut a, mut b) = (self.words.iter().peekable(), other.words.iter().peekable());
        std::iter::from_fn(move || {
            loop {
                let (x, y) = (a.peek()?.0, b.peek()?.0);
                match x.cmp(&y) {
                    std::cmp::Ordering::Less => {
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        b.next();
                        return a.next();
                    }
                }
            }
        })
    }
}

/// [`Words::similarity`] of two word sets given by their
/// [`Words::hashes`].
pub fn similarity_of(a: &[u64], b: &[u64]) -> f64 {
    dice(a.len(), b.len(), shared_count(a, b))
}

/// How many numbers two ordered lists of distinct numbers share.
pub fn shared_count(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

/// The Dice coefficient of two sets of `a` and `b` words sharing
/// `shared`: 0 when either is empty.
pub fn dice(a: usize, b: usize, shared: usize) -> f64 {
    match a == 0 || b == 0 {
        true => 0.0,
        false => (2 * shared) as f64 / (a + b) as f64,
    }
}

/// The hash [`Words`] names a word by, for other short names compared
/// the same way (services).
pub fn hash_of(name: &str) -> u64 {
    hash(name.as_bytes())
}

/// The same words, however they lie in their buffers.
impl PartialEq for Words {
    fn eq(&self, other: &Words) -> bool {
        self.words.len() == other.words.len() && self.words.iter().zip(&other.words).all(|(x, y)| x.0 == y.0)
    }
}

impl Eq for Words {}

/// Whether two titles (or summaries) are similar: [`SIMILAR`] or more.
pub fn similar(a: &str, b: &str) -> bool {
    Words::of(a).similarity(&Words::of(b)) >= SIMILAR
}

/// The word without the commonest English endings ("returns", "returning",
/// "returned" → "return"; "500s" → "500"), never shorter than three
/// letters: a crude stemmer is enough to match titles, and a real one
/// would be a dependency for a few words.
fn stem(word: &str) -> &str {
    for ending in ["ing", "ed", "es", "s"] {
        if let Some(root) = word.strip_suffix(ending)
            && root.chars().count() >= 3
            && !(ending == "s" && root.ends_with('s'))
        {
            return root;
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_thing_said_another_way_is_similar() {
        assert!(similar("Checkout returns 500s", "checkout returning 500 errors"));
        assert!(similar("Database failover", "The database: failover!"));
        assert!(similar("Payments API down", "payments api is down"));
    }

    #[test]
    fn different_subjects_are_not() {
        assert!(!similar("Checkout returns 500s", "Search is slow"));
        assert!(!similar("Login page slow", "Billing emails delayed"));
        assert!(!similar("", ""));
        assert!(!similar("the", "a"));
    }

    #[test]
    fn the_measure_is_dice_over_normalised_words() {
        let a = Words::of("Checkout returns 500s");
        let b = Words::of("Checkout is returning 500 errors");
        assert!((a.similarity(&b) - 6.0 / 7.0).abs() < 1e-9);
        assert_eq!(a.shared(&b), ["500", "checkout", "return"]);
        assert_eq!(
            Words::of("Search is slow").similarity(&Words::of("Checkout is slow")),
            0.5
        );
        assert_eq!(a.similarity(&Words::default()), 0.0);
    }

    #[test]
    fn filler_words_are_found_by_their_hashes() {
        assert!(FILLER_BY_HASH.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(FILLER.iter().all(|f| is_filler(f)));
        assert!(!is_filler("api") && !is_filler(""));
        assert_eq!(Words::of("The API is down"), Words::of("api down"));
    }

    #[test]
    fn a_final_sigma_is_lowered_as_the_end_of_its_word() {
        assert_eq!(Words::of("ΟΔΟΣ").sorted(), ["οδος"]);
        assert_eq!(Words::of("ΟΔΟΣ"), Words::of("οδος"));
    }

    #[test]
    fn endings_come_off_but_short_words_and_double_s_stay() {
        for (word, root) in [
            ("returned", "return"),
            ("errors", "error"),
            ("class", "class"),
            ("bus", "bus"),
            ("dns", "dns"),
            ("500s", "500"),
        ] {
            assert_eq!(stem(word), root);
        }
    }

    #[test]
    fn a_letter_whose_lowercase_is_no_letter_stays_in_its_word() {
        assert_eq!(Words::of("İstanbul").sorted(), ["i\u{307}stanbul"]);
    }

    #[test]
    fn the_words_of_two_texts_are_those_of_the_texts_joined() {
        for (a, b) in [
            ("Checkout returns 500s", "the pool ran out; errors"),
            ("", "Search is slow"),
            ("DNS", ""),
            ("Ünïcode título", "ÜNÏCODE títulos"),
        ] {
            assert_eq!(Words::of(a).and(Words::of(b)), Words::of(&format!("{a} {b}")));
        }
    }

    #[test]
    fn any_text_is_taken_without_a_panic() {
        for text in [
            "\u{202e}évènement Ünïcode",
            "日本語のタイトル",
            "\0\n\t",
            &"x".repeat(100_000),
        ] {
            let w = Words::of(text);
            assert!(w.similarity(&w) <= 1.0);
        }
    }

    /// The word sets before they were hashes (56f2671): strings, sorted.
    mod before {
        use super::super::{FILLER, stem};

        pub fn of(text: &str) -> Vec<String> {
            let mut words: Vec<String> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .filter(|w| !FILLER.contains(&w.as_str()))
                .map(|mut w| {
                    w.truncate(stem(&w).len());
                    w
                })
                .collect();
            words.sort_unstable();
            words.dedup();
            words
        }

        pub fn shared(a: &[String], b: &[String]) -> Vec<String> {
            a.iter().filter(|w| b.contains(w)).cloned().collect()
        }

        pub fn similarity(a: &[String], b: &[String]) -> f64 {
            if a.is_empty() || b.is_empty() {
                return 0.0;
            }
            (2 * shared(a, b).len()) as f64 / (a.len() + b.len()) as f64
        }
    }

    mod same_as_before {
        use super::super::Words;
        use super::before;
        use proptest::prelude::*;

        /// Texts made of the pieces where the two could part: filler words
        /// in any case, endings, non-ASCII letters whose case changes length
        /// or depends on context, digits, separators, any character.
        fn text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("The".to_string()),
                Just("IS".to_string()),
                Just("its".to_string()),
                Just("Ing".to_string()),
                Just("returns".to_string()),
                Just("ed".to_string()),
                Just("es".to_string()),
                Just("s".to_string()),
                Just("ΟΔΟΣ".to_string()),
                Just("Σ".to_string()),
                Just("ς".to_string()),
                Just("İ".to_string()),
                Just("ß".to_string()),
                Just("ẞ".to_string()),
                Just("Ǆ".to_string()),
                Just("500".to_string()),
                Just(" ".to_string()),
                Just("-".to_string()),
                Just("\u{301}".to_string()),
                "[a-zA-Z]{1,6}",
                any::<char>().prop_map(String::from),
            ];
            proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn hashed_word_sets_say_what_the_strings_said(a in text(), b in text()) {
                let (wa, wb) = (Words::of(&a), Words::of(&b));
                let (oa, ob) = (before::of(&a), before::of(&b));
                prop_assert_eq!(wa.sorted(), oa.iter().map(String::as_str).collect::<Vec<_>>());
                prop_assert_eq!(wa.similarity(&wb), before::similarity(&oa, &ob));
                prop_assert_eq!(super::super::similarity_of(&wa.hashes(), &wb.hashes()), wa.similarity(&wb));
                prop_assert_eq!(wa.shared(&wb), before::shared(&oa, &ob));
                prop_assert_eq!(wa.is_empty(), oa.is_empty());
                prop_assert_eq!(wa == wb, oa == ob);
                let joined = Words::of(&format!("{a} {b}"));
                let both = wa.and(wb.clone());
                prop_assert_eq!(both.sorted(), joined.sorted());
                prop_assert_eq!(&both, &joined);
                prop_assert_eq!(both.shared(&wb), joined.shared(&wb));
            }
        }
    }
}
