#!/usr/bin/env bash
# Submits docs/slurm/sweep.sbatch as an array of N tasks (default 16) and a merge job
# that runs when all of them have succeeded. Usage: bash docs/slurm/submit.sh [N]
set -euo pipefail
n="${1:-16}"
mkdir -p results
array=$(sbatch --parsable --array="1-$n" docs/slurm/sweep.sbatch)
sbatch --dependency="afterok:${array%%;*}" --job-name=gov-merge --output=results/merge-%j.log \
    --wrap "gov merge results/regions.shard-*-of-$n.json --out results/regions && gov plot results/regions.json --metric open_source --out results/regions.svg"
echo "submitted array ${array} ($n shards) and its merge"
