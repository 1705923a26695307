; Highlights for gov. Names follow the common capture names (nvim-treesitter, Helix, Zed).
; When several patterns capture a node the last one wins: general patterns come first.

(identifier) @variable


[
  (line_comment)
  (block_comment)
] @comment

(doc_comment) @comment.documentation

(doc_string) @string.documentation

(number) @number
(one) @number
(exponent (number) @number)
(boolean) @boolean
(infinity) @constant.builtin

[
  "use" "unit" "type" "param" "let" "random" "actor" "choose"
  "market" "cap" "audit" "license" "threshold" "sequence" "game"
  "check" "expect" "scenario" "compare" "simulate" "sweep"
] @keyword

[ "fn" "penalty" ] @keyword.function

"payoff" @keyword

[ "if" "then" "else" ] @keyword.conditional

[ "forall" "exists" "in" "where" ] @keyword.repeat

[ "and" "or" ] @keyword.operator
(not_op) @keyword.operator

(abstain) @keyword
(abstain "or" @keyword)

; Clause words (names elsewhere).
[
  "supply" "demand" "price" "cost" "budget" "on" "detect" "for" "by" "metric" "require"
  "ban" "over" "set" "remove" "fix" "rounds" "reps" "seed" "strategy" "state" "update"
  "players" "strategies" "payoffs" "vary"
] @keyword

(vary_log) @keyword

[
  "==" "!=" "≠" "<=" "≤" ">=" "≥" "<" ">" "+" "-" "*" "·" "/" "^" "%" "=" "~" ".."
] @operator

(plus_minus) @operator
(neg) @operator
(neg_op) @operator
(unit_op) @operator

[ "(" ")" "[" "]" "{" "}" ] @punctuation.bracket
[ "," ";" ":" "." ] @punctuation.delimiter

; Types and units.
(unit_name) @type
((unit_name) @type.builtin
  (#any-of? @type.builtin "Int" "Real" "Bool" "Prob"))
(unit_decl name: (identifier) @type.definition)
(type_decl name: (identifier) @type.definition)
(enum_type (ident_list (identifier) @constant))
(actor_decl name: (identifier) @type.definition)

; Declarations.
(fn_decl name: (identifier) @function)
(penalty_decl name: (identifier) @function)
(fn_param name: (identifier) @variable.parameter)
(param_decl name: (identifier) @constant)
(let_decl name: (identifier) @variable)
(random_decl name: (identifier) @variable)
(choose_decl name: (identifier) @variable.member)
(family_index index: (identifier) @variable.parameter)
(binder variable: (identifier) @variable.parameter)
(market_decl name: (identifier) @label)
(audit_decl name: (identifier) @label)
(cap_decl name: (identifier) @label)
(license_decl name: (identifier) @label)
(threshold_decl name: (identifier) @label)
(game_decl name: (identifier) @label)
(check_decl name: (identifier) @label)
(expect_decl name: (identifier) @label)
(scenario_decl name: (identifier) @label)
(compare_decl name: (identifier) @label)
(simulate_decl name: (identifier) @label)
(sweep_decl name: (identifier) @label)
(sweep_vary name: (identifier) @variable)
(use_decl module: (identifier) @module)

; Uses.
(member_expr member: (identifier) @variable.member)
(call_expr function: (identifier) @function.call)
(call_expr function: (member_expr member: (identifier) @function.call))
(aggregate operator: (aggregate_name) @function.builtin)
(call_expr
  function: (identifier) @function.builtin
  (#any-of? @function.builtin
    "sqrt" "exp" "ln" "log10" "pow" "abs" "min" "max" "floor" "ceil" "clamp" "pos" "norm_cdf" "norm_pdf"))
(call_expr
  function: (identifier) @constructor
  (#any-of? @constructor
    "Bernoulli" "Normal" "Uniform" "LogNormal" "Exponential" "Poisson" "Binomial" "Beta"))
(arg name: (identifier) @variable.parameter)
