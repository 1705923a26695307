#!/usr/bin/env python3
"""Oracle for tests/finite_games.rs: writes the .nfg games in this folder and
the equilibria Gambit computes for them.

Run from anywhere with pygambit installed (tested with pygambit 16.7.0):

    python3 -m venv /tmp/gvenv && /tmp/gvenv/bin/pip install pygambit==16.7.0
    /tmp/gvenv/bin/python tests/data/nfg/oracle.py

For every game NAME it writes
  NAME.nfg        the game (payoff or outcome version of Gambit's format),
  NAME.pure.txt   gambit enumpure_solve: every pure-strategy equilibrium,
  NAME.mixed.txt  gambit enummixed_solve(rational=True), two-player games
                  only: every extreme equilibrium (Gambit can list one twice
                  in a degenerate game; duplicates are dropped and counted in
                  a comment).
Result files have '#' comment lines, then one equilibrium per line: each
player's probabilities as exact fractions, players separated by ' | ',
sorted lexicographically (as fractions). The .nfg files are read back by
pygambit itself, so they double as checks of the file syntax.

Game data: the payoff tables of standard examples (several distributed with
Gambit, from the cited papers) and generated games with fixed seeds.
"""
import itertools
import os
import random
import sys
from fractions import Fraction

import pygambit as gbt

HERE = os.path.dirname(os.path.abspath(__file__))


def q(s):
    """Exact value of a payoff text (int, decimal, fraction, exponent)."""
    return Fraction(s)


GAMES = []


def game(name, title, players, shape, flat, fmt="payoff", names=None, comment=None,
         source=""):
    """flat: payoff texts, profile by profile (first player fastest), one per player."""
    n = len(players)
    profiles = 1
    for k in shape:
        profiles *= k
    assert len(flat) == profiles * n, (name, len(flat), profiles * n)
    GAMES.append(dict(name=name, title=title, players=players, shape=shape,
                      flat=[str(x) for x in flat], fmt=fmt, names=names,
                      comment=comment, source=source))


def quote(s):
    return '"' + s.replace('"', '\\"') + '"'


def render(g):
    players = " ".join(quote(p) for p in g["players"])
    out = [f"NFG 1 R {quote(g['title'])} {{ {players} }}"]
    if g["names"] is None and g["fmt"] == "payoff":
        out.append("{ " + " ".join(str(k) for k in g["shape"]) + " }")
    else:
        names = g["names"] or [[str(i + 1) for i in range(k)] for k in g["shape"]]
        out.append("")
        out.append("{ " + "\n".join("{ " + " ".join(quote(s) for s in ns) + " }"
                                    for ns in names) + "\n}")
    if g["comment"] is not None:
        out.append(quote(g["comment"]))
    out.append("")
    n = len(g["players"])
    rows = [g["flat"][i:i + n] for i in range(0, len(g["flat"]), n)]
    if g["fmt"] == "payoff":
        out.append("\n".join(" ".join(r) for r in rows))
    else:
        # Outcome version: one outcome per distinct payoff vector (all-zero
        # vectors use the null outcome 0), indices per profile.
        outcomes, index = [], []
        for r in rows:
            if all(q(x) == 0 for x in r):
                index.append(0)
                continue
            if r not in outcomes:
                outcomes.append(r)
            index.append(outcomes.index(r) + 1)
        body = ["{"]
        for k, r in enumerate(outcomes):
            body.append("{ " + quote(f"o{k + 1}") + " " + ", ".join(r) + " }")
        body.append("}")
        out.append("\n".join(body))
        out.append(" ".join(str(i) for i in index))
    return "\n".join(out) + "\n"


def row_text(probs):
    return " | ".join(" ".join(str(x) for x in d) for d in probs)


def solve(g, path):
    gg = gbt.read_nfg(path)
    players = list(gg.players)
    # Cross-check that Gambit read the payoffs the script meant.
    flat = []
    for prof in itertools.product(*[range(k) for k in reversed(g["shape"])]):
        prof = list(reversed(prof))
        outcome = gg[prof]  # None for the null outcome
        flat += [Fraction(0) if outcome is None else Fraction(str(outcome[p]))
                 for p in players]
    assert flat == [q(x) for x in g["flat"]], g["name"]

    def profiles(result):
        """Distinct equilibria, sorted, and how many Gambit listed in all:
        enummixed lists an extreme equilibrium once per pair of bases, so a
        degenerate game can show the same one twice."""
        out = []
        for eq in result.equilibria:
            out.append([[Fraction(str(eq[s])) for s in p.strategies] for p in players])
        listed = len(out)
        distinct = []
        for e in sorted(out):
            if not distinct or distinct[-1] != e:
                distinct.append(e)
        return distinct, listed

    header = [f"# {g['name']}: {g['title']}", f"# oracle: pygambit {gbt.__version__}"]
    def note(found, listed):
        if listed == len(found):
            return []
        return [f"# gambit listed {listed}, of which {len(found)} distinct (duplicates dropped)"]

    pure, listed = profiles(gbt.nash.enumpure_solve(gg))
    with open(os.path.join(HERE, g["name"] + ".pure.txt"), "w") as f:
        lines = header + ["# gambit.nash.enumpure_solve"] + note(pure, listed)
        f.write("\n".join(lines) + "\n")
        for p in pure:
            f.write(row_text(p) + "\n")
    counts = [len(pure)]
    if len(players) == 2:
        mixed, listed = profiles(gbt.nash.enummixed_solve(gg, rational=True))
        with open(os.path.join(HERE, g["name"] + ".mixed.txt"), "w") as f:
            lines = header + ["# gambit.nash.enummixed_solve(rational=True)"] + note(mixed, listed)
            f.write("\n".join(lines) + "\n")
            for p in mixed:
                f.write(row_text(p) + "\n")
        counts.append(len(mixed))
    return counts


