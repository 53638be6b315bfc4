#!/usr/bin/env bash
# Writes the audio files @wsp/speaker's decoder tests read, under fixtures/speaker/:
#   source/   speech from espeak-ng (16-bit PCM WAV) at 16, 22.05 and 48 kHz: the reference waveforms
#   wav/      the same speech re-encoded by sox as every WAV flavour the decoder claims (8-bit unsigned,
#             16/24/32-bit integer, float 32/64, WAVE_FORMAT_EXTENSIBLE, stereo and 6 channels, A-law/mu-law
#             as unsupported examples)
#   codecs/   FLAC (flac), MP3 (lame), Ogg Opus (opusenc), Ogg Vorbis (sox) of the same speech
# Then runs speaker_audio_goldens.py and resample_goldens.py (torchaudio) for the expected samples.
# Needs Debian's espeak-ng, sox, flac, lame, opus-tools (apt-get install -y espeak-ng sox flac lame opus-tools)
# and python3-torchaudio. The output is checked in; CI never runs this.
set -euo pipefail
export SOX_OPTS="-D -R" # no dither, repeatable random numbers: the same bytes on every run
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/fixtures/speaker"
rm -rf "$out/source" "$out/wav" "$out/codecs"
mkdir -p "$out/source" "$out/wav" "$out/codecs"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The reference speech: espeak-ng writes 22.05 kHz mono int16.
espeak-ng -v en-us -p 45 -s 160 -w "$tmp/speech.wav" "Hello there, this is a short speaker test."
sox "$tmp/speech.wav" -b 16 -e signed-integer "$out/source/speech-22050.wav"
sox "$tmp/speech.wav" -r 16000 -b 16 -e signed-integer "$out/source/speech-16000.wav"
sox "$tmp/speech.wav" -r 48000 -b 16 -e signed-integer "$out/source/speech-48000.wav"

# WAV flavours: a 0.5 s excerpt at 16 kHz keeps them small. A second channel gets a quieter,
# inverted copy so a wrong mix-down (first channel only, sum instead of mean) is visible.
src16="$out/source/speech-16000.wav"
sox "$src16" "$tmp/excerpt.wav" trim 0.3 0.5
sox "$tmp/excerpt.wav" "$tmp/quiet.wav" vol -0.5
sox -M "$tmp/excerpt.wav" "$tmp/quiet.wav" "$tmp/stereo.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 8 -e unsigned-integer "$out/wav/pcm-u8.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 16 -e signed-integer "$out/wav/pcm-s16.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 24 -e signed-integer "$out/wav/pcm-s24.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 32 -e signed-integer "$out/wav/pcm-s32.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 32 -e floating-point "$out/wav/float-f32.wav"
sox "$tmp/excerpt.wav" -t wavpcm -b 64 -e floating-point "$out/wav/float-f64.wav"
# sox's "wav" writer uses WAVE_FORMAT_EXTENSIBLE above 16 bits or 2 channels.
sox "$tmp/excerpt.wav" -t wav -b 24 -e signed-integer "$out/wav/extensible-s24.wav"
sox "$tmp/excerpt.wav" -t wav -b 32 -e floating-point "$out/wav/extensible-f32.wav"
sox "$tmp/stereo.wav" -t wavpcm -b 16 -e signed-integer "$out/wav/stereo-s16.wav"
sox -M "$tmp/excerpt.wav" "$tmp/quiet.wav" "$tmp/excerpt.wav" "$tmp/quiet.wav" "$tmp/excerpt.wav" "$tmp/quiet.wav" \
  -t wav -b 16 -e signed-integer "$out/wav/six-channel-extensible-s16.wav"
sox "$tmp/excerpt.wav" -r 8000 -t wavpcm -e mu-law "$out/wav/mulaw-8k.wav"
sox "$tmp/excerpt.wav" -r 8000 -t wavpcm -e a-law "$out/wav/alaw-8k.wav"

# Compressed formats, all from the 22.05 kHz source except Opus (48 kHz is its native rate).
flac --silent --best -o "$out/codecs/speech-22050.flac" "$out/source/speech-22050.wav"
lame --quiet -b 96 "$out/source/speech-22050.wav" "$out/codecs/speech-22050.mp3"
opusenc --quiet --serial 1 --bitrate 48 "$out/source/speech-48000.wav" "$out/codecs/speech-48000.opus"
sox "$out/source/speech-22050.wav" -C 5 "$out/codecs/speech-22050.ogg"
sox "$tmp/stereo.wav" -r 22050 "$tmp/stereo22.wav"
flac --silent -o "$out/codecs/stereo-22050.flac" "$tmp/stereo22.wav"
flac --silent -o "$out/codecs/excerpt-s24-16000.flac" "$out/wav/pcm-s24.wav"

/usr/bin/python3 "$root/tools/reference/speaker_audio_goldens.py"
/usr/bin/python3 "$root/tools/reference/resample_goldens.py"
soxi "$out"/source/*.wav "$out"/codecs/*.flac "$out"/codecs/*.ogg 2>/dev/null | grep -E 'Input File|Duration|Sample Rate|Channels' || true
