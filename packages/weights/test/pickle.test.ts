import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PickleGlobal, PickleObject, parsePickle } from '../src/index.js';
import { fixturePath, weightsErrorOf } from './helpers.js';

/** Our parse result in the JSON form tools/reference/weights_fixtures.py wrote next to each pickle. */
function toJson(value: unknown): unknown {
  if (value instanceof Map) return { dict: [...value].map(([k, v]) => [toJson(k), toJson(v)]) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Set) return { set: [...value].map(toJson).sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)) };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
  if (typeof value === 'bigint') return { bigint: value.toString() };
  return value;
}

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('parsePickle on pickles written by Python 3.11', () => {
  const cases = JSON.parse(readFileSync(fixturePath('pickles.json'), 'utf8')) as { protocol: number; hex: string; json: unknown }[];

  it('covers protocols 2 to 5', () => {
    expect(new Set(cases.map((c) => c.protocol))).toEqual(new Set([2, 3, 4, 5]));
  });

  cases.forEach((c, i) => {
    it(`protocol ${c.protocol}, value ${i % 5}: same data as Python`, () => {
      const value = parsePickle(hex(c.hex));
      expect(toJson(value)).toEqual(c.json);
    });
  });

  it('keeps shared references shared (memo)', () => {
    const c = cases.find((x) => x.protocol === 4 && JSON.stringify(x.json).includes('"shared"'))!;
    const value = parsePickle(hex(c.hex)) as Map<unknown, unknown>;
    const shared = value.get('shared') as unknown[];
    expect(shared[0]).toBe(shared[1]);
  });
});

describe('parsePickle builds data only', () => {
  it('turns unknown globals and calls into inert placeholders', () => {
    // protocol 2: mymodule.Thing(1, 'a') with state {'x': 2}
    const bytes = ascii('\x80\x02cmymodule\nThing\nq\x00K\x01X\x01\x00\x00\x00a\x86R}X\x01\x00\x00\x00xK\x02sb.');
    const value = parsePickle(bytes);
    expect(value).toBeInstanceOf(PickleObject);
    const obj = value as PickleObject;
    expect(obj.callee).toBe('mymodule.Thing');
    expect(obj.args).toEqual([1, 'a']);
    expect(obj.state).toEqual(new Map([['x', 2]]));
  });

  it('keeps calls of call results inert too (getattr(cls, name)(x))', () => {
    const bytes = ascii('\x80\x02c__builtin__\ngetattr\ncmymodule\nKlass\nX\x04\x00\x00\x00make\x86RK\x07\x85R.');
    const value = parsePickle(bytes) as PickleObject;
    expect(value.callee).toBe('(result of __builtin__.getattr)');
    expect(value.args).toEqual([7]);
  });

  it('returns a bare global reference as a PickleGlobal', () => {
    const value = parsePickle(ascii('\x80\x02ctorch\nFloatStorage\n.'));
    expect(value).toEqual(new PickleGlobal('torch', 'FloatStorage'));
  });

  it.each([
    ['os.system', 'cos\nsystem\nX\x02\x00\x00\x00ls\x85R.'],
    ['posix.system', 'cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.'],
    ['builtins.eval', 'cbuiltins\neval\nX\x01\x00\x00\x001\x85R.'],
    ['__builtin__.__import__', 'c__builtin__\n__import__\nX\x02\x00\x00\x00os\x85R.'],
    ['subprocess.Popen', 'csubprocess\nPopen\n.'],
    ['torch.hub.load', 'ctorch.hub\nload\n.'],
  ])('refuses a pickle naming %s', async (_name, body) => {
    const e = await weightsErrorOf(() => parsePickle(ascii(`\x80\x02${body}`), { file: 'evil.pkl' }));
    expect(e.code).toBe('PICKLE_GLOBAL_FORBIDDEN');
    expect(e.message).toMatch(/^evil\.pkl: /);
  });

  it('refuses STACK_GLOBAL to os.system too (protocol 4)', async () => {
    const e = await weightsErrorOf(() => parsePickle(ascii('\x80\x04\x8c\x02os\x8c\x06system\x93.')));
    expect(e.code).toBe('PICKLE_GLOBAL_FORBIDDEN');
  });

  it.each([
    ['INST', '(ios\nsystem\nX\x02\x00\x00\x00ls.'],
    ['OBJ', '(cmymodule\nThing\no.'],
    ['EXT1', '\x82\x01.'],
    ['PERSID', 'P0\n.'],
    ['NEXT_BUFFER', '\x97.'],
    ['INT (protocol 0)', 'I1\n.'],
  ])('refuses opcode %s', async (_name, body) => {
    const e = await weightsErrorOf(() => parsePickle(ascii(`\x80\x02${body}`)));
    expect(e.code).toBe('PICKLE_OPCODE_DISALLOWED');
  });

  it('refuses protocols 0 and 1 and unknown opcodes', async () => {
    expect((await weightsErrorOf(() => parsePickle(ascii('(lp0\n.')))).code).toBe('PICKLE_PROTOCOL_UNSUPPORTED');
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x06N.')))).code).toBe('PICKLE_PROTOCOL_UNSUPPORTED');
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x02\xffN.')))).code).toBe('PICKLE_INVALID');
  });

  it('stops deep nesting at the depth limit, in bounded time', async () => {
    // 100,000 nested lists: ] ] ] ... then APPEND each into its parent
    const n = 100_000;
    const bytes = ascii(`\x80\x02${']'.repeat(n)}${'a'.repeat(n - 1)}.`);
    const t0 = performance.now();
    const e = await weightsErrorOf(() => parsePickle(bytes));
    expect(e.code).toBe('PICKLE_TOO_DEEP');
    expect(performance.now() - t0).toBeLessThan(2000);
    // and a MARK bomb
    const marks = await weightsErrorOf(() => parsePickle(ascii(`\x80\x02${'('.repeat(n)}.`)));
    expect(marks.code).toBe('PICKLE_TOO_DEEP');
    // a self-referencing list appended to itself until the depth limit trips
    const cycle = await weightsErrorOf(() => parsePickle(ascii(`\x80\x02]q\x00${'h\x00a'.repeat(1000)}.`)));
    expect(cycle.code).toBe('PICKLE_TOO_DEEP');
  });

  it('bounds the objects it creates and the lengths it trusts', async () => {
    const many = ascii(`\x80\x02${']0'.repeat(50)}N.`);
    expect((await weightsErrorOf(() => parsePickle(many, { limits: { maxObjects: 10 } }))).code).toBe('PICKLE_TOO_LARGE');
    // BINUNICODE claiming 4 GB
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x02X\xff\xff\xff\xffabc.')))).code).toBe('PICKLE_INVALID');
    // BINUNICODE8 claiming 2^60 bytes
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x10abc.')))).code).toBe('PICKLE_INVALID');
    // memo reference to nothing, stack underflow, no STOP
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x02h\x05.')))).code).toBe('PICKLE_INVALID');
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x02a.')))).code).toBe('PICKLE_INVALID');
    expect((await weightsErrorOf(() => parsePickle(ascii('\x80\x02N')))).code).toBe('PICKLE_INVALID');
    expect((await weightsErrorOf(() => parsePickle(new Uint8Array(2 ** 20), { limits: { maxBytes: 1000 } }))).code).toBe('PICKLE_TOO_LARGE');
  });
});
