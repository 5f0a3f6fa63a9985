#!/usr/bin/env bash
# `npm run check:workflows`: every GitHub Actions workflow in .github/workflows/ (ci.yml, publish.yml)
# is checked against the workflow schema by @action-validator/cli (pinned in devDependencies; it
# works offline). The CLI takes one file per run. Exit 1 on the first invalid file.
N8N_LIB_TAG=workflows
. "$(dirname "$0")/preamble.sh"

shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  say "no workflow files in .github/workflows/"
  exit 1
fi
for file in "${files[@]}"; do
  if ! npx --no-install action-validator "$file"; then
    say "$file is not a valid GitHub Actions workflow (see above)"
    exit 1
  fi
done
say "valid: ${files[*]} ($(node -p 'require("@action-validator/cli/package.json").version'))"
