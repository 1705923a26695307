//! pest errors → `E0101` diagnostics that speak the user's language: rule names are
//! replaced by what the user would type ("expected `=`"), long alternatives summarised.

use super::Rule;
use crate::diag::{Code, Diagnostic};
use crate::source::{floor_char_boundary, SourceId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// Converts a pest error into a diagnostic with the span of the offending token.
pub fn syntax_error(err: pest::error::Error<Rule>, text: &str, source: SourceId) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = floor_char_boundary(text, pos);
    let found_len = token_len(&text[pos..]);
    let found = if found_len == 0 { "end of input".to_string() } else { format!("`{}`", &text[pos..pos + found_len]) };
    let expected = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => describe(positives),
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            return Diagnostic::new(Code::E0103, Span::new(source, pos..pos + found_len), "input too complex to parse")
                .label(format!("the parser stopped here: {message}"))
                .help("simplify the nesting here; name intermediate results with `let`");
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let span = Span::new(source, pos..pos + found_len);
    let mut d = Diagnostic::new(Code::E0101, span, format!("expected {expected}, found {found}"))
        .label(format!("expected {expected} here"));
    if let Some(help) = hint(&text[pos..], &expected) {
        d = d.help(help);
    }
    d
}

/// An `E0901` for a shape the grammar should have ruled out.
pub fn internal(source: SourceId, what: &str) -> Diagnostic {
    internal_at(Span::new(source, 0..0), what)
}

/// An `E0901` at a span.
pub fn internal_at(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(Code::E0901, span, format!("internal error: {what}"))
        .help("this is a bug in gov; please report it with the input that caused it")
}

/// Length of the token starting the text (a word, a number, or one character).
fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len()),
        Some((_, c)) => c.len_utf8(),
    }
}

/// Human names of the rules pest expected, deduplicated and summarised.
fn describe(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in rules {
        let name = rule_name(*r);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.iter().any(|n| is_item_keyword(n)) {
        names.retain(|n| !is_item_keyword(n));
        let decl = "a declaration (`param`, `actor`, `check`, ...)";
        if !names.contains(&decl) {
            names.push(decl);
        }
    }
    if names.contains(&"an operator") {
        names.retain(|n| *n != "a name");
    }
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] if names.len() <= 6 => format!("{} or {last}", init.join(", ")),
        _ => format!("{}, or another token", names[..5].join(", ")),
    }
}

fn is_item_keyword(name: &str) -> bool {
    super::ITEM_KEYWORDS.iter().any(|k| name == format!("`{k}`"))
}

