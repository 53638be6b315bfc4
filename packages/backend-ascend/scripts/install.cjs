// Install step: use a prebuilt addon when one matches, else try to compile it. Never fails the
// install: without the addon the package still imports, and isAvailable() says what is missing.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch {
  bin = undefined;
}
const result = bin ? spawnSync(process.execPath, [bin], { stdio: 'inherit', cwd: path.join(__dirname, '..') }) : { status: 1 };
if (result.status !== 0) {
  console.warn(
    '@wsp/backend-ascend: no prebuilt addon for ' + process.platform + '-' + process.arch +
      ' and building it failed; the Ascend backend will report itself unavailable.',
  );
}
