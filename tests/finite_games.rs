//! Exact equilibria of finite games: classic games with known answers, Gambit's
//! `.nfg` reader, and comparisons with Gambit itself (pygambit `enumpure_solve`
//! and `enummixed_solve(rational=True)`) on published and generated games whose
//! inputs and oracle outputs live in `tests/data/nfg/` (regenerate them with
//! `tests/data/nfg/oracle.py`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gov::solve::finite::*;
use gov::solve::nfg::*;
use num_bigint::BigInt;
use proptest::prelude::*;

fn q(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

fn fr(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

fn names(k: usize) -> Vec<String> {
    (1..=k).map(|s| s.to_string()).collect()
}

/// Bimatrix game from the row player's matrix `a` and the column player's `b`.
fn bimatrix(a: &[Vec<i64>], b: &[Vec<i64>]) -> NormalForm {
    let (m, n) = (a.len(), a[0].len());
    let mut pay = Vec::new();
    for j in 0..n {
        for i in 0..m {
            pay.push(vec![q(a[i][j]), q(b[i][j])]);
        }
    }
    NormalForm::new("t".into(), vec!["1".into(), "2".into()], vec![names(m), names(n)], pay).expect("valid game")
}

fn probs(eq: &MixedProfile) -> Vec<Vec<Q>> {
    eq.probs.clone()
}

fn check_all_nash(g: &NormalForm, eqs: &[MixedProfile]) {
    for e in eqs {
        assert!(g.is_nash(&e.probs), "not an equilibrium: {:?}", e.probs);
        assert_eq!(Some(e.payoffs.clone()), g.expected_payoffs(&e.probs));
    }
    let distinct: BTreeSet<_> = eqs.iter().map(probs).collect();
    assert_eq!(distinct.len(), eqs.len(), "duplicates");
    let mut sorted = eqs.to_vec();
    sorted.sort();
    assert_eq!(sorted, eqs, "not sorted");
}

fn pure_as_probs(g: &NormalForm, profile: &[usize]) -> Vec<Vec<Q>> {
    g.shape().iter().zip(profile).map(|(&n, &s)| (0..n).map(|t| if t == s { q(1) } else { q(0) }).collect()).collect()
}

// ---------------------------------------------------------------- classic games

#[test]
fn prisoners_dilemma_has_one_pure_equilibrium() {
    // Strategies: 0 = cooperate, 1 = defect.
    let g = bimatrix(&[vec![3, 0], vec![5, 1]], &[vec![3, 5], vec![0, 1]]);
    assert_eq!(pure_equilibria(&g), vec![vec![1, 1]]);
    let eq = extreme_equilibria_2p(&g).expect("two players");
    assert_eq!(eq.len(), 1);
    assert_eq!(eq[0].probs, vec![vec![q(0), q(1)], vec![q(0), q(1)]]);
    assert_eq!(eq[0].payoffs, vec![q(1), q(1)]);
    assert!(eq[0].is_pure());
}

#[test]
fn matching_pennies_has_one_mixed_equilibrium() {
    let g = bimatrix(&[vec![1, -1], vec![-1, 1]], &[vec![-1, 1], vec![1, -1]]);
    assert!(pure_equilibria(&g).is_empty());
    let eq = extreme_equilibria_2p(&g).expect("two players");
    assert_eq!(eq.len(), 1);
    let h = fr(1, 2);
    assert_eq!(eq[0].probs, vec![vec![h.clone(), h.clone()], vec![h.clone(), h]]);
    assert_eq!(eq[0].payoffs, vec![q(0), q(0)]);
}

#[test]
fn battle_of_the_sexes_has_two_pure_and_one_mixed() {
    // Row prefers (0,0) with 2, column prefers (1,1) with 2.
    let g = bimatrix(&[vec![2, 0], vec![0, 1]], &[vec![1, 0], vec![0, 2]]);
    assert_eq!(pure_equilibria(&g), vec![vec![0, 0], vec![1, 1]]);
    let eq = extreme_equilibria_2p(&g).expect("two players");
    check_all_nash(&g, &eq);
    assert_eq!(eq.len(), 3);
    let mixed: Vec<_> = eq.iter().filter(|e| !e.is_pure()).collect();
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0].probs, vec![vec![fr(2, 3), fr(1, 3)], vec![fr(1, 3), fr(2, 3)]]);
    assert_eq!(mixed[0].payoffs, vec![fr(2, 3), fr(2, 3)]);
}

