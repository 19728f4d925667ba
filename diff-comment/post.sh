#!/usr/bin/env bash
# Post `incplan diff --format markdown` on the pull request as ONE comment: the first run adds
# it, every later push edits it (found by the marker the diff starts with).
# Environment: GH_TOKEN, GITHUB_REPOSITORY, PR (the pull request number), INCPLAN_DIFF_PLAN
# (optional plan path), INCPLAN_FAIL_ON (never|risky), RUNNER_TEMP.
set -euo pipefail
marker='<!-- incplan-diff -->'
body="${RUNNER_TEMP:-/tmp}/incplan-diff.md"
args=(diff --format markdown)
if [ -n "${INCPLAN_DIFF_PLAN:-}" ]; then args+=(--plan "$INCPLAN_DIFF_PLAN"); fi
set +e
incplan "${args[@]}" > "$body"
code=$?
set -e
if [ "$code" -ne 0 ] && [ ! -s "$body" ]; then
  exit "$code"  # a usage error: nothing to post, the error is in the log
fi
id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \
       --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@"$body" > /dev/null
  echo "updated comment $id"
else
  gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F body=@"$body" > /dev/null
  echo "added a comment"
fi
if [ "$code" -ne 0 ]; then exit "$code"; fi  # the head plan does not load
if [ "${INCPLAN_FAIL_ON:-never}" = "risky" ]; then
  incplan "${args[@]/markdown/text}" --fail-on risky > /dev/null
fi
