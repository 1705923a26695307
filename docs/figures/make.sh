#!/usr/bin/env bash
# Regenerates the pictures in docs/figures/ from the examples (see docs/sweeps.md):
#   bash docs/figures/make.sh
# Each picture is a `gov sweep` of an example, drawn by `gov plot`. The sweep tables go
# to a scratch folder (set FIGURES_WORK to keep them); only the SVGs are committed.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
gov=target/release/gov
work="${FIGURES_WORK:-$(mktemp -d)}"
mkdir -p "$work"
out=docs/figures

# Openness regulation (Qiu et al.): what the generalist does under an openness
# threshold θ and a penalty p. A strong model (α0 = 8) shows all three regimes: it
# complies when p is above the indifference curve p = (κα0θ − m)²/(2κα0), keeps its own
# openness and pays below it, and abstains when complying costs more than releasing earns.
"$gov" sweep examples/openness.gov --set alpha0=8usd \
    --vary theta=0..1:61 --vary p=0usd..1.5usd:61 \
    --metric open_source --metric omega=Generalist.omega \
    --quiet --out "$work/openness"
"$gov" plot "$work/openness.json" --metric open_source \
    --title "Openness threshold: what the generalist does (alpha0 = 8 usd)" \
    --out "$out/openness-regions.svg"

# Risk-weighted compute permits (Christoph, Remark 7): which regime gives the higher net
# welfare W = Σv(c) − enforcement cost − h·(evaded permits) — the permit market (`base`)
# or command and control — over the enforcement budget B and the linear penalty a. The
# market loses where the budget buys too few audits (B below about n·k·p/a: evasion),
# and where a is so low (a < 2.16 usd/pflop at the defaults) that deterring costs more
# (n·k·p/a) than the market's better allocation gains. B stops at 15 usd: above it
# nothing changes (the budget no longer binds).
"$gov" sweep examples/compute_permits.gov \
    --vary B=0.5usd..15usd:59 --vary a=1usd/pflop..8usd/pflop:41 \
    --metric net_welfare \
    --quiet --out "$work/compute_permits"
"$gov" plot "$work/compute_permits.json" --metric net_welfare \
    --title "Compute permits: higher net welfare (base = permit market)" \
    --out "$out/compute-permits-welfare.svg"

echo "wrote $out/openness-regions.svg and $out/compute-permits-welfare.svg (tables in $work)"
