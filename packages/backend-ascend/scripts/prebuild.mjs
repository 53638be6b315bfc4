// Builds the prebuilt addons: linux-arm64 by cross-compiling (when Debian's aarch64-linux-gnu-g++
// is installed), then the host's own. The host build goes last so build/Release holds a binary this
// machine can load. Every output's ELF header is checked against the intended machine.
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, readdirSync, existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prebuildify = join(root, 'node_modules', '.bin', 'prebuildify');
const common = ['--napi', '--strip', '--cache=node_modules/.cache/prebuildify'];
const ELF_MACHINE = { x64: 62, arm64: 183 };

function run(args, env = {}) {
  const r = spawnSync(prebuildify, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`prebuildify ${args.join(' ')} failed (exit ${r.status})`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** e_machine of a 64-bit little-endian ELF file, or throws. */
function elfMachine(file) {
  const fd = openSync(file, 'r');
  const header = Buffer.alloc(20);
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
  if (header[4] !== 2 || header[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  return header.readUInt16LE(18);
}

function checkPrebuild(target) {
  const dir = join(root, 'prebuilds', `linux-${target}`);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.node')) : [];
  if (files.length === 0) throw new Error(`no prebuild was written to ${dir}`);
  for (const f of files) {
    const machine = elfMachine(join(dir, f));
    if (machine !== ELF_MACHINE[target]) {
      throw new Error(`${dir}/${f} is built for ELF machine ${machine}, expected ${ELF_MACHINE[target]} (${target})`);
    }
  }
  console.log(`prebuild linux-${target}: ${files.join(', ')} (ELF machine ${ELF_MACHINE[target]})`);
}

if (platform() !== 'linux') {
  console.log('prebuilds are made on Linux only; building the addon for this machine');
  run(common);
} else {
  if (arch() === 'x64') {
    if (has('aarch64-linux-gnu-g++')) {
      run([...common, '--arch=arm64', '--strip-bin=aarch64-linux-gnu-strip'], {
        CC: 'aarch64-linux-gnu-gcc',
        CXX: 'aarch64-linux-gnu-g++',
        LINK: 'aarch64-linux-gnu-g++',
        AR: 'aarch64-linux-gnu-ar',
      });
      checkPrebuild('arm64');
    } else {
      console.log('skipping the linux-arm64 prebuild: aarch64-linux-gnu-g++ is not installed');
    }
  }
  run(common);
  checkPrebuild(arch());
}