#[test]
fn rock_paper_scissors_is_uniform() {
    let a = vec![vec![0, -1, 1], vec![1, 0, -1], vec![-1, 1, 0]];
    let b: Vec<Vec<i64>> = a.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
    let g = bimatrix(&a, &b);
    assert!(pure_equilibria(&g).is_empty());
    let eq = extreme_equilibria_2p(&g).expect("two players");
    assert_eq!(eq.len(), 1);
    let t = fr(1, 3);
    assert_eq!(eq[0].probs, vec![vec![t.clone(); 3], vec![t; 3]]);
    assert_eq!(eq[0].payoffs, vec![q(0), q(0)]);
}

#[test]
fn degenerate_game_lists_both_ends_of_a_segment() {
    // Row 0 against columns 0/1 gives the column player 1 either way, so the
    // column player may mix columns 0 and 1 freely as long as row 0 stays best:
    // the equilibria (row 0, y) with y = (p, 1-p, 0) form a segment whose
    // extreme points are the two pure profiles.
    let g = bimatrix(&[vec![3, 3, 0], vec![0, 0, 2]], &[vec![1, 1, 0], vec![1, 1, 2]]);
    let eq = extreme_equilibria_2p(&g).expect("two players");
    check_all_nash(&g, &eq);
    let pure: Vec<_> = eq.iter().filter(|e| e.is_pure()).map(probs).collect();
    assert_eq!(pure.len(), 3);
    assert!(pure.contains(&vec![vec![q(1), q(0)], vec![q(1), q(0), q(0)]]));
    assert!(pure.contains(&vec![vec![q(1), q(0)], vec![q(0), q(1), q(0)]]));
    assert!(pure.contains(&vec![vec![q(0), q(1)], vec![q(0), q(0), q(1)]]));
    // The interior of the segment is an equilibrium but not an extreme one.
    let mid = vec![vec![q(1), q(0)], vec![fr(1, 2), fr(1, 2), q(0)]];
    assert!(g.is_nash(&mid));
    assert!(!eq.iter().any(|e| e.probs == mid));
    // Mixed extremes: the row player mixes (1/2, 1/2), making the column player
    // indifferent among all columns, against column 0 or column 1 mixed 2:3 with
    // column 2, making the row player indifferent.
    let mixed: Vec<_> = eq.iter().filter(|e| !e.is_pure()).map(probs).collect();
    assert_eq!(
        mixed,
        vec![
            vec![vec![fr(1, 2), fr(1, 2)], vec![q(0), fr(2, 5), fr(3, 5)]],
            vec![vec![fr(1, 2), fr(1, 2)], vec![fr(2, 5), q(0), fr(3, 5)]],
        ]
    );
    assert_eq!(eq.len(), 5);
}

#[test]
fn all_zero_game_every_pure_profile_is_extreme() {
    let g = bimatrix(&vec![vec![0; 3]; 3], &vec![vec![0; 3]; 3]);
    let eq = extreme_equilibria_2p(&g).expect("two players");
    check_all_nash(&g, &eq);
    assert_eq!(eq.len(), 9);
    assert!(eq.iter().all(MixedProfile::is_pure));
    assert_eq!(pure_equilibria(&g).len(), 9);
}

