import { expect } from 'vitest';

/** Awaits `promise`, which must reject with an instance of `type`; returns the error. */
export async function rejectionOf<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error(`expected a rejection with ${type.name}`);
}
