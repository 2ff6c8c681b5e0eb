#!/usr/bin/env bash
# Builds the demo git repository from demo/ into a scratch folder (default .cache/demo-workspace) and prints its
# path: a real repository with commits and GTO tags, so diagnostics, completion and hover have git facts to show.
# It annotates both ways: GTO's legacy artifacts.yaml and the `artifacts:` section of a DVC pipeline's dvc.yaml.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DEST="${1:-$REPO/.cache/demo-workspace}"
rm -rf "$DEST"
mkdir -p "$DEST"
cp -R "$REPO/demo/." "$DEST/"
cd "$DEST"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Demo User" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo User" GIT_COMMITTER_EMAIL="demo@example.com"
git init -q -b main .
git config user.name "Demo User"
git config user.email "demo@example.com"
git add .
GIT_COMMITTER_DATE="2026-01-05T10:00:00Z" git commit -q -m "Demo models and data" --date "2026-01-05T10:00:00Z"
GIT_COMMITTER_DATE="2026-01-06T10:00:00Z" git tag -a "churn@v0.1.0" -m "Registering artifact churn version v0.1.0"
GIT_COMMITTER_DATE="2026-01-07T10:00:00Z" git tag -a "churn#staging#1" -m "Assigning stage staging to artifact churn version v0.1.0"
GIT_COMMITTER_DATE="2026-01-08T10:00:00Z" git tag -a "churn#prod#2" -m "Assigning stage prod to artifact churn version v0.1.0"
GIT_COMMITTER_DATE="2026-01-09T10:00:00Z" git tag -a "segments@v0.0.1" -m "Registering artifact segments version v0.0.1"
GIT_COMMITTER_DATE="2026-01-10T10:00:00Z" git tag -a "recommender@v1.0.0" -m "Registering artifact recommender version v1.0.0"
# The outputs of dvc.yaml's stages, as `dvc repro` would leave them: in the work tree, ignored by git
# (data/.gitignore, models/.gitignore), so dvc.yaml's artifact paths exist without being committed.
printf 'customer_id,orders,last_order_days\n1,12,3\n2,1,240\n' > data/features.csv
printf 'not really a torch model (output of the train stage)\n' > models/recommender.pt
# An uncommitted change, so a commit of artifacts.yaml visibly leaves other work alone.
printf '\n# TODO: tune the learning rate\n' >> src/train.py
echo "$DEST"
