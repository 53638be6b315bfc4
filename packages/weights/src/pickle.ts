import { WeightsError } from './errors.js';
import { OP } from './pickle-opcodes.js';

/**
 * A pickle reader (protocols 2-5) that only builds data. It never imports or calls anything: a
 * reference to a Python global becomes a `PickleGlobal` value, and "calling" one (REDUCE, NEWOBJ)
 * builds either plain data for the few constructors we understand (OrderedDict, set, bytes ...),
 * whatever the caller's `construct` hook returns (the torch tensor rebuilders), or an inert
 * `PickleObject` that records the callee name and its arguments.
 *
 * Python values map to: None -> null, bool -> boolean, int -> number (bigint beyond 2^53),
 * float -> number, str -> string, bytes/bytearray -> Uint8Array, list -> array, tuple -> frozen
 * array, dict/OrderedDict -> Map, set/frozenset -> Set.
 */

/** A reference to a Python global (`module.name`), never resolved. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get path(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The inert result of calling a global we do not model: the callee, its arguments, its state. */
export class PickleObject {
  state: unknown = undefined;
  readonly listItems: unknown[] = [];
  readonly dictItems = new Map<unknown, unknown>();

  constructor(
    readonly callee: string,
    readonly args: readonly unknown[],
  ) {}
}

export interface PickleLimits {
  /** Largest pickle accepted, in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Deepest container nesting, and most open MARKs (default 200). */
  maxDepth?: number;
  /** Most containers, strings, placeholders (default 2,000,000). */
  maxObjects?: number;
  /** Most values pushed or memoised overall (default 10,000,000). */
  maxValues?: number;
}

export interface PickleOptions {
  /** Names the source in errors. */
  file?: string;
  /** Resolves a persistent id (BINPERSID); without it a persistent id is an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /**
   * Builds the value for a call of `global` (REDUCE/NEWOBJ) from plain data; returns `undefined`
   * to fall back to the built-in constructors and then to a `PickleObject`.
   */
  construct?: (global: PickleGlobal, args: readonly unknown[]) => unknown;
  limits?: PickleLimits;
}

const DEFAULT_LIMITS: Required<PickleLimits> = { maxBytes: 64 * 2 ** 20, maxDepth: 200, maxObjects: 2_000_000, maxValues: 10_000_000 };

/**
 * Globals no weights file has a reason to name: seeing one means the file was built to run code
 * when unpickled by Python. We execute nothing either way, but refuse the file outright.
 */
const FORBIDDEN_MODULES = new Set([
  'os', 'posix', 'nt', 'subprocess', 'sys', 'shutil', 'socket', 'importlib', 'runpy', 'pickle', '_pickle',
  'marshal', 'ctypes', 'types', 'code', 'codeop', 'pty', 'webbrowser', 'multiprocessing', 'threading',
  'signal', 'io', 'pathlib', 'tempfile', 'operator', 'pdb', 'timeit', 'asyncio', 'http', 'urllib', 'requests',
  'commands', 'popen2', 'setuptools', 'distutils', 'pip',
]);
/** Library entry points that load or compile code. */
const FORBIDDEN_PREFIXES = ['torch.hub', 'torch.load', 'torch.jit', 'torch.package', 'torch.utils.cpp_extension', 'numpy.testing', 'numpy.f2py'];
// getattr: Python 3.11+ pickles enum members as getattr(EnumClass, 'NAME'), e.g. pyannote's Problem.
const SAFE_BUILTINS = new Set(['getattr', 'set', 'frozenset', 'bytearray', 'bytes', 'list', 'dict', 'tuple', 'str', 'int', 'float', 'complex', 'bool', 'slice', 'range', 'object']);

