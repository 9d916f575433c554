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
/// or digit, filler words dropped, a plural or verb ending taken off; kept
/// sorted, each once (similar incidents compare an incident with hundreds,
/// so a set is made with as few allocations as it can be).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    pub fn of(text: &str) -> Words {
        // Split first, then lowercase each word: a letter whose lowercase
        // is not alphanumeric ('İ' → "i̇") stays inside its word.
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
        Words(words)
    }

    /// The words of both: what [`Words::of`] gives for the two texts
    /// joined by a space, without reading the first again.
    pub fn and(&self, other: Words) -> Words {
        let mut both = self.0.clone();
        both.extend(other.0);
        both.sort_unstable();
        both.dedup();
        Words(both)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How much the two share, from 0 (nothing, or either is empty) to 1
    /// (the same words).
    pub fn similarity(&self, other: &Words) -> f64 {
        let total = self.0.len() + other.0.len();
        if self.0.is_empty() || other.0.is_empty() {
            return 0.0;
        }
        let shared = self.shared(other).count();
        (2 * shared) as f64 / total as f64
    }

    /// The words both have, in order.
    pub fn shared<'a>(&'a self, other: &'a Words) -> impl Iterator<Item = &'a str> {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        std::iter::from_fn(move || {
            loop {
                let (x, y) = (a.peek()?, b.peek()?);
                match x.cmp(y) {
                    std::cmp::Ordering::Less => {
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        b.next();
                        return a.next().map(String::as_str);
                    }
                }
            }
        })
    }
}

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
        assert_eq!(a.shared(&b).collect::<Vec<_>>(), ["500", "checkout", "return"]);
        assert_eq!(
            Words::of("Search is slow").similarity(&Words::of("Checkout is slow")),
            0.5
        );
        assert_eq!(a.similarity(&Words::default()), 0.0);
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
        assert_eq!(Words::of("İstanbul").0, ["i\u{307}stanbul"]);
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
}
