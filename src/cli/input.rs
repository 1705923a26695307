//! Reading regime files: a missing file, a directory or bytes that are not UTF-8 become
//! diagnostics (`E0104`, `E0105`) like any other input error.

use gov::diag::{Code, Diagnostic};
use gov::source::{SourceMap, Span};

/// A file's text, or a diagnostic pointing at it (added to `sources`).
pub fn read(path: &str, sources: &mut SourceMap) -> Result<String, Diagnostic> {
    let p = std::path::Path::new(path);
    if p.is_dir() {
        return Err(gov::session::unreadable(
            sources,
            path,
            "it is a directory",
            Code::E0104,
            "pass a `.gov` file, e.g. `examples/compute_permits.gov`",
        ));
    }
    let bytes = match std::fs::read(p) {
        Ok(b) => b,
        Err(e) => {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            return Err(gov::session::unreadable(sources, path, &reason, Code::E0104, "check the path"));
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let start = lossy
                .char_indices()
                .nth(lossy[..].get(..at).map(|s| s.chars().count()).unwrap_or(0))
                .map(|(i, _)| i)
                .unwrap_or(0);
            let end = lossy[start..].chars().next().map(|c| start + c.len_utf8()).unwrap_or(start);
            let id = sources.add(path, lossy);
            Err(Diagnostic::new(Code::E0105, Span::new(id, start..end), format!("`{path}` is not valid UTF-8"))
                .label(format!("invalid byte at offset {at}"))
                .help("save the file as UTF-8"))
        }
    }
}