function isForbidden(module: string, name: string): boolean {
  const root = module.split('.')[0];
  if (FORBIDDEN_MODULES.has(root)) return true;
  if (root === 'builtins' || root === '__builtin__') return !SAFE_BUILTINS.has(name);
  const path = `${module}.${name}`;
  if (FORBIDDEN_PREFIXES.some((p) => path === p || path.startsWith(`${p}.`))) return true;
  // Dunder attributes (__import__, __getattribute__, ...) are how code-running pickles reach eval.
  return name.startsWith('__') && name !== '__newobj__' && name !== '__newobj_ex__';
}

/** Opcodes of protocols 0/1 and features (extension registry, out-of-band buffers) we refuse. */
const DISALLOWED: Record<number, string> = {
  [OP.FLOAT]: 'FLOAT (protocol 0)',
  [OP.INT]: 'INT (protocol 0)',
  [OP.LONG]: 'LONG (protocol 0)',
  [OP.PERSID]: 'PERSID (protocol 0)',
  [OP.STRING]: 'STRING (protocol 0)',
  [OP.BINSTRING]: 'BINSTRING (protocol 1)',
  [OP.SHORT_BINSTRING]: 'SHORT_BINSTRING (protocol 1)',
  [OP.UNICODE]: 'UNICODE (protocol 0)',
  [OP.GET]: 'GET (protocol 0)',
  [OP.INST]: 'INST (protocol 0 class instantiation)',
  [OP.OBJ]: 'OBJ (protocol 1 class instantiation)',
  [OP.PUT]: 'PUT (protocol 0)',
  [OP.EXT1]: 'EXT1 (extension registry)',
  [OP.EXT2]: 'EXT2 (extension registry)',
  [OP.EXT4]: 'EXT4 (extension registry)',
  [OP.NEXT_BUFFER]: 'NEXT_BUFFER (out-of-band buffer)',
  [OP.READONLY_BUFFER]: 'READONLY_BUFFER (out-of-band buffer)',
};

/** Parses a pickle into plain data; every problem is a `WeightsError` with a `PICKLE_*` code. */
export function parsePickle(bytes: Uint8Array, options: PickleOptions = {}): unknown {
  return new PickleParser(bytes, options).run();
}

class PickleParser {
  private pos = 0;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly depths = new WeakMap<object, number>();
  private objects = 0;
  private values = 0;
  private readonly limits: Required<PickleLimits>;
  private readonly view: DataView;
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: PickleOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(code: string, message: string): never {
    throw new WeightsError(`pickle: ${message} (at byte ${this.pos})`, { code, file: this.options.file });
  }

  run(): unknown {
    if (this.bytes.length > this.limits.maxBytes) {
      this.fail('PICKLE_TOO_LARGE', `${this.bytes.length} bytes exceed the ${this.limits.maxBytes}-byte limit`);
    }
    if (this.bytes[0] !== OP.PROTO) this.fail('PICKLE_PROTOCOL_UNSUPPORTED', 'not a protocol 2-5 pickle (no PROTO opcode)');
    for (;;) {
      if (this.pos >= this.bytes.length) this.fail('PICKLE_INVALID', 'truncated: no STOP opcode');
      const op = this.bytes[this.pos++];
      if (op === OP.STOP) {
        if (this.stack.length !== 1 || this.marks.length > 0) this.fail('PICKLE_INVALID', 'STOP with a malformed stack');
        return this.stack[0];
      }
      this.step(op);
    }
  }

