/** The shape of the assembled report (`<date>-<machine>.json`); the Markdown is rendered from it. */
import type { MachineInfo } from '../machine.js';
import type { Agreement, LatencyRow } from '../measure/latency.js';
import type { Limits } from '../measure/peak.js';
import type { BenchPart, PartStatus } from './parts.js';

export const REPORT_SCHEMA = 'wsp-bench-report/1';

export type Cell = string | number | null;

export interface Table {
  caption?: string;
  columns: string[];
  rows: Cell[][];
}

export interface Section {
  id: string;
  title: string;
  /** Paragraphs (Markdown inline syntax). */
  text: string[];
  tables: Table[];
  /** Chart files (relative to the report) shown in this section. */
  charts: string[];
  /** The parts it was built from. */
  sources: string[];
}

export interface ContenderInfo {
  name: string;
  kind: 'backend' | 'peer';
  description: string;
}

export interface LatencyData {
  model: string;
  threads: number;
  /** How each contender's turn ran: untimed pause and untimed calls before the timed one. */
  turns: { settleMs: number; turnWarmup: number } | null;
  contenders: ContenderInfo[];
  unavailable: { name: string; reason: string }[];
  rows: LatencyRow[];
  agreement: Agreement[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  /** File name stem: `<date>-<machine>` (+ `-smoke`). */
  id: string;
  date: string;
  smoke: boolean;
  machine: MachineInfo & {
    loadAverage: { before: number[] | null; beforeAt: string | null; after: number[] };
    limits: Limits | null;
  };
  versions: Record<string, string>;
  latency: LatencyData | null;
  sections: Section[];
  parts: PartStatus[];
  /** Non-finite numbers or inconsistencies found while assembling (empty when all is well). */
  problems: string[];
  /** The used parts as the package benches wrote them. */
  raw: Record<string, BenchPart>;
}
