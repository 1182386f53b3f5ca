# Sourced by ./run and ./test: make the virtual environment and install Kith into it,
# again only when pyproject.toml changed. $KITH_EXTRAS names the extras ("" or "test").
set -eu
extras=${KITH_EXTRAS:-}
VENV=${KITH_VENV:-.venv}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        # Debian ships venv and ensurepip apart from python3.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "Installing python3-venv (Debian keeps it apart from python3)..." >&2
            apt-get update -qq >/dev/null && apt-get install -y -qq python3-venv >/dev/null
            "$PYTHON" -m venv "$VENV"
        else
            echo "kith: '$PYTHON -m venv' failed; install it first: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
fi

spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp="$VENV/.kith-installed"
want="$(cat pyproject.toml | cksum) $spec"
if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
    echo "Installing Kith and its dependencies into $VENV..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    # Keep every installed spec, so ./run after ./test does not reinstall.
    { [ -f "$stamp" ] && cat "$stamp"; echo "$want"; } | sort -u > "$stamp.new" && mv "$stamp.new" "$stamp"
fi
