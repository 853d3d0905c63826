import { describe, expect, it } from 'vitest';
import { selectBackend } from './backend.ts';
import { learningCurve, learningCurveCsv, learningCurveSvg } from './study.ts';

describe('learningCurve', () => {
  it('trains each chosen model at each size and reports εB with its binomial error, as CSV and SVG', async () => {
    const backend = await selectBackend('cpu');
    const include = (name: string) => name === 'bjet-aleph-nn' || name === 'bjet-cuts';
    const points = await learningCurve({
      task: 'bjet',
      sizes: [2000, 4000],
      seed: 7,
      backend: backend.name,
      epochs: 2,
      include,
    });
    expect(points.map((p) => [p.model, p.events])).toEqual([
      ['bjet-aleph-nn', 2000],
      ['bjet-cuts', 2000],
      ['bjet-aleph-nn', 4000],
      ['bjet-cuts', 4000],
    ]);
    for (const p of points) {
      expect(p.figure).toBeGreaterThan(0);
      expect(p.figure).toBeLessThan(1);
      expect(p.trainEvents).toBe(p.events * 0.6);
      // √(ε(1−ε)/N_B): the error shrinks about as 1/√N between the two sizes.
      expect(p.error).toBeGreaterThan(0);
    }
    const nn = points.filter((p) => p.model === 'bjet-aleph-nn');
    // The 6-10-10-1 network: 6·10 + 10 + 10·10 + 10 + 10 + 1 = 191 weights.
    expect(nn.map((p) => p.capacity)).toEqual([191, 191]);
    const [small, large] = nn.map((p) => (p.error as number) / Math.sqrt(p.figure * (1 - p.figure)));
    expect((small as number) / (large as number)).toBeGreaterThan(1.2);
    const csv = learningCurveCsv(points).trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[1]?.split(',').slice(0, 3)).toEqual(['bjet-aleph-nn', 'network', '2000']);
    const svg = learningCurveSvg(points, 'bjet');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('εB at εS = 92 %');
  }, 60_000);
});