def bimatrix(a, b):
    """Flat Gambit-order payoffs from row-player matrix a and column-player matrix b."""
    m, n = len(a), len(a[0])
    flat = []
    for j in range(n):
        for i in range(m):
            flat += [a[i][j], b[i][j]]
    return flat


# ---------------------------------------------------------------- the games
TWO = ["Player 1", "Player 2"]

game("pd", "Prisoner's dilemma", TWO, [2, 2], "9 9 10 0 0 10 1 1".split(),
     fmt="outcome", names=[["C", "D"], ["C", "D"]],
     source="standard; payoffs as in Gambit's contrib/games/pd.nfg")
game("bos", "Battle of the Sexes (Nau, Gomez Canovas, Hansen 2004, section 3)", TWO, [2, 2],
     "3 2 0 0 0 0 2 3".split(), fmt="outcome",
     names=[["Top", "Bottom"], ["Left", "Right"]],
     comment="Two pure equilibria (TL, BR) and one completely mixed.",
     source="Nau, Gomez Canovas, Hansen, IJGT 32 (2004), sec. 3")
game("shapley1974_fig2", "Shapley (1974), A note on the Lemke-Howson algorithm, fig. 2", TWO,
     [3, 3], "2 3 0 0 3 0 2 0 3 3 0 0 0 2 0 2 1 1".split(), fmt="outcome",
     source="Shapley, Math. Programming Study 1 (1974)")
game("shapley1974_fig3", "Shapley (1974), A note on the Lemke-Howson algorithm, fig. 3", TWO,
     [3, 3], "0 0 2 3 3 0 0 2 2 0 3 3 1 1 0 2 0 2".split(), fmt="outcome",
     source="Shapley, Math. Programming Study 1 (1974)")
game("vonstengel1999_6x6", "von Stengel's 6x6 bimatrix game with 75 equilibria", TWO, [6, 6],
     """9504 72336 -111771 -461736 397584 1227336 171204 -1718376 1303104 1303104 737154
     -453420 -660 48081 31680 -300036 -113850 774576 -45936 -1039236 -453420 737154 -227040
     -227040 19976 29216 -130944 -178761 451176 451176 208626 -586476 1227336 397584 774576
     -113850 -20526 14124 168124 -84436 -586476 208626 -263076 -263076 -1718376 171204
     -1039236 -45936 1776 1776 -8514 -8976 29216 19976 14124 -20526 72336 9504 48081 -660
     -8976 -8514 52764 52764 -178761 -130944 -84436 168124 -461736 -111771 -300036
     31680""".split(),
     comment="von Stengel, New maximal numbers of equilibria in bimatrix games, "
             "Discrete Comput. Geom. 21 (1999): 75 equilibria.",
     source="von Stengel, DCG 21 (1999) 557-568")
game("deg1", "Degenerate 3x3 game 1", TWO, [3, 3],
     "1 1 2 3 3 2 3 2 2 2 1 2 2 3 2 1 2 2".split(), fmt="outcome",
     source="Gambit contrib/games/deg1.nfg")
game("deg2", "Degenerate 3x3 game 2", TWO, [3, 3],
     "1 2 2 1 3 3 3 2 2 2 1 2 2 2 2 3 2 1".split(), fmt="outcome",
     source="Gambit contrib/games/deg2.nfg")
game("yamamoto", "Example game from Yamamoto (IJGT, 1993)", TWO, [3, 3],
     "1 1 0 0 -9 -9 0 0 0 0 -7 -6 -9 -9 -7 -7 -7 -7".split(),
     source="Yamamoto, IJGT 22 (1993)")
game("kreps_wilson_e04", "Kreps-Wilson (Econometrica, 85), figures 1, 4, 9, 14, normal form",
     TWO, [3, 2],
     "0.000000 0.000000 -1.000000 2.000000 -2.000000 -2.000000 0.000000 0.000000 "
     "-1.000000 0.000000 3.000000 -1.000000".split(),
     source="Kreps, Wilson, Econometrica 50 (1982); Gambit contrib/games/e04.nfg")
game("todd1", "Todd's (incorrect) example of inaccessible equilibria", TWO, [5, 3],
     "8 4 6 0 12 0 0 0 0 0 -4 0 3 0 0 4 0 4 4 1 8 0 6 4 0 0 12 0 0 0".split(),
     fmt="outcome", source="Gambit contrib/games/todd1.nfg")
