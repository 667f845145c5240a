//! Counts as people read them: thousands separators, and a noun that agrees with its count.

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `1 row`, `2,000 rows`, `1 match`, `3 matches`: a count with its noun, singular for one. The one
/// place counts are worded, so `1 row(s)` and `1 users` do not creep back.
pub fn plural(count: u64, noun: &str) -> String {
    let ending = if count == 1 {
        ""
    } else if ["s", "x", "ch", "sh"].iter().any(|e| noun.ends_with(e)) {
        "es"
    } else {
        "s"
    };
    format!("{} {noun}{ending}", group_thousands(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_worded_singular_for_one() {
        assert_eq!(plural(1, "row"), "1 row");
        assert_eq!(plural(0, "row"), "0 rows");
        assert_eq!(plural(1995, "user"), "1,995 users");
        assert_eq!(plural(2, "match"), "2 matches");
        assert_eq!(plural(1, "staged change"), "1 staged change");
    }
}
