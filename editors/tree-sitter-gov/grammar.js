/**
 * tree-sitter grammar for gov, following grammar/gov.pest (the final word on syntax)
 * rule for rule: a rule here has the name of the pest rule it mirrors, so a change to
 * gov.pest is made here under the same name. tests/tree_sitter.rs parses every golden,
 * example and stdlib file with both grammars and fails when they disagree.
 *
 * pest's reserved words (its `keyword` rule) are the global reserved set: never names.
 * Its soft keywords (clause words) are names, except right after a value, where pest's
 * `unit_op_postfix` refuses them as units: that is the `unit` reserved set.
 */

// Keep in step with `keyword` in grammar/gov.pest.
const RESERVED = [
  'abstain', 'actor', 'audit', 'and',
  'compare', 'choose', 'check', 'cap',
  'expect', 'exists', 'else',
  'forall', 'false', 'fn',
  'game',
  'inf', 'in', 'if',
  'license', 'let',
  'market',
  'not',
  'or',
  'penalty', 'payoff', 'param',
  'random',
  'sequence', 'scenario', 'simulate', 'sweep',
  'threshold', 'type', 'then', 'true',
  'unit', 'use',
  'where',
];

// Keep in step with `soft_keyword` in grammar/gov.pest.
const SOFT = [
  'budget', 'ban', 'by',
  'cost',
  'demand', 'detect',
  'for', 'fix',
  'metric',
  'over', 'on',
  'players', 'payoffs', 'price',
  'require', 'remove', 'rounds', 'reps',
  'strategies', 'strategy', 'supply', 'state', 'seed', 'set',
  'update',
  'vary',
];

// Operator precedence, loosest first, as the PrattParser in src/syntax/build.rs.
const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  add: 5,
  mul: 6,
  neg: 7,
  pow: 8,
  postfix: 9,
};

const commaSep1 = (rule) => seq(rule, repeat(seq(',', rule)));
const commaSepTrailing1 = (rule) => seq(rule, repeat(seq(',', rule)), optional(','));

