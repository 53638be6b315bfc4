#!/usr/bin/env bash
# Sets up a fresh checkout and runs the main job. Arguments go to the job; with none it uses the
# bundled recordings.
source "$(dirname "$0")/lib/env.sh"
install_and_build
cd "$WSP_ROOT"
if [ "$#" -eq 0 ]; then
  set -- fixtures/audio/speech-a1.wav
fi
node examples/fbank-alone/index.mjs "$@"
