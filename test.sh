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

log="$(pwd)/artifacts/test-output.log"
mkdir -p artifacts
status=0
dotnet test StretchBot.sln -c Release "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test project ("Passed!  - Failed: 0, Passed: 33, Skipped: 0, ..." per project),
# and no skipped test goes unnoticed.
passed=0 failed=0 skipped=0
while read -r f p s; do
  failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\), Skipped: *\([0-9]*\).*/\1 \2 \3/p' "$log")
echo "Screenshots: artifacts/screenshots"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test failed before every test could run (build error?): see above." >&2
  failed=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$skipped" -gt 0 ]; then
  echo "Some tests were skipped: every test must run." >&2
  status=1
fi
exit "$status"
