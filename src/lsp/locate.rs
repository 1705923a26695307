//! Where a span is, as the client addresses it: the open document's URI, or for a stdlib
//! module the copy of its source the server was given a folder for.

use std::path::Path;
use std::str::FromStr;

use lsp_types::{Location, Uri};

use super::document::Analysis;
use super::position::{Encoding, Lines};
use crate::source::Span;

/// Turns spans of an analysis into locations.
pub struct Locator<'a> {
    /// The document's address.
    pub uri: &'a Uri,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// The negotiated column encoding.
    pub encoding: Encoding,
    /// Where copies of the stdlib modules are (`<dir>/<module>.gov`).
    pub stdlib_dir: Option<&'a Path>,
}

impl Locator<'_> {
    /// The location of a span in the document or in a stdlib module; `None` for a source
    /// the client cannot open.
    pub fn location(&self, span: Span) -> Option<Location> {
        let file = self.analysis.sources.get(span.source)?;
        let uri = if span.source == self.analysis.main {
            self.uri.clone()
        } else {
            let module = file.name.strip_prefix("<stdlib>/")?;
            file_uri(&self.stdlib_dir?.join(module))?
        };
        Some(Location { uri, range: Lines::new(&file.text, self.encoding).range(span) })
    }
}

/// A `file:` URI for an absolute path, with reserved characters percent-encoded.
pub fn file_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut encoded = String::from("file://");
    if !text.starts_with('/') {
        encoded.push('/');
    }
    for b in text.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&encoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_encoded_file_uris() {
        let uri = file_uri(Path::new("/tmp/a dir/θ.gov")).map(|u| u.as_str().to_string());
        assert_eq!(uri.as_deref(), Some("file:///tmp/a%20dir/%CE%B8.gov"));
    }
}