module.exports = grammar({
  name: 'gov',

  word: ($) => $.identifier,

  reserved: {
    global: (_) => RESERVED,
    unit: (_) => [...RESERVED, ...SOFT],
  },

  extras: ($) => [/\s/, '\uFEFF', $.line_comment, $.doc_comment, $.block_comment],

  supertypes: ($) => [$._item, $._expr],

  conflicts: ($) => [
    // `choose n: Int in 0..10 or abstain`: `or` is an operator or the start of `or abstain`.
    [$.binary_expr, $.range_or_expr],
    // `min(a, b)` is a call, `min(d in D: e)` an aggregate: known at `in`.
    [$._expr, $.aggregate],
    [$.unit_expr],
  ],

  rules: {
    // ───────────────────────────── entry points ─────────────────────────────

    file: ($) => repeat($._item),

    _item: ($) =>
      choice(
        $.use_decl,
        $.unit_decl,
        $.type_decl,
        $.param_decl,
        $.let_decl,
        $.fn_decl,
        $.random_decl,
        $.actor_decl,
        $.market_decl,
        $.cap_decl,
        $.penalty_decl,
        $.audit_decl,
        $.license_decl,
        $.threshold_decl,
        $.sequence_decl,
        $.game_decl,
        $.check_decl,
        $.expect_decl,
        $.scenario_decl,
        $.compare_decl,
        $.simulate_decl,
        $.sweep_decl,
      ),

    // ───────────────────────────── declarations ─────────────────────────────

    use_decl: ($) =>
      seq('use', field('module', $.identifier), optional(seq('.', '{', field('names', $.ident_list), '}'))),
    unit_decl: ($) =>
      seq('unit', field('name', $.identifier), optional(seq('=', field('definition', $._expr))), optional($.doc_string)),
    type_decl: ($) => seq('type', field('name', $.identifier), '=', $.enum_type),
    param_decl: ($) =>
      seq(
        'param',
        field('name', $.identifier),
        ':',
        field('type', $.type_expr),
        optional(seq('=', field('default', $._expr))),
        optional($.doc_string),
        optional(seq('where', field('constraint', $._expr))),
      ),
    let_decl: ($) =>
      seq('let', field('name', $.identifier), optional(seq(':', field('type', $.type_expr))), '=', field('value', $._expr)),
    fn_decl: ($) =>
      seq(
        'fn',
        field('name', $.identifier),
        '(',
        optional($.fn_params),
        ')',
        optional(seq(':', field('result', $.type_expr))),
        '=',
        field('body', $._expr),
      ),
    fn_params: ($) => commaSepTrailing1($.fn_param),
    fn_param: ($) => seq(field('name', $.identifier), optional(seq(':', field('type', $.type_expr)))),
    random_decl: ($) =>
      seq('random', field('name', $.identifier), optional(seq(':', field('type', $.type_expr))), '~', field('distribution', $._expr)),

    actor_decl: ($) =>
      seq('actor', field('name', $.identifier), optional($.family_index), '{', repeat($._member), '}'),
    family_index: ($) => seq('[', field('index', $.identifier), 'in', $.range, ']'),
    _member: ($) => choice($.param_decl, $.let_decl, $.fn_decl, $.random_decl, $.choose_decl, $.payoff_decl),
    choose_decl: ($) =>
      seq(
        'choose',
        field('name', $.identifier),
        ':',
        field('type', $.type_expr),
        optional(seq('in', field('domain', $.domain))),
        optional($.abstain),
      ),
    abstain: (_) => seq('or', 'abstain'),
    payoff_decl: ($) => seq('payoff', $._expr),

    market_decl: ($) => seq('market', field('name', $.identifier), '{', repeat($._market_clause), '}'),
    _market_clause: ($) => choice($.market_supply, $.market_demand, $.market_price),
    market_supply: ($) => seq('supply', $._expr),
    market_demand: ($) => seq('demand', $._expr),
    market_price: ($) => seq('price', ':', $.type_expr),
    cap_decl: ($) => seq('cap', field('name', $.identifier), ':', $._expr),
    penalty_decl: ($) =>
      seq(
        'penalty',
        field('name', $.identifier),
        '(',
        optional($.fn_params),
        ')',
        ':',
        field('result', $.type_expr),
        '=',
        field('body', $._expr),
      ),
    audit_decl: ($) =>
      seq(
        'audit',
        field('name', $.identifier),
        optional(seq(':', field('type', $.type_expr))),
        '=',
        field('probability', $._expr),
        repeat($._audit_clause),
      ),
    _audit_clause: ($) => choice($.audit_cost, $.audit_budget, $.audit_on, $.audit_detect),
    audit_cost: ($) => seq('cost', $._expr),
    audit_budget: ($) => seq('budget', $._expr),
    audit_on: ($) => seq('on', $.identifier),
    audit_detect: ($) => seq('detect', $._expr),
    license_decl: ($) =>
      seq(
        'license',
        field('name', $.identifier),
        'for',
        field('holder', $.identifier),
        'in',
        field('holders', $.identifier),
        optional(seq('by', field('licensor', $.identifier))),
        '{',
        repeat($._license_clause),
        '}',
      ),
    _license_clause: ($) => choice($.license_metric, $.license_require, $.license_audit),
    license_metric: ($) => seq('metric', $._expr),
    license_require: ($) => seq('require', $._expr),
    license_audit: ($) => seq('audit', $._expr),
    threshold_decl: ($) =>
      seq('threshold', field('name', $.identifier), ':', field('condition', $._expr), 'else', $._consequence),
    _consequence: ($) => choice($.consequence_penalty, $.consequence_ban),
    consequence_penalty: ($) => seq('penalty', $._expr, optional(seq('on', $.identifier))),
    consequence_ban: ($) => seq('ban', optional(seq('on', $.identifier))),
    sequence_decl: ($) => seq('sequence', '{', $.stage, repeat(seq(';', $.stage)), optional(';'), '}'),
    stage: ($) => commaSep1($.identifier),
    game_decl: ($) =>
      seq('game', field('name', $.identifier), '{', $.game_players, $.game_strategies, $.game_payoffs, '}'),
    // pest reads `players A, strategies` as three names (and then fails): no trailing comma.
    game_players: ($) => seq('players', commaSep1($.identifier)),
    game_strategies: ($) => seq('strategies', repeat1($.strategy_set)),
    strategy_set: ($) => seq(field('player', $.identifier), '{', $.ident_list, '}'),
    game_payoffs: ($) => seq('payoffs', $.payoff_table),
    payoff_table: ($) => seq('[', commaSepTrailing1(choice($.payoff_table, $.payoff_tuple)), ']'),
    payoff_tuple: ($) => seq('(', $._expr, repeat1(seq(',', $._expr)), ')'),

    // ───────────────────────────── questions ─────────────────────────────

    check_decl: ($) => seq('check', field('name', $.identifier), ':', $._expr),
    expect_decl: ($) =>
      seq('expect', optional(seq(field('name', $.identifier), ':')), $._expr, optional($.tolerance)),
    tolerance: ($) => seq($.plus_minus, $._expr),
    scenario_decl: ($) => seq('scenario', field('name', $.identifier), '{', repeat($._scenario_stmt), '}'),
    _scenario_stmt: ($) => choice($.scenario_set, $.scenario_remove, $.scenario_fix, $._item),
    scenario_set: ($) => seq('set', $.path, '=', $._expr),
    scenario_remove: ($) => seq('remove', commaSep1($.identifier)),
    scenario_fix: ($) => seq('fix', $.path, '=', $._expr),
    compare_decl: ($) =>
      seq('compare', field('name', $.identifier), '=', field('metric', $._expr), 'over', $.ident_list),
    simulate_decl: ($) => seq('simulate', field('name', $.identifier), '{', repeat($._sim_clause), '}'),
    _sim_clause: ($) =>
      choice($.sim_rounds, $.sim_reps, $.sim_seed, $.sim_strategy, $.sim_state, $.sim_update, $.sim_metric),
    sim_rounds: ($) => seq('rounds', $._expr),
    sim_reps: ($) => seq('reps', $._expr),
    sim_seed: ($) => seq('seed', $._expr),
    sim_strategy: ($) => seq('strategy', $.path, '=', $._expr),
    sim_state: ($) =>
      seq('state', field('name', $.identifier), optional(seq(':', field('type', $.type_expr))), '=', $._expr),
    sim_update: ($) => seq('update', field('name', $.identifier), '=', $._expr),
    sim_metric: ($) => seq('metric', field('name', $.identifier), '=', $._expr),
    sweep_decl: ($) => seq('sweep', field('name', $.identifier), '{', repeat($._sweep_clause), '}'),
    _sweep_clause: ($) => choice($.sweep_vary, $.sweep_metric),
    sweep_vary: ($) => seq('vary', field('name', $.identifier), '=', $.vary_values),
    sweep_metric: ($) => seq('metric', field('name', $.identifier), '=', $._expr),
    vary_values: ($) => choice($.vary_grid, $.vary_list),
    vary_grid: ($) => seq($._expr, '..', $._expr, ':', $._expr, optional(seq(':', $.vary_log))),
    vary_log: (_) => 'log',
    vary_list: ($) => commaSep1($._expr),

    // ───────────────────────────── types and domains ─────────────────────────────

    type_expr: ($) => choice($.enum_type, $._unit_expr),
    enum_type: ($) => seq('{', $.ident_list, '}'),
    _unit_expr: ($) => choice($.unit_term, $.unit_product),
    unit_product: ($) => prec.left(seq($._unit_expr, $.unit_op, $.unit_term)),
    unit_op: (_) => choice('*', '/'),
    unit_term: ($) =>
      seq(choice(alias($.identifier, $.unit_name), $.one, seq('(', $._unit_expr, ')')), optional(seq('^', $.exponent))),
    one: (_) => '1',
    exponent: ($) =>
      choice(seq(optional($.neg), $.number), seq('(', optional($.neg), $.number, optional(seq('/', $.number)), ')')),
    neg: (_) => '-',
    domain: ($) => choice($.interval, $.set_lit, $.range_or_expr),
    // As loose as `or`, so that `in lo..hi or abstain` keeps both readings until `abstain`.
    range_or_expr: ($) => prec(PREC.or, seq($._expr, optional(seq('..', $._expr)))),
    interval: ($) =>
      prec(1, seq(field('open', choice('[', '(')), $._expr, ',', $._expr, field('close', choice(']', ')')))),
    range: ($) => seq($._expr, '..', $._expr),
    set_lit: ($) => seq('{', commaSepTrailing1($._expr), '}'),

    // ───────────────────────────── expressions ─────────────────────────────

    _expr: ($) =>
      choice(
        $.number,
        $.boolean,
        $.infinity,
        $.quantified,
        $.aggregate,
        $.if_expr,
        $.list,
        $.paren,
        $.identifier,
        $.unary_expr,
        $.binary_expr,
        $.member_expr,
        $.call_expr,
        $.index_expr,
        $.unit_expr,
        $.percent_expr,
      ),

    unary_expr: ($) =>
      choice(
        prec(PREC.neg, seq(field('operator', alias('-', $.neg_op)), $._expr)),
        prec(PREC.not, seq(field('operator', alias('not', $.not_op)), $._expr)),
      ),

    binary_expr: ($) => {
      const table = [
        [prec.left, PREC.or, 'or'],
        [prec.left, PREC.and, 'and'],
        [prec.left, PREC.compare, choice('==', '!=', '≠', '<=', '≤', '>=', '≥', '<', '>')],
        [prec.left, PREC.add, choice('+', '-')],
        [prec.left, PREC.mul, choice('*', '·', '/')],
        [prec.right, PREC.pow, '^'],
      ];
      return choice(
        ...table.map(([assoc, level, op]) =>
          assoc(level, seq(field('left', $._expr), field('operator', op), field('right', $._expr))),
        ),
      );
    },

    member_expr: ($) => prec(PREC.postfix, seq(field('object', $._expr), '.', field('member', $.identifier))),
    call_expr: ($) =>
      prec(PREC.postfix, seq(field('function', $._expr), '(', optional(commaSepTrailing1($.arg)), ')')),
    arg: ($) => seq(optional(seq(field('name', $.identifier), '=')), $._expr),
    index_expr: ($) => prec(PREC.postfix, seq(field('object', $._expr), '[', field('index', $._expr), ']')),
    // `100 pflop`, `2 pflop^2`: a unit after a value; never a reserved or clause word.
    // `h^x` is a power of the unit `h` only when `x` is a number: both readings are kept
    // until then, the unit's exponent preferred.
    unit_expr: ($) =>
      choice(
        prec(PREC.postfix, seq(field('value', $._expr), field('unit', $._unit_after_value))),
        prec.dynamic(
          1,
          prec(PREC.postfix, seq(field('value', $._expr), field('unit', $._unit_after_value), '^', $.exponent)),
        ),
      ),
    _unit_after_value: ($) => alias(reserved('unit', $.identifier), $.unit_name),
    percent_expr: ($) => prec(PREC.postfix, seq($._expr, '%')),

    quantified: ($) =>
      prec.right(seq(choice('forall', 'exists'), commaSep1($.binder), ':', field('body', $._expr))),
    binder: ($) => seq(field('variable', $.identifier), 'in', field('domain', $.domain)),
    aggregate: ($) =>
      seq(
        field('operator', alias($.identifier, $.aggregate_name)),
        '(',
        $.binder,
        optional(seq('where', field('filter', $._expr))),
        ':',
        field('body', $._expr),
        ')',
      ),
    if_expr: ($) => prec.right(seq('if', $._expr, 'then', $._expr, 'else', $._expr)),
    list: ($) => seq('[', optional(commaSepTrailing1($._expr)), ']'),
    paren: ($) => seq('(', $._expr, ')'),
    boolean: (_) => choice('true', 'false'),
    infinity: (_) => 'inf',
    plus_minus: (_) => choice('+-', '±'),

    // ───────────────────────────── tokens ─────────────────────────────

    number: (_) => /\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/,
    doc_string: (_) => token(seq('"', repeat(choice(/[^"\\]/, /\\(.|\n)/)), '"')),
    ident_list: ($) => commaSepTrailing1($.identifier),
    path: ($) => seq($.identifier, repeat(seq('.', $.identifier))),
    identifier: (_) => /[\p{XID_Start}_][^\P{XID_Continue}\u00B7]*/,

    doc_comment: (_) => token(prec(2, seq(choice('///', '//!'), /[^\n]*/))),
    line_comment: (_) => token(prec(1, seq('//', /[^\n]*/))),
    block_comment: (_) => token(seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/')),
  },
});
