# shellcheck shell=bash
# Sourced by tools/real_server_check.sh (dev only, not CI); can also be run on its own to set up the venv.
# Makes $LLAMA_VENV (default /work/venvs/llama) hold llama-cpp-python's OpenAI-compatible server and the `gguf`
# package (tools/make_tiny_gguf.py), and sets $LLAMA_PY. PyPI ships llama-cpp-python only as an sdist, so pip
# compiles llama.cpp: CPU only, no -march=native, no tests/tools/examples/server binaries/mtmd, 2 build jobs,
# under `nice` (about 10-15 min on 2 shared cores). The prebuilt-wheel index
# (https://abetlen.github.io/llama-cpp-python/whl/cpu) is tried first and used when reachable.
#
# Usage: source tools/llama_venv.sh   or   bash tools/llama_venv.sh
#   Env: LLAMA_VENV, LLAMA_CPP_VERSION (0.3.36), GGUF_VERSION (0.19.0), BUILD_JOBS (2).
LLAMA_VENV=${LLAMA_VENV:-/work/venvs/llama}
LLAMA_CPP_VERSION=${LLAMA_CPP_VERSION:-0.3.36}
GGUF_VERSION=${GGUF_VERSION:-0.19.0}
LLAMA_PY="$LLAMA_VENV/bin/python"
if ! "$LLAMA_PY" -c 'import llama_cpp, llama_cpp.server.app, gguf, numpy' >/dev/null 2>&1; then
    echo "setting up $LLAMA_VENV (llama-cpp-python $LLAMA_CPP_VERSION, gguf $GGUF_VERSION)" >&2
    llama_t0=$(date +%s)
    [[ -x "$LLAMA_PY" ]] || python3 -m venv "$LLAMA_VENV"
    "$LLAMA_VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >&2
    llama_index=https://abetlen.github.io/llama-cpp-python/whl/cpu
    llama_extra=()
    if curl -fsS -m 10 -o /dev/null "$llama_index/" 2>/dev/null; then
        echo "prebuilt CPU wheel index reachable: $llama_index" >&2
        llama_extra=(--extra-index-url "$llama_index" --prefer-binary)
    else
        echo "prebuilt CPU wheel index not reachable; compiling llama.cpp from the PyPI sdist" >&2
    fi
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_BLAS=OFF \
-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF \
-DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL=${BUILD_JOBS:-2} MAKEFLAGS=-j${BUILD_JOBS:-2} \
        nice -n 10 "$LLAMA_VENV/bin/pip" install --disable-pip-version-check --progress-bar off "${llama_extra[@]}" \
        "llama-cpp-python[server]==$LLAMA_CPP_VERSION" "gguf==$GGUF_VERSION" >&2
    "$LLAMA_PY" -c 'import llama_cpp, llama_cpp.server.app, gguf, numpy' ||
        { echo "llama-cpp-python install in $LLAMA_VENV failed" >&2; exit 2; }
    echo "set up $LLAMA_VENV in $(( $(date +%s) - llama_t0 )) s" >&2
fi
