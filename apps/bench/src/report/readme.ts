/**
 * Keeps the root README's "Benchmarks" block in step with a full report: the text between the two
 * markers is replaced, nothing else in the file is touched.
 */
export const README_START = '<!-- wsp-bench:summary:start -->';
export const README_END = '<!-- wsp-bench:summary:end -->';

/** `readme` with the block between the markers replaced by `summary`; throws when the markers are missing or out of order. */
export function replaceReadmeSummary(readme: string, summary: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(`the README has no "${README_START}" ... "${README_END}" block`);
  }
  return `${readme.slice(0, start + README_START.length)}\n${summary.trim()}\n${readme.slice(end)}`;
}
