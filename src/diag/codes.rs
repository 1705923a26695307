//! The one registry of diagnostic codes. Each code has a severity, a short title and a
//! long explanation in `src/diag/codes/<CODE>.md` (printed by `gov explain`).
//! Ranges: E01xx syntax and input, E02xx names, E03xx types and units, E04xx mechanism
//! rules, E05xx solving, E06xx simulation, E09xx internal; W00xx warnings.
//! Numbers are never reused: retire a code by keeping its entry and explanation.

use super::Severity;

macro_rules! registry {
    ($($variant:ident => $sev:ident, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every registered code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed, e.g. `"E0301"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => stringify!($variant),)* }
            }

            /// Error or warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One-line title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// The long explanation (markdown with a failing example and the fix).
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("codes/", stringify!($variant), ".md")),)*
                }
            }
        }
    };
}

registry! {
    E0101 => Error, "syntax error";
    E0102 => Error, "invalid number literal";
    E0103 => Error, "nesting too deep";
    E0104 => Error, "cannot read source file";
    E0105 => Error, "source is not valid UTF-8";
    E0106 => Error, "invalid command line";
    E0107 => Error, "invalid Gambit .nfg file";
    E0108 => Error, "shards do not make one sweep";
    E0109 => Error, "cannot write an output file";
    E0110 => Error, "not a sweep table";
    E0201 => Error, "unknown name";
    E0202 => Error, "duplicate definition";
    E0203 => Error, "cyclic definition";
    E0204 => Error, "unknown module";
    E0205 => Error, "unknown member";
    E0206 => Error, "wrong number of arguments";
    E0207 => Error, "not a function";
    E0208 => Error, "family used without a member";
    E0209 => Error, "unknown scenario";
    E0210 => Error, "licence of another family";
    E0301 => Error, "mismatched units";
    E0302 => Error, "payoffs with different units";
    E0303 => Error, "type mismatch";
    E0304 => Error, "probability out of range";
    E0305 => Error, "dimensionless value required";
    E0306 => Error, "exponent must be a constant";
    E0308 => Error, "constraint violated";
    E0309 => Error, "implicit multiplication needs a unit";
    E0310 => Error, "invalid index";
    E0311 => Error, "list elements of different types";
    E0312 => Error, "invalid arithmetic in a constant";
    E0313 => Error, "invalid domain";
    E0314 => Error, "not a constant";
    E0315 => Error, "invalid distribution parameter";
    E0401 => Error, "actor chooses without a payoff";
    E0402 => Error, "more than one payoff";
    E0403 => Error, "threshold on a quantity nobody chooses";
    E0404 => Error, "invalid sequence";
    E0405 => Error, "invalid audit";
    E0406 => Error, "payoff table does not match strategies";
    E0407 => Error, "invalid scenario change";
    E0408 => Error, "market price does not convert quantity into payoff";
    E0409 => Error, "penalty must take one violation size";
    E0410 => Error, "invalid license";
    E0411 => Error, "invalid cap";
    E0412 => Error, "invalid simulation setting";
    E0413 => Error, "invalid sweep";
    E0501 => Error, "runtime arithmetic error";
    E0502 => Error, "no convergence";
    E0503 => Error, "several equilibria";
    E0504 => Error, "market does not clear";
    E0505 => Error, "payoff unbounded";
    E0506 => Error, "parameter has no value";
    E0507 => Error, "invalid override";
    E0601 => Error, "invalid distribution parameter during a simulation";
    E0602 => Error, "probability outside [0, 1] during a simulation";
    E0603 => Error, "learning rule without a finite set of actions";
    E0604 => Error, "no such simulation";
    E0901 => Error, "internal error";
    W0001 => Warning, "unused parameter";
    W0002 => Warning, "shadowed name";
    W0003 => Warning, "vacuous check";
    W0004 => Warning, "penalty lacks an assumed property";
    W0005 => Warning, "unused definition";
}

impl Code {
    /// Looks a code up by its printed form, case-insensitively (`e0301` works).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The help line for text that is no code: the nearest code, or how to list them.
    pub fn unknown_help(text: &str) -> String {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        crate::check::suggest_name(text, known.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| "run `gov explain --list` for every code".to_string())
    }

    /// Every code with its title, one per line (what `gov explain --list` prints).
    pub fn list() -> String {
        Code::ALL.iter().map(|c| format!("{c}  {}\n", c.title())).collect()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
