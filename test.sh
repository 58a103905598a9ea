#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first, when it is missing:
# Debian's chromium (the browser the end-to-end tests drive) and the npm packages in tests/js
# (the official Adaptive Cards renderer and templating library, used as oracles, and playwright-core).
set -euo pipefail
cd "$(dirname "$0")"

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || apt_packages+=(fonts-noto-color-emoji)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "Installing ${apt_packages[*]} (Debian packages)..."
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

if [ ! -f tests/js/node_modules/.package-lock.json ] || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
  echo "Installing npm packages for the tests (tests/js)..."
  (cd tests/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

results="$(pwd)/artifacts/test-results"
rm -rf "$results"
status=0
dotnet test StretchBot.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line over every test project, and no skipped test goes unnoticed.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "Screenshots: artifacts/screenshots"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$skipped" -gt 0 ]; then
  echo "Some tests were skipped: every test must run." >&2
  status=1
fi
exit "$status"