#[test]
fn three_player_pure_equilibria_in_gambit_order() {
    // A 3x3x3 coordination game: everyone gets 1 when all choose the same.
    // Besides the three agreements, every profile where all three choose
    // differently is an equilibrium: no single deviation produces agreement.
    let mut pay = Vec::new();
    for k in 0..27 {
        let s = [k % 3, (k / 3) % 3, k / 9];
        let v = if s[0] == s[1] && s[1] == s[2] { q(1) } else { q(0) };
        pay.push(vec![v.clone(), v.clone(), v]);
    }
    let g = NormalForm::new(
        "coord".into(),
        vec!["a".into(), "b".into(), "c".into()],
        vec![names(3), names(3), names(3)],
        pay,
    )
    .expect("valid");
    assert_eq!(
        pure_equilibria(&g),
        vec![
            vec![0, 0, 0],
            vec![2, 1, 0],
            vec![1, 2, 0],
            vec![2, 0, 1],
            vec![1, 1, 1],
            vec![0, 2, 1],
            vec![1, 0, 2],
            vec![0, 1, 2],
            vec![2, 2, 2],
        ]
    );
    assert!(extreme_equilibria_2p(&g).is_err());
}

#[test]
fn normal_form_rejects_mismatched_counts() {
    let two = vec!["1".to_string(), "2".to_string()];
    assert!(NormalForm::new("x".into(), two.clone(), vec![names(2), names(2)], vec![vec![q(0), q(0)]; 3]).is_err());
    assert!(NormalForm::new("x".into(), two.clone(), vec![names(2), names(2)], vec![vec![q(0)]; 4]).is_err());
    assert!(NormalForm::new("x".into(), two.clone(), vec![names(2)], vec![vec![q(0), q(0)]; 2]).is_err());
    assert!(NormalForm::new("x".into(), two, vec![names(2), vec![]], vec![]).is_err());
    assert!(NormalForm::new("x".into(), vec![], vec![], vec![vec![]]).is_err());
}

#[test]
fn payoff_lookup_uses_gambit_order() {
    // First player's strategy varies fastest.
    let pay = (0..6).map(|k| vec![q(k), q(10 * k)]).collect();
    let g = NormalForm::new("x".into(), vec!["a".into(), "b".into()], vec![names(2), names(3)], pay).expect("valid");
    assert_eq!(g.num_profiles(), 6);
    assert_eq!(g.payoff(&[1, 0], 0), &q(1));
    assert_eq!(g.payoff(&[0, 1], 0), &q(2));
    assert_eq!(g.payoff(&[1, 2], 1), &q(50));
    assert_eq!(g.profile_index(&[1, 2]), Some(5));
    assert_eq!(g.profile_at(3), Some(vec![1, 1]));
    // Out of range: zero, no panic.
    assert_eq!(g.payoff(&[2, 0], 0), &q(0));
    assert_eq!(g.payoff(&[0, 0], 7), &q(0));
    assert_eq!(g.profile_index(&[0]), None);
}

#[test]
fn two_player_solver_rejects_other_player_counts() {
    let g = NormalForm::new("x".into(), vec!["a".into()], vec![names(2)], vec![vec![q(1)], vec![q(2)]]).expect("valid");
    assert_eq!(pure_equilibria(&g), vec![vec![1]]);
    assert!(extreme_equilibria_2p(&g).is_err());
}

#[test]
fn basis_cap_reports_an_error() {
    let g = bimatrix(&vec![vec![0; 4]; 4], &vec![vec![0; 4]; 4]);
    let err = extreme_equilibria_2p_with_limit(&g, 3).expect_err("cap of 3 bases");
    assert!(err.contains("bases"), "{err}");
}

// ---------------------------------------------------------------- the .nfg reader

#[test]
fn reads_payoff_version_with_counts() {
    let g = parse_nfg(
        "NFG 1 R \"Selten (IJGT, 75), Figure 2\" { \"Player 1\" \"Player 2\" } { 3 2 }\n\n\
         1 1 0 2 0 2 1 1 0 3 2 0\n",
    )
    .expect("valid");
    assert_eq!(g.title, "Selten (IJGT, 75), Figure 2");
    assert_eq!(g.players, vec!["Player 1", "Player 2"]);
    assert_eq!(g.strategies, vec![names(3), names(2)]);
    assert_eq!(g.payoff(&[0, 0], 0), &q(1));
    assert_eq!(g.payoff(&[1, 0], 1), &q(2));
    assert_eq!(g.payoff(&[2, 1], 0), &q(2));
    assert_eq!(g.payoff(&[2, 1], 1), &q(0));
}

