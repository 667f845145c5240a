//! Errors as one line for people: the CLI's last words and the TUI's message bar say them alike.

/// `outer: inner: cause`, without repeating what a layer already said: a message that a layer
/// already includes is dropped, and so is a layer whose words the next one starts with
/// (`reading the schema` over `reading the schema (…): HTTP 403`).
pub fn error_chain(err: &anyhow::Error) -> String {
    join_chain(err.chain().map(|cause| cause.to_string()))
}

fn join_chain(texts: impl Iterator<Item = String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for text in texts {
        if parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        if parts.last().is_some_and(|last| repeats(last, &text)) {
            parts.pop();
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// Whether `inner` starts by saying what `outer` says (`reading the schema failed` and
/// `reading the schema: …`), so `outer` adds nothing in front of it.
fn repeats(outer: &str, inner: &str) -> bool {
    let stem = outer.strip_suffix(" failed").unwrap_or(outer).trim();
    !stem.is_empty() && inner.starts_with(stem)
}

/// A failure worded cause first, then what was being done: `D1 rejected the API token (…)
/// (while reading the schema)`. A status line cut to the terminal's width then still says
/// what went wrong; where the message already starts with the same words, they are not said twice.
pub fn cause_first(doing: &str, message: &str) -> String {
    let message = message.trim();
    let rest = message
        .strip_prefix(doing)
        .map(|rest| rest.trim_start_matches([':', ' ']))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(message);
    format!("{rest} (while {doing})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_the_next_one_repeats_is_said_once() {
        let err = anyhow::anyhow!("D1 rejected the API token (HTTP 403)")
            .context("reading the schema: D1 query")
            .context("reading the schema failed");
        assert_eq!(error_chain(&err), "reading the schema: D1 query: D1 rejected the API token (HTTP 403)");
        let err = anyhow::anyhow!("no such table: x").context("reading user");
        assert_eq!(error_chain(&err), "reading user: no such table: x", "different layers are all kept");
        let err = anyhow::anyhow!("locked").context("committing: locked");
        assert_eq!(error_chain(&err), "committing: locked");
    }

    #[test]
    fn cause_first_puts_the_cause_ahead_and_drops_the_repeated_context() {
        let message = "reading the schema: D1 rejected the API token (HTTP 403, code 10000: Authentication error)";
        assert_eq!(
            cause_first("reading the schema", message),
            "D1 rejected the API token (HTTP 403, code 10000: Authentication error) (while reading the schema)"
        );
        assert_eq!(cause_first("reading user", "no such column: x"), "no such column: x (while reading user)");
    }
}
