//! Whole-model analyses after typing: cycles among definitions (`E0203`) and unused
//! parameters and definitions (`W0001`, `W0005`).

use super::rules::visit;
use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::model::*;
use crate::source::Span;
use std::collections::HashMap;

/// A definition that other definitions can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Param(ParamId),
    Let(LetId),
    Fn(FnId),
    MemberParam(ActorId, usize),
    MemberLet(ActorId, usize),
    MemberFn(ActorId, usize),
}

impl<'a> Checker<'a> {
    /// Reports every cycle among params, lets, functions and actor members; true if
    /// there was one (then nothing may be evaluated: it would never end).
    pub(super) fn find_cycles(&mut self) -> bool {
        let nodes = self.nodes();
        let edges: Vec<Vec<Node>> = nodes.iter().map(|n| self.deps(*n)).collect();
        let index = |n: &Node| nodes.iter().position(|m| m == n);
        let mut state = vec![0u8; nodes.len()];
        let mut reported: Vec<Vec<Node>> = Vec::new();
        for start in 0..nodes.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(dep) = edges[node].get(*next) {
                    *next += 1;
                    let Some(d) = index(dep) else { continue };
                    match state[d] {
                        0 => {
                            state[d] = 1;
                            stack.push((d, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|(n, _)| *n == d).unwrap_or(0);
                            let mut cycle: Vec<Node> = stack[from..].iter().map(|(n, _)| nodes[*n]).collect();
                            let mut key = cycle.clone();
                            key.sort();
                            if !reported.contains(&key) {
                                reported.push(key);
                                let pos = cycle
                                    .iter()
                                    .enumerate()
                                    .min_by_key(|(_, n)| self.node_span(**n).start)
                                    .map(|(i, _)| i)
                                    .unwrap_or(0);
                                cycle.rotate_left(pos);
                                self.report_cycle(&cycle);
                            }
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
        !reported.is_empty()
    }

    fn nodes(&self) -> Vec<Node> {
        let mut nodes: Vec<Node> = (0..self.model.params.len()).map(Node::Param).collect();
        nodes.extend((0..self.model.lets.len()).map(Node::Let));
        nodes.extend((0..self.model.fns.len()).map(Node::Fn));
        for (a, actor) in self.model.actors.iter().enumerate() {
            nodes.extend((0..actor.params.len()).map(|i| Node::MemberParam(a, i)));
            nodes.extend((0..actor.lets.len()).map(|i| Node::MemberLet(a, i)));
            nodes.extend((0..actor.fns.len()).map(|i| Node::MemberFn(a, i)));
        }
        nodes
    }

    fn node_expr(&self, n: Node) -> Option<&Expr> {
        match n {
            Node::Param(i) => self.model.params.get(i)?.default.as_ref(),
            Node::Let(i) => self.model.lets.get(i).map(|l| &l.value),
            Node::Fn(i) => self.model.fns.get(i).map(|f| &f.body),
            Node::MemberParam(a, i) => self.model.actors.get(a)?.params.get(i)?.default.as_ref(),
            Node::MemberLet(a, i) => self.model.actors.get(a)?.lets.get(i).map(|l| &l.value),
            Node::MemberFn(a, i) => self.model.actors.get(a)?.fns.get(i).map(|f| &f.body),
        }
    }

    fn node_name(&self, n: Node) -> String {
        match n {
            Node::Param(i) => self.model.params.get(i).map(|p| p.name.clone()),
            Node::Let(i) => self.model.lets.get(i).map(|l| l.name.clone()),
            Node::Fn(i) => self.model.fns.get(i).map(|f| f.name.clone()),
            Node::MemberParam(a, i) => self
                .model
                .actors
                .get(a)
                .and_then(|x| x.params.get(i))
                .map(|p| format!("{}.{}", self.model.actors[a].name, p.name)),
            Node::MemberLet(a, i) => self
                .model
                .actors
                .get(a)
                .and_then(|x| x.lets.get(i))
                .map(|l| format!("{}.{}", self.model.actors[a].name, l.name)),
            // Member functions are named `Actor.f` already.
            Node::MemberFn(a, i) => self.model.actors.get(a).and_then(|x| x.fns.get(i)).map(|f| f.name.clone()),
        }
        .unwrap_or_default()
    }

    fn node_span(&self, n: Node) -> Span {
        match n {
            Node::Param(i) => self.model.params.get(i).map(|p| p.span),
            Node::Let(i) => self.model.lets.get(i).map(|l| l.span),
            Node::Fn(i) => self.model.fns.get(i).map(|f| f.span),
            Node::MemberParam(a, i) => self.model.actors.get(a).and_then(|x| x.params.get(i)).map(|p| p.span),
            Node::MemberLet(a, i) => self.model.actors.get(a).and_then(|x| x.lets.get(i)).map(|l| l.span),
            Node::MemberFn(a, i) => self.model.actors.get(a).and_then(|x| x.fns.get(i)).map(|f| f.span),
        }
        .unwrap_or_default()
    }

    /// What a definition's value refers to.
    fn deps(&self, n: Node) -> Vec<Node> {
        self.node_expr(n).map(expr_deps).unwrap_or_default()
    }

    /// True if evaluating `e` would enter a cycle of definitions (and so never end):
    /// the checker evaluates constants while typing, before cycles are reported.
    pub(super) fn reaches_cycle(&self, e: &Expr) -> bool {
        // 1: on the current path, 2: finished.
        let mut state: HashMap<Node, u8> = HashMap::new();
        let mut stack: Vec<(Node, Vec<Node>)> = Vec::new();
        let mut roots = expr_deps(e);
        roots.reverse();
        while let Some(root) = roots.pop() {
            if state.contains_key(&root) {
                continue;
            }
            state.insert(root, 1);
            stack.push((root, self.deps(root)));
            while let Some((node, pending)) = stack.last_mut() {
                match pending.pop() {
                    Some(dep) => match state.get(&dep) {
                        Some(1) => return true,
                        Some(_) => {}
                        None => {
                            state.insert(dep, 1);
                            let next = self.deps(dep);
                            stack.push((dep, next));
                        }
                    },
                    None => {
                        state.insert(*node, 2);
                        stack.pop();
                    }
                }
            }
        }
        false
    }

    fn report_cycle(&mut self, cycle: &[Node]) {
        let Some(&first) = cycle.first() else { return };
        let names: Vec<String> = cycle.iter().map(|n| self.node_name(*n)).collect();
        let chain = names.iter().chain(names.first()).map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" -> ");
        let what = if matches!(first, Node::Fn(_) | Node::MemberFn(..)) && cycle.len() == 1 {
            "recursive function"
        } else {
            "cyclic definition"
        };
        let mut d = Diagnostic::new(Code::E0203, self.node_span(first), what.to_string())
            .label(format!("`{}` depends on itself", names[0]))
            .note(format!("the cycle: {chain}"));
        for (n, name) in cycle.iter().zip(&names).skip(1) {
            d = d.with(self.node_span(*n), format!("`{name}` is part of the cycle"));
        }
        d = d.help(if matches!(first, Node::Fn(_)) {
            "functions cannot call themselves; write the closed form or a `sum` over a range".to_string()
        } else {
            "define one of them without the others, e.g. as a `param`".to_string()
        });
        self.error(d);
    }

    /// W0001 for unused params, W0005 for unused lets and functions (main file only).
    pub(super) fn warn_unused(&mut self) {
        if self.diags.has_errors() {
            return;
        }
        let mut warnings = Vec::new();
        for (i, used) in self.used_params.iter().enumerate() {
            if !used {
                let p = &self.model.params[i];
                warnings.push(
                    Diagnostic::new(Code::W0001, p.span, format!("parameter `{}` is never used", p.name))
                        .label("declared here, used nowhere")
                        .help(format!(
                            "remove it, or use it in a payoff or rule; prefix it with `_` (`_{}`) to keep it silently",
                            p.name
                        )),
                );
            }
        }
        for (i, used) in self.used_lets.iter().enumerate() {
            if !used {
                let l = &self.model.lets[i];
                warnings.push(unused_definition(&l.name, l.span));
            }
        }
        for (i, used) in self.used_fns.iter().enumerate() {
            if !used {
                let f = &self.model.fns[i];
                warnings.push(unused_definition(&f.name, f.span));
            }
        }
        for w in warnings {
            if !self.model_name_is_private(&w) {
                self.error(w);
            }
        }
    }

    fn model_name_is_private(&self, d: &Diagnostic) -> bool {
        self.program.sources.slice(d.primary.span).starts_with('_')
    }
}

fn unused_definition(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::W0005, span, format!("`{name}` is never used"))
        .label("defined here, used nowhere")
        .help("remove it, or prefix its name with `_` to keep it silently")
}

/// The definitions an expression refers to, each once, in order of appearance.
fn expr_deps(e: &Expr) -> Vec<Node> {
    let mut out = Vec::new();
    let mut push = |d: Node| {
        if !out.contains(&d) {
            out.push(d);
        }
    };
    visit(e, &mut |x| match &x.kind {
        ExprKind::Param(i) => push(Node::Param(*i)),
        ExprKind::Let(i) => push(Node::Let(*i)),
        ExprKind::Call(f, _) | ExprKind::FnRef(f) => push(Node::Fn(*f)),
        ExprKind::Member { actor, member: MemberRef::Param(i), .. } => push(Node::MemberParam(*actor, *i)),
        ExprKind::Member { actor, member: MemberRef::Let(i), .. } => push(Node::MemberLet(*actor, *i)),
        ExprKind::MemberCall { actor, func, .. } => push(Node::MemberFn(*actor, *func)),
        _ => {}
    });
    out
}