#[test]
fn reads_outcome_version_with_null_outcome_and_commas() {
    let text = r#"NFG 1 R "Two person 2 x 2 game" { "Player 1" "Player 2" }

{ { "T" "B" }
{ "L" "R" }
}
"a comment with \"quotes\""

{
{ "" 2, 0 }
{ "win" 0 1 }
{ "x" 3/2, -1.25 }
}
1 0 2 3
"#;
    let g = parse_nfg(text).expect("valid");
    assert_eq!(g.strategies, vec![vec!["T", "B"], vec!["L", "R"]]);
    assert_eq!(g.payoff(&[0, 0], 0), &q(2));
    assert_eq!(g.payoff(&[1, 0], 0), &q(0));
    assert_eq!(g.payoff(&[1, 0], 1), &q(0));
    assert_eq!(g.payoff(&[0, 1], 1), &q(1));
    assert_eq!(g.payoff(&[1, 1], 0), &fr(3, 2));
    assert_eq!(g.payoff(&[1, 1], 1), &fr(-5, 4));
}

#[test]
fn numbers_are_exact() {
    assert_eq!(parse_number("0.1"), Ok(fr(1, 10)));
    assert_eq!(parse_number("1/3"), Ok(fr(1, 3)));
    assert_eq!(parse_number("-2/6"), Ok(fr(-1, 3)));
    assert_eq!(parse_number("2.5e-1"), Ok(fr(1, 4)));
    assert_eq!(parse_number("-1E2"), Ok(q(-100)));
    assert_eq!(parse_number("1e3"), Ok(q(1000)));
    assert_eq!(parse_number(".5"), Ok(fr(1, 2)));
    assert_eq!(parse_number("3."), Ok(q(3)));
    assert_eq!(parse_number("+7"), Ok(q(7)));
    assert_eq!(parse_number("1.000000"), Ok(q(1)));
    assert_eq!(parse_number("0.30000000000000004"), Ok(fr(30000000000000004, 100000000000000000)));
    for bad in ["", "-", ".", "1/0", "1/", "e5", "1e", "1e+", "1x", "1e99999", "--1", "1.2.3"] {
        assert!(parse_number(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn reader_errors_carry_offsets() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "expected `NFG`"),
        ("EFG 2 R \"x\"", 0, "expected `NFG`"),
        ("NFG 2 R \"x\"", 4, "expected version `1`"),
        ("NFG 1 Q \"x\"", 6, "expected data type"),
        ("NFG 1 R x", 8, "expected the game title"),
        ("NFG 1 R \"x\" \"a\" }", 12, "expected `{`"),
        ("NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 2 3", 37, "expected a payoff"),
        ("NFG 1 R \"x\" { \"a\" } { 2 }\n1 2 3", 30, "expected end of file"),
        ("NFG 1 R \"x\" { \"a\" } { 0 }\n", 22, "positive integer"),
        ("NFG 1 R \"x\" { \"a\" } { { \"s\" } }\n{ { \"o\" 1 } }\n2", 46, "outcome 2 is not defined"),
        ("NFG 1 R \"x", 8, "unterminated string"),
        ("NFG 1 R \"x\" { \"a\" } { 2 }\n1 1e", 29, "exponent"),
        ("NFG 1 R \"x\" { \"a\" } { 99999999999 }\n1", 22, "more strategies"),
    ];
    for (text, offset, msg) in cases {
        let err = parse_nfg(text).expect_err(text);
        assert!(err.message.contains(msg), "{text:?}: {err}");
        assert_eq!(err.offset, *offset, "{text:?}: {err}");
        assert!(err.message.chars().next().is_some_and(|c| !c.is_uppercase()), "{err}");
    }
    let err = parse_nfg("NFG 1 R \"x\"\n{ \"a\" }\n{ 2 }\n1 oops").expect_err("bad payoff");
    assert_eq!(err.line_col("NFG 1 R \"x\"\n{ \"a\" }\n{ 2 }\n1 oops"), (4, 3));
}

#[test]
fn writer_round_trips() {
    let g = bimatrix(&[vec![1, -2], vec![3, 4]], &[vec![0, 7], vec![-1, 2]]);
    let text = write_nfg(&g);
    assert_eq!(parse_nfg(&text).expect("round trip"), g);
}

// ---------------------------------------------------------------- Gambit oracle

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nfg")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Equilibria in the oracle's text format: one per line, players separated by
/// `|`, exact fractions; `#` lines are comments.
fn read_expected(path: &Path) -> BTreeSet<Vec<Vec<Q>>> {
    read(path)
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split('|')
                .map(|player| {
                    player.split_whitespace().map(|x| parse_number(x).unwrap_or_else(|e| panic!("{x}: {e}"))).collect()
                })
                .collect()
        })
        .collect()
}

