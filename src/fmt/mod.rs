//! TEMPORARY placeholder until the formatter lands (replaced by the fmt module).
use crate::diag::Diagnostic;
use crate::source::SourceId;
/// Placeholder.
pub fn format_source(text: &str, source: SourceId) -> Result<String, Diagnostic> {
    crate::syntax::parse_file(text, source).map(|_| text.to_string())
}
