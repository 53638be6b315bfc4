#!/usr/bin/env bash
# Sets up a fresh checkout and runs the main job: compare two recordings with the wsp CLI
# (`wsp compare`: same speaker or not).
#
#   ./scripts/run-main.sh                  the bundled fixtures/audio/speech-a1.wav and speech-b1.wav
#   ./scripts/run-main.sh a.wav b.wav      your recordings; further options go to `wsp compare`
#                                          (--model DIR, --threshold T, --json, --backend NAME, ...)
#   ./scripts/run-main.sh --demo           on a generated demo model (meaningless for speakers)
#
# The model is --model DIR, else $WSP_MODEL, else the folder `wsp download` fills. When there is none
# (the real weights cannot be downloaded offline or in CI), it says how to get them and runs on the
# demo model instead, labelled as such, so the command works on a fresh machine.
source "$(dirname "$0")/lib/env.sh"
install_and_build
cd "$WSP_ROOT"

wsp() { node apps/cli/dist/bin.js "$@"; }

demo=0
args=()
for a in "$@"; do
  if [ "$a" = "--demo" ]; then demo=1; else args+=("$a"); fi
done
if [ "${#args[@]}" -eq 0 ]; then
  args=(fixtures/audio/speech-a1.wav fixtures/audio/speech-b1.wav)
fi

has_model_option=0
for a in "${args[@]}"; do [ "$a" = "--model" ] && has_model_option=1; done

if [ "$demo" = 0 ] && [ "$has_model_option" = 0 ] && [ -z "${WSP_MODEL:-}" ]; then
  cache_dir="$(wsp doctor --json | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(r.model.present ? "" : r.model.cacheDir)')"
  if [ -n "$cache_dir" ]; then
    log "no model here: the real WeSpeaker ResNet34-LM weights are not on this machine. To get them:"
    log "  node apps/cli/dist/bin.js download      (fetches aufklarer/WeSpeaker-ResNet34-LM-MLX from the Hugging Face hub)"
    log "  or put config.json + model.safetensors from https://huggingface.co/aufklarer/WeSpeaker-ResNet34-LM-MLX"
    log "  into $cache_dir (or any folder, then pass --model DIR)"
    log "falling back to the DEMO model: generated weights, so the pipeline runs end to end,"
    log "but the score below says NOTHING about the speakers."
    demo=1
  fi
fi

if [ "$demo" = 1 ]; then
  log "comparing ${args[*]} on the demo model"
  wsp compare "${args[@]}" --demo
else
  log "comparing ${args[*]}"
  wsp compare "${args[@]}"
fi