fn oracle_games() -> Vec<String> {
    read(&data_dir().join("GAMES.txt"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('|').next().map(|s| s.trim().to_string()))
        .collect()
}

#[test]
fn oracle_index_covers_the_required_games() {
    let games = oracle_games();
    for name in ["vonstengel1999_6x6", "random_10x10", "mckelvey_mclennan_2x2x2", "coord333", "deg1", "deg2"] {
        assert!(games.iter().any(|g| g == name), "{name} missing");
    }
    assert!(games.len() >= 15);
}

#[test]
fn pure_equilibria_match_gambit() {
    for name in oracle_games() {
        let dir = data_dir();
        let g = parse_nfg(&read(&dir.join(format!("{name}.nfg")))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = read_expected(&dir.join(format!("{name}.pure.txt")));
        let pure = pure_equilibria(&g);
        let got: BTreeSet<_> = pure.iter().map(|p| pure_as_probs(&g, p)).collect();
        assert_eq!(got.len(), pure.len(), "{name}: duplicate pure equilibria");
        assert_eq!(got, expected, "{name}: pure equilibria differ from gambit");
        let order: Vec<_> = pure.iter().map(|p| g.profile_index(p)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "{name}: not in Gambit order");
    }
}

#[test]
fn extreme_equilibria_match_gambit() {
    let mut compared = 0;
    for name in oracle_games() {
        let dir = data_dir();
        let path = dir.join(format!("{name}.mixed.txt"));
        if !path.exists() {
            continue;
        }
        let g = parse_nfg(&read(&dir.join(format!("{name}.nfg")))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let eq = extreme_equilibria_2p(&g).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_all_nash(&g, &eq);
        let got: BTreeSet<_> = eq.iter().map(probs).collect();
        let expected = read_expected(&path);
        assert_eq!(got, expected, "{name}: extreme equilibria differ from gambit");
        // Every pure equilibrium is extreme.
        for p in pure_equilibria(&g) {
            assert!(got.contains(&pure_as_probs(&g, &p)), "{name}: pure {p:?} missing");
        }
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} games compared");
}

#[test]
fn von_stengel_game_has_75_equilibria() {
    let g = parse_nfg(&read(&data_dir().join("vonstengel1999_6x6.nfg"))).expect("valid");
    assert_eq!(g.shape(), vec![6, 6]);
    assert_eq!(extreme_equilibria_2p(&g).expect("two players").len(), 75);
}

/// Its speed is measured by `cargo bench --bench solve`, not asserted here.
#[test]
fn random_10x10_has_three_extreme_equilibria() {
    let text = read(&data_dir().join("random_10x10.nfg"));
    let g = parse_nfg(&text).expect("valid");
    let eq = extreme_equilibria_2p(&g).expect("two players");
    assert_eq!(eq.len(), 3);
}

#[test]
fn exact_payoffs_file_is_read_exactly() {
    let g = parse_nfg(&read(&data_dir().join("exact_payoffs.nfg"))).expect("valid");
    // "1/3 0.25 2.5e-1 -1/3 -1E2 1.5 0.1 1/10 1e1 10 3/9 .5"
    assert_eq!(g.payoff(&[0, 0], 0), &fr(1, 3));
    assert_eq!(g.payoff(&[0, 0], 1), &fr(1, 4));
    assert_eq!(g.payoff(&[1, 0], 0), &fr(1, 4));
    assert_eq!(g.payoff(&[2, 0], 0), &q(-100));
    assert_eq!(g.payoff(&[0, 1], 0), g.payoff(&[0, 1], 1));
    assert_eq!(g.payoff(&[1, 1], 0), &q(10));
    assert_eq!(g.payoff(&[2, 1], 0), &fr(1, 3));
    assert_eq!(g.payoff(&[2, 1], 1), &fr(1, 2));
}

// ---------------------------------------------------------------- properties

fn small_bimatrix() -> impl Strategy<Value = NormalForm> {
    (1usize..5, 1usize..5, 0i64..4).prop_flat_map(|(m, n, range)| {
        proptest::collection::vec(-range..=range, 2 * m * n).prop_map(move |v| {
            let pay = v.chunks(2).map(|c| vec![q(c[0]), q(c[1])]).collect();
            NormalForm::new("p".into(), vec!["1".into(), "2".into()], vec![names(m), names(n)], pay).expect("valid")
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn extreme_equilibria_are_nash_and_include_pure(g in small_bimatrix()) {
        let eq = extreme_equilibria_2p(&g).expect("two players");
        prop_assert!(!eq.is_empty(), "every finite game has an equilibrium");
        check_all_nash(&g, &eq);
        for p in pure_equilibria(&g) {
            let pp = pure_as_probs(&g, &p);
            prop_assert!(eq.iter().any(|e| e.probs == pp));
        }
        // Swapping the players mirrors the equilibria.
        let (m, n) = (g.strategies[0].len(), g.strategies[1].len());
        let mut pay = Vec::new();
        for i in 0..m {
            for j in 0..n {
                pay.push(vec![g.payoff(&[i, j], 1).clone(), g.payoff(&[i, j], 0).clone()]);
            }
        }
        let h = NormalForm::new("s".into(), vec!["2".into(), "1".into()], vec![names(n), names(m)], pay)
            .expect("valid");
        let swapped: BTreeSet<_> = extreme_equilibria_2p(&h)
            .expect("two players")
            .into_iter()
            .map(|e| vec![e.probs[1].clone(), e.probs[0].clone()])
            .collect();
        let direct: BTreeSet<_> = eq.iter().map(probs).collect();
        prop_assert_eq!(swapped, direct);
    }

    #[test]
    fn reader_never_panics_on_random_text(s in "\\PC{0,200}") {
        let _ = parse_nfg(&s);
    }

    #[test]
    fn reader_never_panics_on_nfg_like_tokens(
        toks in proptest::collection::vec(
            prop_oneof![
                Just("NFG".to_string()), Just("1".to_string()), Just("R".to_string()),
                Just("{".to_string()), Just("}".to_string()), Just(",".to_string()),
                Just("\"p\"".to_string()), Just("\"".to_string()), Just("\\".to_string()),
                Just("0".to_string()), Just("2".to_string()), Just("-1/3".to_string()),
                Just("1e".to_string()), Just("1.5e-2".to_string()), Just("é".to_string()),
                "[0-9./eE+-]{1,6}",
            ],
            0..40,
        ),
        seps in proptest::collection::vec(prop_oneof![Just(" "), Just(""), Just("\n"), Just("\t")], 40),
    ) {
        let mut text = String::new();
        for (t, s) in toks.iter().zip(seps.iter().cycle()) {
            text.push_str(t);
            text.push_str(s);
        }
        if let Err(e) = parse_nfg(&text) {
            prop_assert!(e.offset <= text.len());
        }
    }

    #[test]
    fn reader_never_panics_on_mutated_files(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let files = ["bos.nfg", "vonstengel1999_6x6.nfg", "exact_payoffs.nfg", "coord333.nfg"];
        let mut bytes = read(&data_dir().join(files[which])).into_bytes();
        for (at, byte, kind) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => { bytes[i] = byte; }
                1 => { bytes.remove(i); }
                _ => { bytes.insert(i, byte); }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = parse_nfg(&text) {
            prop_assert!(e.offset <= text.len());
        }
    }

    #[test]
    fn writer_round_trips_random_games(g in small_bimatrix(), title in "[a-z \"]{0,10}") {
        let mut g = g;
        g.title = title;
        let back = parse_nfg(&write_nfg(&g)).expect("round trip");
        prop_assert_eq!(back, g);
    }
}
