#!/usr/bin/env bash
# Writes the recordings the end-to-end embedding tests of @wsp/speaker read, under
# fixtures/speaker/embed/: the bundled speech (fixtures/audio, 16 kHz) re-sampled by sox to rates
# other than the model's, so the tests cover decoding + torchaudio-exact resampling + fbank + network:
#   speech-b1-8000.wav    speech-b1, first 2 s, 8 kHz 16-bit (telephone rate)
#   speech-a2-44100.wav   speech-a2, first 2 s, 44.1 kHz 16-bit
# Then run speaker_goldens.py for the expected embeddings. Needs sox. Output checked in; CI never runs this.
set -euo pipefail
export SOX_OPTS="-D -R" # no dither, repeatable: the same bytes on every run
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/fixtures/speaker/embed"
mkdir -p "$out"
sox "$root/fixtures/audio/speech-b1.wav" -r 8000 -b 16 -e signed-integer "$out/speech-b1-8000.wav" trim 0 2
sox "$root/fixtures/audio/speech-a2.wav" -r 44100 -b 16 -e signed-integer "$out/speech-a2-44100.wav" trim 0 2
soxi "$out"/*.wav | grep -E 'Input File|Duration|Sample Rate'
