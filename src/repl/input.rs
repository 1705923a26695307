//! When a REPL input is complete: the prompt stays open while brackets are unbalanced
//! or a string or block comment is unterminated, so an `actor { ... }` block can be
//! typed over several lines. Intervals mix brackets (`[0, inf)`), so all brackets count
//! as one depth.

/// True when `text` can be executed: every bracket closed, no string or block comment open.
///
/// ```
/// use gov::repl::input::is_complete;
/// assert!(is_complete("permits.price * 2 pflop"));
/// assert!(!is_complete("actor Firm {\n  choose q: Real in [0, 1)"));
/// assert!(is_complete("choose q: Real in [0, 1)"));
/// ```
pub fn is_complete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '"' => {
                let mut closed = false;
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return false;
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut closed = false;
                while let Some(s) = chars.next() {
                    if s == '*' && chars.peek() == Some(&'/') {
                        chars.next();
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return false;
                }
            }
            _ => {}
        }
    }
    // More closers than openers is complete: executing it reports the stray bracket.
    depth <= 0
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn brackets_strings_and_comments_decide_completeness() {
        assert!(is_complete(""));
        assert!(is_complete("1 + 2"));
        assert!(!is_complete("actor A {"));
        assert!(!is_complete("f(1,"));
        assert!(is_complete("actor A {\n choose c: Real in (0, 1]\n payoff c\n}"));
        assert!(is_complete("x // a comment with an open { bracket"));
        assert!(!is_complete("x /* open"));
        assert!(is_complete("x /* { */"));
        assert!(!is_complete("param a: Real = 1 \"open doc"));
        assert!(is_complete("param a: Real = 1 \"a { \\\" doc\""));
        assert!(is_complete("1 + 2)"));
    }
}
