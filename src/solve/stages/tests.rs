//! Re-solving only the members whose inputs moved finds the equilibrium that re-solving
//! every later stage finds, and sharing best responses between members changes nothing:
//! random staged regimes (a leader, an optional middle stage of a family with a finite or
//! an interval choice, a last stage of a family that reads the middle one at its own
//! index, at a fixed index, through an aggregate or not at all, and maybe its own family)
//! solve to the same equilibrium within the solver's tolerances as the plain solve, and
//! bit for bit as when every member computes its own best response.

use crate::model::Value;
use crate::solve::context::Settings;
use crate::solve::equilibrium::solve_with;
use crate::solve::{Solution, SolveError};
use proptest::prelude::*;

/// One random staged regime.
#[derive(Debug, Clone)]
struct Staged {
    n: u8,
    middle: Option<bool>,
    link: u8,
    rivals: bool,
    leader_finite: bool,
    reads_let: bool,
    bounded: bool,
    types: u8,
}

fn staged() -> impl Strategy<Value = Staged> {
    (
        1u8..=3,
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        1u8..=3,
    )
        .prop_map(|(n, middle, link, rivals, leader_finite, reads_let, bounded, types)| Staged {
            n,
            middle,
            link,
            rivals,
            leader_finite,
            reads_let,
            bounded,
            types,
        })
}

/// The regime `s` describes. Its constants are uneven so that no two candidates of a
/// finite choice tie (a tie is broken by rounding noise, differently by the two solves).
fn regime(s: &Staged) -> String {
    let kind = |k: u8| format!("(k - {k} * floor((k - 1) / {k}))", k = k);
    // A leader searching an interval over followers that search one too, or over a last
    // stage that iterates, costs the plain reference more than its budget: a middle stage
    // that searches an interval follows a finite leader and precedes a stage that settles
    // in one round.
    let interval_middle = s.middle == Some(false);
    let leader = if s.leader_finite || interval_middle { "Int in 0..4" } else { "Real in [0, 3]" };
    let n = if interval_middle { s.n.min(2) } else { s.n };
    let mut out = format!(
        "param n: Int = {n}\n\
         type Mode = {{low, high}}\n\
         actor L {{\n    choose x: {leader}\n    payoff sum(f in F: f.e) * (1 + x) / n - 0.537 * x^2\n}}\n"
    );
    // How the last stage reads the middle one.
    let read = match (s.middle, s.link) {
        (None, _) | (_, 0) => "0".to_string(),
        (Some(finite), link) => {
            let of = match link {
                1 => "M[k]",
                _ => "M[1]",
            };
            let value =
                |m: &str| if finite { format!("(if {m}.mode == high then 1 else 0)") } else { format!("{m}.y") };
            match link {
                3 => format!("sum(b in M: {}) / n", value("b")),
                _ => value(of),
            }
        }
    };
    if let Some(finite) = s.middle {
        let choice = if finite { "mode: Mode" } else { "y: Real in [0, 2]" };
        let own = if finite { "(if mode == high then 0.7 else 0.25)" } else { "y" };
        let follower = if s.reads_let { "F[k].gain" } else { "F[k].e" };
        out.push_str(&format!(
            "actor M[k in 1..n] {{\n    param w: Real = [1, 2, 1.5][{kw}]\n    choose {choice}\n    \
             payoff w * {follower} * {own} - {own}^2 + L.x / 10\n}}\n",
            kw = kind(s.types),
        ));
    }
    let domain = if s.bounded { "Real in [0, 4]" } else { "Real in [0, inf)" };
    let rivals = if s.rivals && !interval_middle { " - sum(q in F: q.e) / (4 * n)" } else { "" };
    out.push_str(&format!(
        "actor F[k in 1..n] {{\n    param a: Real = [1, 0.5, 2][{ka}]\n    choose e: {domain}\n    \
         let gain = a + L.x / 2 + {read}\n    payoff gain * e - e^2{rivals}\n}}\n",
        ka = kind(s.types),
    ));
    out.push_str(match s.middle {
        Some(_) => "sequence { L; M; F }\n",
        None => "sequence { L; F }\n",
    });
    out
}

