#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtualenv (no editable install, no source tree on
# sys.path) and run every command a user runs from it, plus the app's health check.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
app_pid=""
trap '[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; rm -rf "$work"' EXIT

quiet() { "$@" > "$work/pip.log" 2>&1 || { cat "$work/pip.log"; echo "FAIL: $*"; exit 1; }; }
quiet "$python" -m pip wheel --no-deps -w "$work/dist" "$root"
wheel=$(ls "$work"/dist/movierec-*.whl)
tops=$("$python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
print(" ".join(sorted({n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")})))
PY
)
echo "wheel $(basename "$wheel"): top-level names: $tops"
[ "$tops" = "movierec" ] || { echo "FAIL: the wheel installs more than movierec: $tops"; exit 1; }

"$python" -m venv "$work/venv"
bin="$work/venv/bin"
quiet "$bin/python" -m pip install --upgrade pip
quiet "$bin/python" -m pip install torch==2.13.0 "$wheel"

cd "$work"  # not the source tree: only the installed package can be imported
export MOVIEREC_HOME="$work/home"
cp "$root/tests/fixtures/movies.csv" "$work/movies.csv"
"$bin/python" - <<'PY'
import movierec, movierec.index, movierec.embed, movierec.app, movierec.store, movierec.cli
assert "site-packages" in movierec.__file__, movierec.__file__
assert "site-packages" in movierec.index.__file__, movierec.index.__file__
from movierec.catalog import DEFAULT_CATALOG, load_catalog
print(f"installed from {movierec.__file__}; packaged catalog: {len(load_catalog(DEFAULT_CATALOG))} films")
PY
run() { echo "\$ movierec $*"; "$bin/movierec" "$@"; }
run build --catalog movies.csv
run info --catalog movies.csv
# the ONNX int8 encoder: exported once from the packaged weights (offline), then cached
run build --catalog movies.csv --backend onnx-int8 --index int8-index
run search "heist with a twist" --catalog movies.csv --index int8-index --k 3
run search "heist with a twist" --catalog movies.csv --k 3
run similar "The Dark Knight" --catalog movies.csv --k 3
run recommend --like "Toy Story" "Finding Nemo" --dislike "The Notebook" --catalog movies.csv --k 3
printf '%s\n' '{"mode": "search", "text": "space adventure", "k": 2}' \
  '{"mode": "similar", "title": "Alien", "k": 2}' > requests.jsonl
echo "\$ movierec batch --catalog movies.csv < requests.jsonl"
"$bin/movierec" batch --catalog movies.csv < requests.jsonl

port=$("$bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
MOVIEREC_CATALOG="$work/movies.csv" "$bin/movierec" app --port "$port" > "$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 60); do
  if "$bin/python" -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2).read().strip() == b'ok' else 1)" 2>/dev/null; then
    echo "app health check: ok (port $port)"; exit 0
  fi
  sleep 1
done
echo "FAIL: the app did not answer its health check"; cat "$work/app.log"; exit 1
