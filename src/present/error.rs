//! Errors as one line for people: the CLI's last words and the TUI's message bar say them alike.

/// `outer: inner: cause`, without repeating a message that a layer already includes.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
