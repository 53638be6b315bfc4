#!/usr/bin/env bash
# Writes the speech recordings under fixtures/audio/ used by tests, examples and the main job.
# Needs Debian's espeak-ng and sox. The output is checked in; CI never runs this.
#   speech-a1/a2: one voice, two sentences; speech-b1: another voice. 16 kHz mono int16.
set -euo pipefail
out="$(cd "$(dirname "$0")/../.." && pwd)/fixtures/audio"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

say() { # voice, pitch, speed, text, name
  espeak-ng -v "$1" -p "$2" -s "$3" -w "$tmp/$5.raw.wav" "$4"
  sox "$tmp/$5.raw.wav" -r 16000 -c 1 -b 16 -e signed-integer "$out/$5.wav"
}
say en-us 40 150 "The quick brown fox jumps over the lazy dog near the river bank." speech-a1
say en-us 40 150 "Speaker verification compares two voices and decides if they match." speech-a2
say en-gb+f3 70 140 "A different voice reads this sentence about the weather tomorrow." speech-b1
soxi "$out"/*.wav | grep -E 'Input File|Duration|Sample Rate'
