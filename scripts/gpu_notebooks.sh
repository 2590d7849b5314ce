#!/usr/bin/env bash
# Execute notebooks at gpu scale on a GPU machine, part by part, in one go:
#
#   bash scripts/gpu_notebooks.sh [PART ...]        # default: every part, in catalogue order
#
# Made for a machine that is lent for minutes, has PyTorch but perhaps not Jupyter, and cannot
# reach the internet. Prepare here, on a machine with the repository's .venv:
#   make data         Fashion-MNIST, Shakespeare, FreeDict, the VADER review sentences into .data/
#                     (read there through DLH_DATA_DIR)
#   make gpu-wheels   Jupyter's packages as wheels into .wheels/ (installed there, offline)
# then carry .data/ and .wheels/ along with the working tree and run this script there.
# Every notebook of the parts named that was never run at gpu scale (or whose code changed)
# runs, four at a time; the executed notebooks and data/results.json are rewritten in place.
# The expected time of each notebook is printed before it starts. A failing notebook is reported, its file left
# as it was, and the others still run; the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
SCALE=${SCALE:-gpu}          # another scale only to try this script out on a small machine
CELL_TIMEOUT=${CELL_TIMEOUT:-240}
# Notebooks at once: the small models here leave one GPU mostly idle between kernel launches,
# so four kernels share it at little cost each; each gets a share of the CPU cores.
JOBS=${JOBS:-4}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}

if [ -d .wheels ] && ! "$PYTHON" -c "import nbclient, ipykernel" 2>/dev/null; then
  "$PYTHON" -m pip install --quiet --no-index --no-deps --no-compile --target /tmp/dlh-site .wheels/*.whl || exit 1
  export PYTHONPATH="/tmp/dlh-site${PYTHONPATH:+:$PYTHONPATH}" PATH="/tmp/dlh-site/bin:$PATH"
fi
"$PYTHON" -c "import nbclient, ipykernel, torch" || {
  echo "gpu_notebooks: $PYTHON lacks nbclient, ipykernel or torch: run \`make gpu-wheels\` and carry .wheels/" >&2
  exit 1; }
[ -d .data/fashion-mnist ] && export DLH_DATA_DIR="$PWD/.data"
export DLH_OFFLINE=1 PYTHONUNBUFFERED=1

if [ $# -eq 0 ]; then
  set -- $("$PYTHON" -c "import sys; sys.path.insert(0, '.'); from scripts import catalogue; print(' '.join(p.id for p in catalogue.load().parts))")
fi
"$PYTHON" -c "import torch; print('gpu_notebooks:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU visible: running on the CPU')"
status=0
for part in "$@"; do
  echo "== $part"
  "$PYTHON" scripts/execute_notebooks.py --changed --scale "$SCALE" --part "$part" --timeout "$CELL_TIMEOUT" --jobs "$JOBS" || status=1
done
exit $status
