#!/usr/bin/env bash
# Creates (or reuses) a cached Python venv holding the real WhisperLiveKit server for the interop tests, and prints
# the path of its `whisperlivekit-server` on the last line of stdout (progress goes to stderr), so a caller can do
#   TONNYTRAY_WLK_SERVER=$(scripts/wlk-venv.sh | tail -n1)
#
# Where:  $TONNYTRAY_WLK_VENV, else /var/cache/tonnytray/wlk-venv as root, else ~/.cache/tonnytray/wlk-venv.
#         (Not under $HOME/$XDG_CACHE_HOME for root: the test harness points those at a temp dir.)
# Python: $TONNYTRAY_WLK_PYTHON, else python3 (whisperlivekit 0.2.26 needs 3.11–3.13); python3-venv comes from apt
#         when the venv module is missing.
#
# What is installed, and why this way (measured on Debian 12, 2 cores):
#   `pip install whisperlivekit==0.2.26` pulls torch 2.15.0 with the whole CUDA stack (nvidia-*, cuda-toolkit,
#   triton): 6.2 GB, ~95 s cold. PyPI has no CPU-only torch for Linux x86_64 (2.0.1, 2.3.1, 2.5.1, 2.8.0 and 2.15.0
#   all link the CUDA libraries), and torch cannot even be imported without them
#   ("ValueError: libcublasLt.so.*[0-9] not found in the system path"). So everything is installed with --no-deps
#   from the exact list below: whisperlivekit and all its declared non-torch dependencies as pip resolves them,
#   torch + torchaudio, and only the nvidia wheels whose libraries torch's shared objects link to (DT_NEEDED).
#   Left out: triton, cuda-toolkit, cuda-bindings, cuda-pathfinder, nvidia-cusolver, -cuda-cccl, -nvtx.
#   Then cuDNN's sub-libraries are deleted: libcudnn.so.9 only dlopens them when it runs on a GPU.
#   Result: ~3.9 GB, ~1 min cold (download ~2.6 GB); a warm run only checks the stamp (<1 s).
#   The stamp file records this list, the prune rule and the interpreter, so any change rebuilds the venv.
set -euo pipefail

log() { echo "wlk-venv: $*" >&2; }
die() { echo "wlk-venv: error: $*" >&2; exit 1; }

