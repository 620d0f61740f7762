#!/usr/bin/env bash
# Prints the first Python interpreter on PATH that is 3.11 or newer (kucun's minimum).
for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
echo "kucun needs Python 3.11 or newer; none was found on PATH" >&2
exit 1