/// Everything a solution reports, bit for bit (evaluation counts aside).
fn exact(r: &Result<Solution, SolveError>) -> String {
    match r {
        Ok(s) => format!(
            "{:?} {:?} {:?} {:?} {:?}",
            s.state.actors.iter().map(|a| (&a.choices, &a.abstained)).collect::<Vec<_>>(),
            s.certificate.to_bits(),
            s.rounds,
            s.method,
            s.concept,
        ),
        Err(SolveError::Budget { .. }) => "budget".to_string(),
        Err(e) => format!("{e:?}"),
    }
}

/// Whether two solves found the same equilibrium: the same finite choices and numbers
/// within the solver's tolerances, or the same kind of failure.
fn same_equilibrium(x: &Result<Solution, SolveError>, y: &Result<Solution, SolveError>) -> bool {
    match (x, y) {
        (Ok(x), Ok(y)) => x.state.actors.iter().zip(&y.state.actors).all(|(a, b)| {
            a.abstained == b.abstained
                && a.choices.iter().flatten().zip(b.choices.iter().flatten()).all(|(u, v)| match (u, v) {
                    (Value::Num(u), Value::Num(v)) => (u - v).abs() <= 1e-5 * (1.0 + u.abs().max(v.abs())),
                    (u, v) => u == v,
                })
        }),
        (Err(x), Err(y)) => std::mem::discriminant(x) == std::mem::discriminant(y),
        _ => false,
    }
}

fn agree(s: &Staged) -> Result<(), TestCaseError> {
    let text = regime(s);
    let checked = crate::session::check_source("staged.gov", &text);
    let Some(model) = checked.model else {
        return Err(TestCaseError::fail(format!("does not check:\n{text}\n{:?}", checked.diagnostics)));
    };
    let fast = solve_with(&model, None, Settings::default());
    let alone = solve_with(&model, None, Settings { share: false, ..Settings::default() });
    let plain = solve_with(&model, None, Settings { share: false, sparse: false, budget: None });
    // Running out of evaluations depends on how many each solve spends, which is what the
    // fast paths change; the generator keeps that rare.
    let spent = |r: &Result<Solution, SolveError>| matches!(r, Err(SolveError::Budget { .. }));
    prop_assume!(![&fast, &alone, &plain].into_iter().any(spent));
    prop_assert_eq!(exact(&fast), exact(&alone), "sharing changed the solve of\n{}", text);
    prop_assert!(same_equilibrium(&fast, &plain), "{}\nsparse: {}\nplain: {}", text, exact(&fast), exact(&plain));
    Ok(())
}

/// Runs `f` on a thread with room for the checker's recursion (see ARCHITECTURE.md).
fn deep<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(256 << 20).spawn(f).expect("a thread").join().expect("no panic")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sparse_re_solves_find_the_plain_equilibrium(s in staged()) {
        deep(move || agree(&s))?;
    }
}

#[test]
fn a_deviation_re_solves_only_its_own_follower() {
    let s = Staged {
        n: 4,
        middle: Some(true),
        link: 1,
        rivals: false,
        leader_finite: true,
        reads_let: true,
        bounded: false,
        types: 1,
    };
    let evaluations = |settings: Settings| {
        let text = regime(&s);
        deep(move || {
            let model = crate::session::check_source("staged.gov", &text).model.expect("checks");
            let solution = solve_with(&model, None, settings).expect("solves");
            solution.state.work.spent()
        })
    };
    let sparse = evaluations(Settings { share: false, ..Settings::default() });
    let plain = evaluations(Settings { share: false, sparse: false, budget: None });
    // Each of the 4 middle members' candidates re-solves 1 follower instead of 4.
    assert!(sparse * 2 < plain, "sparse {sparse}, plain {plain}");
}
