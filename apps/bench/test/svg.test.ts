// The SVG chart generator: well-formed markup, bars whose geometry follows the values on linear
// and log axes, reference lines where their value is, escaped text.
import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, linearTicks, logTicks } from '../src/report/svg.js';

/** Checks that every element opened is closed in order (a minimal XML well-formedness check). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
}

const attr = (element: string, name: string) => Number(element.match(new RegExp(`\\s${name}="([-\\d.]+)"`))![1]);
const bars = (svg: string) => [...svg.matchAll(/<rect class="bar"[^>]*>/g)].map((m) => m[0]);

describe('barChart', () => {
  it('draws one bar per finite value with heights proportional to the values (linear axis)', () => {
    const svg = barChart({
      title: 'T',
      categories: ['a', 'b', 'c'],
      series: [
        { name: 's1', values: [10, 20, null] },
        { name: 's2', values: [40, Number.NaN, 5] },
      ],
      yLabel: 'ms',
      scale: 'linear',
    });
    expectWellFormed(svg);
    const b = bars(svg);
    expect(b).toHaveLength(4);
    const heights = b.map((e) => attr(e, 'height'));
    // 10, 40 | 20 | 5 in drawing order (category by category).
    expect(heights[1] / heights[0]).toBeCloseTo(4, 1);
    expect(heights[2] / heights[0]).toBeCloseTo(2, 1);
    expect(heights[3] / heights[0]).toBeCloseTo(0.5, 1);
    // All bars stand on the same baseline.
    const baselines = b.map((e) => attr(e, 'y') + attr(e, 'height'));
    for (const y of baselines) expect(y).toBeCloseTo(baselines[0], 0);
    expect(svg).toContain('<title>s2 c: 5.00</title>');
  });

  it('places bars on a log axis by decades and draws whiskers and reference lines at their values', () => {
    const svg = barChart({
      title: 'L',
      categories: ['x', 'y'],
      series: [{ name: 's', values: [10, 1000], low: [8, 900], high: [12, 1100] }],
      yLabel: 'ms',
      scale: 'log',
      references: [{ value: 100, label: 'peak' }],
    });
    expectWellFormed(svg);
    const [b10, b1000] = bars(svg);
    const top10 = attr(b10, 'y');
    const top1000 = attr(b1000, 'y');
    const ref = svg.match(/<line class="reference"[^>]*>/)![0];
    // 100 lies halfway between 10 and 1000 on a log axis.
    expect(attr(ref, 'y1')).toBeCloseTo((top10 + top1000) / 2, 0);
    expect(svg.match(/<line class="whisker"/g)).toHaveLength(2);
    expect(svg).toContain('peak 100');
  });

  it('escapes text and rotates long category labels', () => {
    const svg = barChart({
      title: 'a < b & "c"',
      categories: Array.from({ length: 12 }, (_, i) => `layer${i} winograd 3x3 <s1>`),
      series: [{ name: 'ours', values: Array.from({ length: 12 }, (_, i) => i + 1) }],
      yLabel: 'GFLOP/s',
      scale: 'linear',
    });
    expectWellFormed(svg);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg).toContain('rotate(-35');
    expect(escapeXml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&apos;');
  });

  it('makes nice ticks', () => {
    expect(linearTicks(210)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(linearTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(logTicks(3, 650)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(3, 40)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });
});
