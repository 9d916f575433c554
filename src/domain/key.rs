//! Incident keys: `INC-7` for people, `7` inside the database.

/// The highest number a file may give anything (an incident, an event, an
/// action item, an alert): far beyond any team's history, and far enough
/// below what a 64-bit column holds that the numbers given after it always
/// fit.
pub const MAX: i64 = 999_999_999_999;

/// Parses `INC-7`, `inc-7` or `7` (with the configured prefix) into the number.
pub fn parse(input: &str, prefix: &str) -> Result<i64, String> {
    let text = input.trim();
    let number = match text.rsplit_once('-') {
        Some((head, tail)) if head.eq_ignore_ascii_case(prefix) => tail,
        Some(_) => return Err(bad(input, prefix)),
        // `INC7`: the dash is easy to miss when typing fast.
        None => match text.get(..prefix.len()) {
            Some(head) if head.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
            _ => text,
        },
    };
    match number.parse::<i64>() {
        Ok(n) if n > 0 && number.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(bad(input, prefix)),
    }
}

/// The key people see.
pub fn format(prefix: &str, id: i64) -> String {
    format!("{prefix}-{id}")
}

fn bad(input: &str, prefix: &str) -> String {
    format!(
        "invalid incident key '{input}': use {prefix}-7, {lower}-7 or 7",
        lower = prefix.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_spellings() {
        assert_eq!(parse("INC-7", "INC"), Ok(7));
        assert_eq!(parse("inc-7", "INC"), Ok(7));
        assert_eq!(parse("7", "INC"), Ok(7));
        assert_eq!(parse(" INC-42 ", "INC"), Ok(42));
        assert_eq!(parse("ops-3", "OPS"), Ok(3));
        assert_eq!(parse("INC7", "INC"), Ok(7), "a missed dash");
        assert_eq!(parse("inc12", "INC"), Ok(12));
    }

    #[test]
    fn rejects_other_prefixes_signs_and_junk() {
        for bad in [
            "",
            "INC-",
            "INC-0",
            "0",
            "-7",
            "+7",
            "INC--7",
            "INC-7a",
            "BUG-7",
            "INC-1e3",
            "INC 7",
            "99999999999999999999",
        ] {
            let err = parse(bad, "INC").unwrap_err();
            assert!(err.contains("use INC-7, inc-7 or 7"), "{bad}: {err}");
        }
    }

    #[test]
    fn formats_with_prefix() {
        assert_eq!(format("INC", 12), "INC-12");
    }
}