/// What the user would write for a rule.
fn rule_name(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of input",
        use_decl | unit_decl | type_decl | param_decl | let_decl | fn_decl | random_decl | actor_decl | market_decl
        | cap_decl | penalty_decl | audit_decl | license_decl | threshold_decl | sequence_decl | game_decl
        | check_decl | expect_decl | scenario_decl | compare_decl | simulate_decl | sweep_decl => {
            "a declaration (`param`, `actor`, `check`, ...)"
        }
        choose_decl | payoff_decl => "an actor member (`param`, `choose`, `payoff`, ...)",
        market_supply | market_demand | market_price => "a market clause (`supply`, `demand`, `price`)",
        audit_cost | audit_budget | audit_on | audit_detect => "an audit clause (`cost`, `budget`, `on`, `detect`)",
        license_metric | license_require | license_audit => "a licence clause (`metric`, `require`, `audit`)",
        sim_rounds | sim_reps | sim_seed | sim_strategy | sim_state | sim_update | sim_metric => {
            "a simulate clause (`rounds`, `reps`, `seed`, `strategy`, `state`, `update`, `metric`)"
        }
        scenario_set | scenario_remove | scenario_fix => "a scenario change (`set`, `remove`, `fix`, a rule)",
        sweep_vary | sweep_metric => "a sweep clause (`vary`, `metric`)",
        vary_values | vary_grid | vary_list => "values `LO..HI:STEPS` or `a, b, c`",
        vary_log => "`log`",
        consequence_penalty | consequence_ban => "`penalty` or `ban`",
        expr | primary | number | boolean | infinity | quantified | aggregate | if_expr | list | paren
        | aggregate_name => "an expression",
        neg_op | not_op => "an expression",
        or_op | and_op | eq_op | ne_op | le_op | ge_op | lt_op | gt_op | add_op | sub_op | mul_op | div_op | pow_op => {
            "an operator"
        }
        member_op | call_op | index_op | unit_op_postfix | percent_op => "an operator",
        ident | path => "a name",
        ident_list => "a list of names",
        type_expr | unit_expr | unit_term | enum_type | one => "a type or unit",
        unit_op => "`*` or `/`",
        exponent => "an exponent",
        domain | interval | range | range_or_expr | set_lit => "a domain (`[lo, hi]`, `lo..hi`, `{a, b}`)",
        interval_open => "`[` or `(`",
        interval_close => "`]` or `)`",
        doc_string => "a doc string",
        fn_params | fn_param => "a parameter `name: Type`",
        arg => "an argument",
        binder => "`name in domain`",
        family_index => "`[i in lo..hi]`",
        abstain => "`or abstain`",
        stage => "an actor name",
        game_players => "`players`",
        game_strategies | strategy_set => "`strategies`",
        game_payoffs => "`payoffs`",
        payoff_table => "a payoff table `[...]`",
        payoff_tuple => "a payoff tuple `(u1, u2)`",
        tolerance | plus_minus => "`+-`",
        kw_use => "`use`",
        kw_unit => "`unit`",
        kw_type => "`type`",
        kw_param => "`param`",
        kw_let => "`let`",
        kw_fn => "`fn`",
        kw_random => "`random`",
        kw_actor => "`actor`",
        kw_choose => "`choose`",
        kw_payoff => "`payoff`",
        kw_market => "`market`",
        kw_cap => "`cap`",
        kw_penalty => "`penalty`",
        kw_audit => "`audit`",
        kw_license => "`license`",
        kw_threshold => "`threshold`",
        kw_sequence => "`sequence`",
        kw_game => "`game`",
        kw_check => "`check`",
        kw_expect => "`expect`",
        kw_scenario => "`scenario`",
        kw_compare => "`compare`",
        kw_simulate => "`simulate`",
        kw_sweep => "`sweep`",
        kw_vary => "`vary`",
        kw_forall => "`forall`",
        kw_exists => "`exists`",
        kw_in => "`in`",
        kw_where => "`where`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_if => "`if`",
        kw_then => "`then`",
        kw_else => "`else`",
        kw_abstain => "`abstain`",
        kw_supply => "`supply`",
        kw_demand => "`demand`",
        kw_price => "`price`",
        kw_cost => "`cost`",
        kw_budget => "`budget`",
        kw_on => "`on`",
        kw_detect => "`detect`",
        kw_for => "`for`",
        kw_by => "`by`",
        kw_metric => "`metric`",
        kw_require => "`require`",
        kw_ban => "`ban`",
        kw_over => "`over`",
        kw_set => "`set`",
        kw_remove => "`remove`",
        kw_fix => "`fix`",
        kw_rounds => "`rounds`",
        kw_reps => "`reps`",
        kw_seed => "`seed`",
        kw_strategy => "`strategy`",
        kw_state => "`state`",
        kw_update => "`update`",
        kw_players => "`players`",
        kw_strategies => "`strategies`",
        kw_payoffs => "`payoffs`",
        _ => "a token",
    }
}

/// A help line for common slips.
fn hint(rest: &str, expected: &str) -> Option<String> {
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if expected.contains("a name") && super::RESERVED_WORDS.contains(&word.as_str()) {
        return Some(format!("`{word}` is a reserved word; choose another name, e.g. `{word}_`"));
    }
    if rest.starts_with('=') && !rest.starts_with("==") && expected.contains("operator") {
        return Some("to compare, write `==`".to_string());
    }
    if rest.starts_with('}') && expected.contains("expression") {
        return Some("the declaration above is incomplete".to_string());
    }
    None
}
