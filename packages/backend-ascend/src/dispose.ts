/** Symbol.dispose where the runtime has it (Node >= 20.4), else the registered stand-in. */
export const disposeSymbol: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
