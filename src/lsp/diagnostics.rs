//! `gov check`'s diagnostics as the protocol's: the same code, the primary span as the
//! range, the primary label, notes and help in the message, and secondary labels as
//! related information.

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, NumberOrString, Position, Range};

use super::locate::Locator;
use crate::diag::{Code, Diagnostic, Severity};

/// One diagnostic for the document `at` describes.
pub fn convert(d: &Diagnostic, at: &Locator<'_>) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    // The label, unless it only repeats the message ("expected `=`" … "expected `=` here").
    let label = d.primary.message.trim_end_matches(" here");
    if !label.is_empty() && !d.message.contains(label) {
        message.push('\n');
        message.push_str(&d.primary.message);
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let location = at.location(l.span)?;
            Some(DiagnosticRelatedInformation { location, message: label_or(&l.message, "related") })
        })
        .collect();
    let range = match at.location(d.primary.span) {
        Some(l) if d.primary.span.source == at.analysis.main => l.range,
        other => {
            // Outside the document (a stdlib module): shown at its start, pointing there.
            if let Some(location) = other {
                related.insert(
                    0,
                    DiagnosticRelatedInformation { location, message: label_or(&d.primary.message, "here") },
                );
            }
            Range { start: Position { line: 0, character: 0 }, end: Position { line: 0, character: 0 } }
        }
    };
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("gov".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // Editors grey out what is unused.
        tags: matches!(d.code, Code::W0001 | Code::W0005).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn label_or(message: &str, fallback: &str) -> String {
    if message.is_empty() {
        fallback.to_string()
    } else {
        message.to_string()
    }
}
