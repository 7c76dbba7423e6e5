# Shared by scripts/run and scripts/test: create or refresh the project's virtual environment.
# Sourced, not executed. Leaves VENV set and the venv's bin first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CUTOVER_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

"$PYTHON" - <<'PY'
import sys
if not ((3, 11) <= sys.version_info[:2] <= (3, 13)):
    sys.exit(f"cutover needs Python 3.11-3.13 (found {sys.version.split()[0]}); set PYTHON=python3.11")
PY

stamp="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.cutover-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "==> preparing virtual environment in $VENV" >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
  echo "$stamp" > "$VENV/.cutover-stamp"
fi
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export PYTHONDONTWRITEBYTECODE=1