# Exact pins. Bump together: regenerate with `pip install whisperlivekit==X` in a scratch venv and `pip freeze`,
# then drop the CUDA stack as described above (check `readelf -d torch/lib/*.so | grep NEEDED`).
PINS=(
  # the server and its declared non-torch dependencies (transitive, as resolved for CPython 3.11 on x86_64 Linux)
  whisperlivekit==0.2.26
  annotated-doc==0.0.7 annotated-types==0.8.0 anyio==4.16.0 audioread==3.1.0 av==18.1.0 certifi==2026.10.18
  cffi==2.1.1 charset-normalizer==3.5.2 click==8.5.1 cloudpickle==3.1.2 ctranslate2==4.8.5 decorator==5.3.1
  fastapi==0.165.0 faster-whisper==1.2.1 filelock==4.2.11 flatbuffers==25.12.19 fsspec==2026.9.0 h11==0.16.0
  hf-xet==1.8.0 httpcore2==2.16.2 httpx2==2.16.2 huggingface-hub==2.4.0 idna==3.20 jinja2==3.1.6 joblib==1.6.0
  lazy-loader==0.6 librosa==0.11.0 llvmlite==0.50.0 markupsafe==3.0.4 mpmath==1.3.0 msgpack==1.2.4
  narwhals==2.29.0 networkx==3.6.1 numba==0.68.1 numpy==2.4.6 onnxruntime==1.31.1 opentelemetry-api==1.45.2
  packaging==26.3 platformdirs==4.14.7 pooch==1.9.0 protobuf==7.36.2 pycparser==3.12 pydantic==2.14.3
  pydantic-core==2.50.4 python-multipart==0.0.34 pyyaml==6.0.3 regex==2026.11.15 requests==2.34.2
  scikit-learn==1.9.1 scipy==1.17.1 setuptools==84.2.1 soundfile==0.14.0 soxr==1.1.0 starlette==1.10.0
  sympy==1.14.0 threadpoolctl==3.8.0 tiktoken==0.14.0 tokenizers==0.23.3 tqdm==4.70.1 truststore==0.10.5
  typing-inspection==0.4.5 typing-extensions==4.16.0 urllib3==2.8.0 uvicorn==0.54.0 websockets==17.4
  # torch, and the CUDA libraries its .so files link to (needed to import it, even on a CPU-only machine)
  torch==2.15.0 torchaudio==2.11.0
  nvidia-cublas==13.4.1.3 nvidia-cuda-cupti==13.2.86 nvidia-cuda-nvrtc==13.2.86 nvidia-cuda-runtime==13.2.86
  nvidia-cudnn-cu13==9.26.0.51 nvidia-cufft==12.2.0.57 nvidia-cufile==1.17.1.22 nvidia-cusparse==12.7.10.12
  nvidia-cusparselt-cu13==0.8.1 nvidia-nccl-cu13==2.30.7 nvidia-nvjitlink==13.5.37 nvidia-nvshmem-cu13==3.7.2
)
# Files deleted after install (relative to site-packages). Part of the stamp.
PRUNE='nvidia/cudnn/lib/libcudnn_*.so.9'
FORMAT=1 # bump when the build steps change

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "${TONNYTRAY_WLK_VENV:-}" ]; then venv=$TONNYTRAY_WLK_VENV
elif [ "$(id -u)" -eq 0 ]; then venv=/var/cache/tonnytray/wlk-venv
else venv=${HOME:?HOME is not set}/.cache/tonnytray/wlk-venv
fi
case $venv in /*) ;; *) venv=$PWD/$venv ;; esac
server=$venv/bin/whisperlivekit-server
stamp=$venv/.tonnytray-stamp

apt_install() {
  log "installing Debian packages: $*"
  # The lists lock is not covered by DPkg::Lock::Timeout: retry update while another apt holds it.
  local i
  for i in 1 2 3 4 5 6; do $SUDO apt-get update -q >&2 && break; log "apt-get update failed or busy, retry $i/6"; sleep 10; done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "$@" >&2 || die "apt-get install $* failed"
}

py_ok() { # py_ok PYTHON: a CPython 3.11–3.13
  "$1" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null
}

# --- choose the interpreter ---
py=${TONNYTRAY_WLK_PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  [ -n "${TONNYTRAY_WLK_PYTHON:-}" ] && die "TONNYTRAY_WLK_PYTHON=$py not found"
  apt_install python3 python3-venv
fi
py_ok "$py" || die "$py is $("$py" --version 2>&1); whisperlivekit 0.2.26 needs Python 3.11–3.13 (set TONNYTRAY_WLK_PYTHON)"
# The real interpreter behind a shim (pyenv), which is what the venv links to.
pyexe=$("$py" -c 'import os, sys; print(os.path.realpath(sys.executable))')
pyver=$("$pyexe" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')

want=$(printf '%s\n' "format=$FORMAT" "python=$pyexe $pyver" "prune=$PRUNE" "${PINS[@]}")

venv_ok() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$server" ] && [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c 'import importlib.util as u, sys
sys.exit(0 if all(u.find_spec(m) for m in ("whisperlivekit", "torch", "fastapi", "uvicorn", "onnxruntime", "numpy")) else 1)' 2>/dev/null
}

# One build at a time per venv (parallel CI jobs on one machine).
mkdir -p "$(dirname "$venv")" || die "cannot create $(dirname "$venv")"
exec 9>"$venv.lock"
if ! flock -w 1800 9; then die "another wlk-venv.sh has held $venv.lock for 30 minutes"; fi

if venv_ok; then
  log "reusing $venv (whisperlivekit 0.2.26, torch 2.15.0, Python $pyver)"
  echo "$server"
  exit 0
fi

start=$(date +%s)
if [ -e "$venv" ]; then
  if [ -f "$stamp" ]; then log "pins or interpreter changed: rebuilding $venv"; else log "incomplete venv at $venv: rebuilding"; fi
  rm -rf "$venv"
fi

# Peak use is the downloaded wheels (~2.6 GB, in TMPDIR) plus the venv (~4.7 GB before pruning).
need_kb=$((9 * 1024 * 1024))
for d in "$(dirname "$venv")" "${TMPDIR:-/tmp}"; do
  free_kb=$(df -Pk "$d" | awk 'NR==2 {print $4}')
  [ "$free_kb" -ge "$need_kb" ] || die "only $((free_kb / 1024)) MB free on $d; the install needs about 9 GB"
done

if ! "$pyexe" -m venv --help >/dev/null 2>&1 || ! "$pyexe" -c 'import ensurepip' 2>/dev/null; then
  if [ "$pyexe" = "$(readlink -f /usr/bin/python3 2>/dev/null)" ]; then
    apt_install python3-venv
  else
    die "$pyexe has no working venv/ensurepip module (install it, or set TONNYTRAY_WLK_PYTHON=/usr/bin/python3)"
  fi
fi
log "creating $venv with Python $pyver ($pyexe)"
"$pyexe" -m venv "$venv" >&2 || die "python -m venv $venv failed"

# --no-deps: the list above is complete and exact, so nothing is resolved and no CUDA stack comes along.
# --no-compile: bytecode for the modules the server really imports is written by the check below (saves ~15 s).
# --no-cache-dir: the harness's HOME is a temp dir, so a pip cache would be thrown away anyway.
log "installing ${#PINS[@]} pinned packages (about 2.6 GB to download)"
ok=""
for attempt in 1 2 3; do
  if "$venv/bin/pip" install --no-deps --no-compile --no-cache-dir --only-binary=:all: \
      --disable-pip-version-check --progress-bar off -q "${PINS[@]}" >&2; then
    ok=1; break
  fi
  if [ "$attempt" -lt 3 ]; then
    log "pip install failed (attempt $attempt/3); retrying in $((attempt * 15)) s"
    sleep $((attempt * 15))
  fi
done
[ -n "$ok" ] || die "pip install failed 3 times (see pip's messages above); $venv is left without a stamp and will be rebuilt"

site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# shellcheck disable=SC2086 # PRUNE is a glob
( cd "$site" && rm -f $PRUNE )

# Check that torch loads and the server module imports (it parses sys.argv at import: give it none), and write
# the bytecode of everything it imports, so that each server start skips compiling torch.
log "checking the install (import torch, whisperlivekit.basic_server)"
if ! (cd / && env -u PYTHONDONTWRITEBYTECODE "$venv/bin/python" - >&2 <<'PY'
import sys
sys.argv = ["whisperlivekit-server"]
import numpy, torch
assert (torch.from_numpy(numpy.zeros(4, dtype=numpy.float32)) + 1).sum().item() == 4.0
import whisperlivekit.basic_server  # noqa: F401
print(f"wlk-venv: torch {torch.__version__} (CUDA available: {torch.cuda.is_available()}), whisperlivekit imports")
PY
); then
  die "the installed server does not import (see the traceback above); $venv is left without a stamp"
fi
[ -x "$server" ] || die "$server is missing after the install"

printf '%s\n' "$want" >"$stamp"
log "ready in $(( $(date +%s) - start )) s: $venv ($(du -sh "$venv" | cut -f1))"
echo "$server"
