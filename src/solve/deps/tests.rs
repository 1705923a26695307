//! Reads are found through lets of other members with the index carried along: a member's
//! own partner, a fixed member, or any member.

use super::Deps;
use crate::model::ActorId;
use std::ops::Range;

const PAIRS: &str = r#"
actor L {
    choose y: Real in [0, 1]
    payoff sum(q in Q: q.w) - y^2
}
actor B[k in 1..4] {
    choose x: Real in [0, 1]
    payoff x - x^2
}
actor P[k in 1..4] {
    choose e: Real in [0, 2]
    let pull = B[k].x + L.y
    payoff pull * e - e^2
}
actor Q[k in 1..4] {
    choose w: Real in [0, 2]
    payoff P[k].pull * w - w^2 + B[2].x
}
"#;

/// The positions of the members of `actor` (in a stage of its own) that `deps` marks when
/// `moved` moves.
fn marked(deps: &Deps, actor: ActorId, moved: (ActorId, i64)) -> Vec<usize> {
    let size = if actor == 0 { 1 } else { 4 };
    let mut ranges: Vec<Option<Range<usize>>> = vec![None; 4];
    ranges[actor] = Some(0..size);
    let mut on = vec![false; size];
    deps.mark(&ranges, moved, &mut |r| r.for_each(|p| on[p] = true));
    (0..size).filter(|p| on[*p]).collect()
}

#[test]
fn reads_carry_the_index_through_lets() {
    let (l, b, p, q) = (0, 1, 2, 3);
    let (deps, complete) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let model = crate::session::check_source("pairs.gov", PAIRS).model.expect("checks");
            (Deps::new(&model, &[]), Deps::complete(&model))
        })
        .expect("a thread")
        .join()
        .expect("no panic");
    // `B[k]` in `P[k]`: only the partner; `L.y`: everyone.
    assert_eq!(marked(&deps, p, (b, 3)), vec![2]);
    assert_eq!(marked(&deps, p, (l, 1)), vec![0, 1, 2, 3]);
    // Through `P[k].pull`: `Q[k]` reads `B[k]` and `L` (not `P[k]`'s own choice, which
    // `pull` does not use); and `B[2]` directly.
    assert_eq!(marked(&deps, q, (p, 4)), Vec::<usize>::new());
    assert_eq!(marked(&deps, q, (b, 1)), vec![0]);
    assert_eq!(marked(&deps, q, (b, 2)), vec![0, 1, 2, 3]);
    assert_eq!(marked(&deps, q, (l, 1)), vec![0, 1, 2, 3]);
    // An aggregate reads every member; `B` reads nobody else.
    assert_eq!(marked(&deps, l, (q, 3)), vec![0]);
    assert_eq!(marked(&deps, b, (l, 1)), Vec::<usize>::new());
    assert_eq!(marked(&deps, b, (b, 2)), vec![1]);
    // The plain reference: everyone reads everyone.
    assert_eq!(marked(&complete, b, (q, 1)), vec![0, 1, 2, 3]);
}
