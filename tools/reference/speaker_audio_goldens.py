"""Expected decodings of the audio files under fixtures/speaker/ (written by make_speaker_audio.sh).

torchaudio.load (the libsox backend of Debian's python3-torchaudio 0.13) is the independent decoder:
for each WAV flavour and the stereo and 24-bit FLAC files it writes the mono mix-down (mean over channels, float32 in
[-1, 1], torchaudio's normalisation) as golden/<name>.npy, and golden/audio-info.json records every
file's sample rate, channel count and frame count as torchaudio.info reports them.
MP3, Opus and Vorbis have no entry: libsox here has no MP3 reader, and lossy decoders differ in
their output, so the tests compare those against the source speech instead.

Run with /usr/bin/python3.
"""
import os

import numpy as np
import torchaudio

from wsp_reference import write_json

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "speaker")
GOLDEN = os.path.join(FIXTURES, "golden")


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    info = {}
    for sub in ("source", "wav", "codecs"):
        for name in sorted(os.listdir(os.path.join(FIXTURES, sub))):
            path = os.path.join(FIXTURES, sub, name)
            rel = f"{sub}/{name}"
            if name.endswith((".mp3", ".opus", ".ogg")):
                continue
            meta = torchaudio.info(path)
            info[rel] = {
                "sampleRate": meta.sample_rate,
                "channels": meta.num_channels,
                "frames": meta.num_frames,
                "bitsPerSample": meta.bits_per_sample,
                "encoding": meta.encoding,
            }
            if sub == "source" or name == "speech-22050.flac":
                continue  # the tests compare these with each other (FLAC must equal its WAV source)
            wave, rate = torchaudio.load(path, normalize=True)
            assert rate == meta.sample_rate
            mono = wave.mean(dim=0).numpy().astype(np.float32)
            stem = rel.replace("/", "-").rsplit(".", 1)[0]
            np.save(os.path.join(GOLDEN, f"{stem}.npy"), mono)
    write_json(os.path.join(GOLDEN, "audio-info.json"), info)
    print(f"wrote {len(info)} goldens to {os.path.relpath(GOLDEN)}")


if __name__ == "__main__":
    main()