  // --- reading operands -------------------------------------------------------------------

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) this.fail('PICKLE_INVALID', `truncated: operand of ${n} bytes runs past the end`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.take(1)];
  }

  private u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  private u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  private u64(): number {
    const v = this.view.getBigUint64(this.take(8), true);
    if (v > BigInt(this.bytes.length)) this.fail('PICKLE_INVALID', `length ${v} runs past the end`);
    return Number(v);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 4096) this.fail('PICKLE_INVALID', 'truncated or over-long text operand');
    const text = this.utf8.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private str(length: number): string {
    const at = this.take(length);
    this.count();
    return this.utf8.decode(this.bytes.subarray(at, at + length));
  }

  private rawBytes(length: number): Uint8Array {
    const at = this.take(length);
    this.count();
    return this.bytes.slice(at, at + length);
  }

  private long(length: number): number | bigint {
    const at = this.take(length);
    if (length === 0) return 0;
    let v = 0n;
    for (let i = length - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]);
    if (this.bytes[at + length - 1] & 0x80) v -= 1n << BigInt(8 * length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  // --- stack and bookkeeping --------------------------------------------------------------

  private push(value: unknown): void {
    if (++this.values > this.limits.maxValues) this.fail('PICKLE_TOO_LARGE', `more than ${this.limits.maxValues} values`);
    this.stack.push(value);
  }

  private pop(): unknown {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    if (this.stack.length <= floor) this.fail('PICKLE_INVALID', 'stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    if (this.stack.length <= floor) this.fail('PICKLE_INVALID', 'stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('PICKLE_INVALID', 'no MARK to pop to');
    return this.stack.splice(mark);
  }

  private count(): void {
    if (++this.objects > this.limits.maxObjects) this.fail('PICKLE_TOO_LARGE', `more than ${this.limits.maxObjects} objects`);
  }

  private depthOf(v: unknown): number {
    return typeof v === 'object' && v !== null ? (this.depths.get(v) ?? 0) : 0;
  }

  /** Records that `container` now holds `children`; nesting beyond the limit is an error. */
  private nest<T extends object>(container: T, children: readonly unknown[]): T {
    let depth = this.depths.get(container) ?? 1;
    for (const c of children) depth = Math.max(depth, this.depthOf(c) + 1);
    if (depth > this.limits.maxDepth) this.fail('PICKLE_TOO_DEEP', `containers nested deeper than ${this.limits.maxDepth}`);
    this.depths.set(container, depth);
    return container;
  }

  private created<T extends object>(container: T, children: readonly unknown[] = []): T {
    this.count();
    return this.nest(container, children);
  }

  private tuple(items: unknown[]): readonly unknown[] {
    return Object.freeze(this.created(items, items));
  }

  // --- the opcodes ------------------------------------------------------------------------

  private step(op: number): void {
    switch (op) {
      case OP.PROTO: {
        const protocol = this.u8();
        if (protocol < 2 || protocol > 5) this.fail('PICKLE_PROTOCOL_UNSUPPORTED', `pickle protocol ${protocol} (only 2-5 are read)`);
        return;
      }
      case OP.FRAME:
        this.u64();
        return;
      case OP.MARK:
        if (this.marks.length >= this.limits.maxDepth) this.fail('PICKLE_TOO_DEEP', `more than ${this.limits.maxDepth} open MARKs`);
        this.marks.push(this.stack.length);
        return;
      case OP.POP:
        if (this.marks.length > 0 && this.marks[this.marks.length - 1] === this.stack.length) this.popMark();
        else this.pop();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        this.push(this.top());
        return;
      case OP.NONE:
        return this.push(null);
      case OP.NEWTRUE:
        return this.push(true);
      case OP.NEWFALSE:
        return this.push(false);
      case OP.BININT:
        return this.push(this.view.getInt32(this.take(4), true));
      case OP.BININT1:
        return this.push(this.u8());
      case OP.BININT2:
        return this.push(this.u16());
      case OP.LONG1:
        return this.push(this.long(this.u8()));
      case OP.LONG4: {
        const n = this.view.getInt32(this.take(4), true);
        if (n < 0 || n > 1024) this.fail('PICKLE_TOO_LARGE', `LONG4 of ${n} bytes`);
        return this.push(this.long(n));
      }
      case OP.BINFLOAT:
        return this.push(this.view.getFloat64(this.take(8), false));
      case OP.BINUNICODE:
        return this.push(this.str(this.u32()));
      case OP.SHORT_BINUNICODE:
        return this.push(this.str(this.u8()));
      case OP.BINUNICODE8:
        return this.push(this.str(this.u64()));
      case OP.SHORT_BINBYTES:
        return this.push(this.rawBytes(this.u8()));
      case OP.BINBYTES:
        return this.push(this.rawBytes(this.u32()));
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        return this.push(this.rawBytes(this.u64()));
      case OP.EMPTY_TUPLE:
        return this.push(this.tuple([]));
      case OP.TUPLE1:
        return this.push(this.tuple([this.pop()]));
      case OP.TUPLE2: {
        const b = this.pop();
        return this.push(this.tuple([this.pop(), b]));
      }
      case OP.TUPLE3: {
        const c = this.pop();
        const b = this.pop();
        return this.push(this.tuple([this.pop(), b, c]));
      }
      case OP.TUPLE:
        return this.push(this.tuple(this.popMark()));
      case OP.EMPTY_LIST:
        return this.push(this.created([]));
      case OP.LIST: {
        const items = this.popMark();
        return this.push(this.created(items, items));
      }
      case OP.EMPTY_DICT:
        return this.push(this.created(new Map()));
      case OP.DICT: {
        const dict = this.created(new Map());
        this.setItems(dict, this.popMark());
        return this.push(dict);
      }
      case OP.EMPTY_SET:
        return this.push(this.created(new Set()));
      case OP.FROZENSET: {
        const items = this.popMark();
        return this.push(this.created(new Set(items), items));
      }
      case OP.APPEND: {
        const item = this.pop();
        return this.append(this.top(), [item]);
      }
      case OP.APPENDS: {
        const items = this.popMark();
        return this.append(this.top(), items);
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        return this.setItems(this.top(), [key, value]);
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        return this.setItems(this.top(), items);
      }
      case OP.ADDITEMS: {
        const items = this.popMark();
        const target = this.top();
        if (!(target instanceof Set)) this.fail('PICKLE_INVALID', 'ADDITEMS on something that is not a set');
        for (const item of items) target.add(item);
        this.nest(target, items);
        return;
      }
      case OP.BINGET:
        return this.push(this.memoGet(this.u8()));
      case OP.LONG_BINGET:
        return this.push(this.memoGet(this.u32()));
      case OP.BINPUT:
        return this.memoPut(this.u8());
      case OP.LONG_BINPUT:
        return this.memoPut(this.u32());
      case OP.MEMOIZE:
        return this.memoPut(this.memo.size);
      case OP.GLOBAL: {
        const module = this.line();
        return this.push(this.global(module, this.line()));
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') this.fail('PICKLE_INVALID', 'STACK_GLOBAL needs two strings');
        return this.push(this.global(module, name));
      }
      case OP.REDUCE: {
        const args = this.pop();
        const callee = this.pop();
        return this.push(this.call(callee, args));
      }
      case OP.NEWOBJ: {
        const args = this.pop();
        const cls = this.pop();
        return this.push(this.call(cls, args));
      }
      case OP.NEWOBJ_EX: {
        this.pop(); // keyword arguments: no constructor we model takes any
        const args = this.pop();
        const cls = this.pop();
        return this.push(this.call(cls, args));
      }
      case OP.BUILD: {
        const state = this.pop();
        return this.build(this.top(), state);
      }
      case OP.BINPERSID: {
        const pid = this.pop();
        if (!this.options.persistentLoad) this.fail('PICKLE_INVALID', 'persistent id in a pickle that may not have any');
        return this.push(this.options.persistentLoad(pid));
      }
      default: {
        const name = DISALLOWED[op];
        if (name) this.fail('PICKLE_OPCODE_DISALLOWED', `opcode ${name} is not allowed`);
        this.fail('PICKLE_INVALID', `unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) this.fail('PICKLE_INVALID', `memo entry ${index} was never stored`);
    return this.memo.get(index);
  }

  private memoPut(index: number): void {
    if (!this.memo.has(index) && ++this.values > this.limits.maxValues) this.fail('PICKLE_TOO_LARGE', `more than ${this.limits.maxValues} values`);
    this.memo.set(index, this.top());
  }

  private global(module: string, name: string): PickleGlobal {
    if (isForbidden(module, name)) {
      this.fail('PICKLE_GLOBAL_FORBIDDEN', `the pickle references ${module}.${name}, which no weights file needs (it would run code in Python)`);
    }
    this.count();
    return new PickleGlobal(module, name);
  }

  private append(target: unknown, items: unknown[]): void {
    if (Array.isArray(target) && !Object.isFrozen(target)) {
      for (const item of items) target.push(item);
    } else if (target instanceof PickleObject) {
      target.listItems.push(...items);
    } else {
      this.fail('PICKLE_INVALID', 'APPEND on something that is not a list');
    }
    this.nest(target, items);
  }

  private setItems(target: unknown, items: unknown[]): void {
    if (items.length % 2 !== 0) this.fail('PICKLE_INVALID', 'SETITEMS with an odd number of items');
    const map = target instanceof Map ? target : target instanceof PickleObject ? target.dictItems : undefined;
    if (!map) this.fail('PICKLE_INVALID', 'SETITEM on something that is not a dict');
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    this.nest(target as object, items);
  }

  private build(target: unknown, state: unknown): void {
    if (target instanceof PickleObject) {
      target.state = state;
      this.nest(target, [state]);
    } else if (typeof target !== 'object' || target === null) {
      this.fail('PICKLE_INVALID', 'BUILD on a value that has no state');
    }
    // Other objects (an OrderedDict's `_metadata`, a tensor's hooks): the state is irrelevant to weights.
  }

  private call(callee: unknown, rawArgs: unknown): unknown {
    if (!Array.isArray(rawArgs)) this.fail('PICKLE_INVALID', 'REDUCE/NEWOBJ arguments are not a tuple');
    const args = rawArgs as readonly unknown[];
    // Calling what an earlier call returned (e.g. a getattr result) stays just as inert.
    if (callee instanceof PickleObject) return this.created(new PickleObject(`(result of ${callee.callee})`, args), args);
    if (!(callee instanceof PickleGlobal)) this.fail('PICKLE_INVALID', 'REDUCE/NEWOBJ on something that is not callable');
    const custom = this.options.construct?.(callee, args);
    if (custom !== undefined) return custom;
    const builtin = this.builtin(callee, args);
    if (builtin !== undefined) return builtin;
    return this.created(new PickleObject(callee.path, args), args);
  }

  /** The constructors of plain data that pickles use in protocols 2-5. */
  private builtin(callee: PickleGlobal, args: readonly unknown[]): unknown {
    const iterableArg = (): unknown[] => {
      const a = args[0];
      if (a === undefined) return [];
      if (Array.isArray(a)) return a;
      if (a instanceof Set || a instanceof Map) return [...a.keys()];
      return this.fail('PICKLE_INVALID', `${callee.path} of a non-iterable`);
    };
    switch (callee.path) {
      case 'collections.OrderedDict':
      case 'collections.defaultdict': {
        const map = this.created(new Map());
        if (callee.name === 'OrderedDict' && Array.isArray(args[0])) {
          for (const pair of args[0]) if (Array.isArray(pair) && pair.length === 2) map.set(pair[0], pair[1]);
          this.nest(map, args[0] as unknown[]);
        }
        return map;
      }
      case 'builtins.set':
      case '__builtin__.set':
      case 'builtins.frozenset':
      case '__builtin__.frozenset': {
        const items = iterableArg();
        return this.created(new Set(items), items);
      }
      case '_codecs.encode': {
        // Protocol 2 pickles bytes as _codecs.encode(text, 'latin1').
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) return undefined;
        this.count();
        return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
      }
      case 'builtins.bytearray':
      case 'builtins.bytes':
      case '__builtin__.bytearray': {
        const [value] = args;
        if (value === undefined) return new Uint8Array(0);
        if (value instanceof Uint8Array) return value.slice();
        if (typeof value === 'string') return Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
        return undefined;
      }
      default:
        return undefined;
    }
  }
}
