#!/usr/bin/env node
// An app built on @wsp/speaker alone: enrol two speakers from recordings, find out who speaks in a
// third one, and verify a pair.
//
//   node index.mjs                  # the bundled recordings, on a generated demo model
//   node index.mjs --model DIR      # on real weights (config.json + model.safetensors), e.g. after `wsp download`
//   node index.mjs --json           # the results as one JSON object
/* global console, URL */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_MODEL_NOTICE, createRegistry, ensureDemoModel, loadSpeakerModel } from '@wsp/speaker';

const { values } = parseArgs({ options: { model: { type: 'string' }, json: { type: 'boolean' } } });
const recording = (name) => fileURLToPath(new URL(`../../fixtures/audio/${name}`, import.meta.url));
const enrolments = { 'speaker-a': [recording('speech-a1.wav')], 'speaker-b': [recording('speech-b1.wav')] };
const unknown = recording('speech-a2.wav');
// A cosine threshold must be calibrated on your own recordings; this one is only for the demo.
const threshold = 0.5;

const demo = values.model === undefined;
const model = await loadSpeakerModel(demo ? await ensureDemoModel() : values.model);
try {
  // One batch for every recording: equal lengths share network calls.
  const files = [...Object.values(enrolments).flat(), unknown];
  const embeddings = await model.embedBatch(files);
  const byFile = new Map(files.map((f, i) => [f, embeddings[i]]));

  const registry = createRegistry();
  for (const [name, list] of Object.entries(enrolments)) registry.enroll(name, list.map((f) => byFile.get(f)));

  const matches = registry.identify(byFile.get(unknown), { topK: 2 });
  const verification = await model.verify(byFile.get(enrolments['speaker-a'][0]), byFile.get(unknown), { threshold });

  const result = { backend: model.backendName, demo, speakers: registry.list(), identify: { file: unknown, matches }, verify: { threshold, ...verification } };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    if (demo) console.log(`${DEMO_MODEL_NOTICE}\n`);
    console.log(`running on backend '${result.backend}'`);
    for (const s of result.speakers) console.log(`enrolled ${s.name} (${s.count} recording${s.count === 1 ? '' : 's'})`);
    console.log(`who speaks in speech-a2.wav? ${matches.map((m) => `${m.name} (${m.score.toFixed(4)})`).join(', ')}`);
    console.log(`speech-a1.wav vs speech-a2.wav: cosine ${verification.score.toFixed(4)}, ${verification.accepted ? 'same speaker' : 'different speakers'} at threshold ${threshold}`);
  }
} finally {
  model.dispose();
}