game("oneill", "O'Neill's (1987, PNAS) game", TWO, [4, 4],
     "1 -1 -1 1 -1 1 -1 1 -1 1 -1 1 1 -1 1 -1 -1 1 1 -1 -1 1 1 -1 -1 1 1 -1 1 -1 -1 1".split(),
     fmt="outcome", source="O'Neill, PNAS 84 (1987)")
game("mixdom", "Two person 4x4 game needing mixed domination", TWO, [4, 4],
     "6 -6 7 -7 5 -5 1 -1 2 -2 1 -1 4 -4 3 -3 1 -1 2 -2 6 -6 7 -7 4 -4 5 -5 7 -7 2 -2".split(),
     source="Gambit contrib/games/mixdom.nfg")
game("all_zero_2x2", "2x2 bimatrix game with all zero payoffs", ["Joe", "Dan"], [2, 2],
     ["0"] * 8, fmt="outcome", names=[["cooperate", "defect"], ["defect", "defect"]],
     source="degenerate: every profile is an equilibrium")
game("exact_payoffs", "Payoffs written as decimals, fractions and exponents", TWO, [3, 2],
     "1/3 0.25 2.5e-1 -1/3 -1E2 1.5 0.1 1/10 1e1 10 3/9 .5".split(),
     source="parser check: 0.1 must equal 1/10 exactly")
# A degenerate game with a continuum of equilibria (player 2 indifferent).
game("continuum_2x3", "Degenerate 2x3 game with a line of equilibria", TWO, [2, 3],
     bimatrix([[3, 3, 0], [0, 0, 2]], [[1, 1, 0], [1, 1, 2]]),
     source="hand-made: columns 1 and 2 are duplicates for player 2")
# Three and four players (pure equilibria only).
game("mckelvey_mclennan_2x2x2",
     "2x2x2 example from McKelvey-McLennan, with 9 Nash equilibria, 2 totally mixed",
     ["Player 1", "Player 2", "Player 3"], [2, 2, 2],
     "9 8 12 0 0 0 0 0 0 9 8 2 0 0 0 3 4 6 3 4 6 0 0 0".split(), fmt="outcome",
     source="McKelvey, McLennan, J. Econ. Theory 72 (1997)")
coord = []
for k in range(27):
    s = (k % 3, (k // 3) % 3, k // 9)
    v = "1" if s[0] == s[1] == s[2] else "0"
    coord += [v, v, v]
game("coord333", "Three player 3x3x3 coordination game",
     ["Player 1", "Player 2", "Player 3"], [3, 3, 3], coord, fmt="outcome",
     source="Gambit contrib/games/coord333.nfg")
rng3 = random.Random(20261123)
game("random_5x4x3", "Random three player 5x4x3 game (seed 20261123)",
     ["Player 1", "Player 2", "Player 3"], [5, 4, 3],
     [f"{rng3.randint(0, 9)}" for _ in range(5 * 4 * 3 * 3)],
     source="generated; small integer payoffs so that ties occur")
rng4 = random.Random(4)
game("random_2x2x2x2", "Random four player 2x2x2x2 game (seed 4)",
     ["A", "B", "C", "D"], [2, 2, 2, 2],
     [f"{rng4.randint(0, 2)}" for _ in range(16 * 4)], source="generated")
# Two-player random games for the mixed oracle.
rng = random.Random(10)
game("random_10x10", "Random 10x10 bimatrix game (seed 10)", TWO, [10, 10],
     [str(rng.randint(0, 99)) for _ in range(200)], source="generated")
rngd = random.Random(6)
game("random_6x6_degenerate", "Random 6x6 bimatrix game with payoffs in {0,1,2} (seed 6)",
     TWO, [6, 6], [str(rngd.randint(0, 2)) for _ in range(72)],
     source="generated; many ties, so the polytopes are degenerate")
rngt = random.Random(5017)
game("random_10x10_degenerate", "Random 10x10 bimatrix game with payoffs in -1..1 (seed 5017)",
     TWO, [10, 10], [str(rngt.randint(-1, 1)) for _ in range(200)],
     source="generated; highly degenerate")
rngc = random.Random(7)
game("random_8x8_ties", "Random 8x8 bimatrix game with payoffs in 0..4 (seed 7)",
     TWO, [8, 8], [str(rngc.randint(0, 4)) for _ in range(128)], source="generated")


def main():
    only = set(sys.argv[1:])
    with open(os.path.join(HERE, "GAMES.txt"), "w") as index:
        index.write("# name | strategies per player | #pure | #extreme (distinct) | source\n")
        for g in GAMES:
            if only and g["name"] not in only:
                continue
            path = os.path.join(HERE, g["name"] + ".nfg")
            with open(path, "w") as f:
                f.write(render(g))
            counts = solve(g, path)
            shape = "x".join(str(k) for k in g["shape"])
            mixed = str(counts[1]) if len(counts) > 1 else "-"
            index.write(f"{g['name']} | {shape} | {counts[0]} | {mixed} | {g['source']}\n")
            print(g["name"], shape, counts)


if __name__ == "__main__":
    main()
