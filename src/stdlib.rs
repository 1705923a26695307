//! The standard library of `.gov` modules, embedded in the binary so `use` works from
//! anywhere. Sources live in `stdlib/<name>.gov`.

/// Every stdlib module: (name, source text).
pub const MODULES: &[(&str, &str)] = &[
    ("penalties", include_str!("../stdlib/penalties.gov")),
    ("audits", include_str!("../stdlib/audits.gov")),
    ("licensing", include_str!("../stdlib/licensing.gov")),
    ("contracts", include_str!("../stdlib/contracts.gov")),
    ("openness", include_str!("../stdlib/openness.gov")),
    ("permits", include_str!("../stdlib/permits.gov")),
    ("thresholds", include_str!("../stdlib/thresholds.gov")),
    ("distributions", include_str!("../stdlib/distributions.gov")),
    ("utilities", include_str!("../stdlib/utilities.gov")),
];

/// The source of a stdlib module.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
