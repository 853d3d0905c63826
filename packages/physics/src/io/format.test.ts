import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BinEdges, type FormatIssue, nonEmptyArray, parseFormat, refineBinEdges, reportFault } from './format.ts';

function issueOf(schema: z.ZodType, value: unknown, options = {}): FormatIssue {
  const result = parseFormat(schema, value, options);
  if (result.success) throw new Error(`accepted ${JSON.stringify(value)}`);
  expect(result.error).toBeInstanceOf(z.ZodError);
  return result.issue;
}

describe('parseFormat', () => {
  const Doc = z.strictObject({
    name: z.string(),
    rows: z.array(z.strictObject({ x: z.number(), n: z.number().int(), ok: z.boolean().optional() })),
    kind: z.enum(['a', 'b']),
    version: z.literal(1),
    tags: nonEmptyArray(z.string()).optional(),
  });
  const good = { name: 'd', rows: [{ x: 1.5, n: 2 }], kind: 'a', version: 1 };

  it('returns the typed value of a valid document', () => {
    expect(parseFormat(Doc, good)).toEqual({ success: true, data: good });
  });

  it('names the JSON path of the first issue in the house wording', () => {
    const cases: [unknown, string, string][] = [
      [null, '(root)', 'must be an object'],
      [{ ...good, extra: 1 }, 'extra', 'unknown key'],
      [{ ...good, name: 3 }, 'name', 'must be a string'],
      [{ ...good, rows: {} }, 'rows', 'must be an array'],
      [{ ...good, rows: [{ x: Number.POSITIVE_INFINITY, n: 1 }] }, 'rows[0].x', 'must be a finite number'],
      [
        {
          ...good,
          rows: [
            { x: 1, n: 1 },
            { x: 1, n: 0.5 },
          ],
        },
        'rows[1].n',
        'must be an integer',
      ],
      [{ ...good, rows: [{ x: 1, n: 1, ok: 'yes' }] }, 'rows[0].ok', 'must be true or false'],
      [{ ...good, rows: [{ x: 1, n: 1, y: 2 }] }, 'rows[0].y', 'unknown key'],
      [{ ...good, kind: 'c' }, 'kind', 'must be one of "a", "b"'],
      [{ ...good, version: 2 }, 'version', 'must be 1'],
      [{ ...good, tags: [] }, 'tags', 'must be a non-empty array'],
      // Two faults: the first in the schema's key order is reported.
      [{ ...good, name: 1, kind: 'c' }, 'name', 'must be a string'],
    ];
    for (const [value, field, message] of cases) expect(issueOf(Doc, value), field).toEqual({ field, message });
  });

  it('names the root and puts the value path in front of every field', () => {
    expect(issueOf(Doc, [], { root: '$' })).toEqual({ field: '$', message: 'must be an object' });
    expect(issueOf(Doc, { ...good, name: 1 }, { at: 'evaluation' }).field).toBe('evaluation.name');
    expect(issueOf(Doc, { ...good, rows: [1] }, { at: 'list' }).field).toBe('list.rows[0]');
    expect(issueOf(Doc, 1, { at: 'evaluation' }).field).toBe('evaluation');
  });

  it('reports the issue inside the union alternative the value has the type of', () => {
    const Node = z.strictObject({ nodetype: z.literal('leaf'), value: z.number() });
    const Content = z.union([z.number(), Node], { error: 'must be a number or a node' });
    const Tree = z.strictObject({ data: Content, flow: z.union([z.enum(['clamp', 'error']), Content]) });
    const leaf = { nodetype: 'leaf', value: 1 };
    expect(parseFormat(Tree, { data: 2, flow: leaf }).success).toBe(true);
    expect(issueOf(Tree, { data: { nodetype: 'leaf', value: 'x' }, flow: 'clamp' })).toEqual({
      field: 'data.value',
      message: 'must be a finite number',
    });
    // Nested unions: the flow is a content node (not "clamp"/"error"), a node (not a number).
    expect(issueOf(Tree, { data: 1, flow: { ...leaf, extra: true } }).field).toBe('flow.extra');
    // Neither alternative's type: the union's own message at its path.
    expect(issueOf(Tree, { data: 'x', flow: 'clamp' })).toEqual({
      field: 'data',
      message: 'must be a number or a node',
    });
  });

  it('adds the first fault of a cross-field check at its path', () => {
    const Pair = z.strictObject({ lo: z.number(), hi: z.number() }).superRefine((p, ctx) => {
      reportFault(ctx, p.hi > p.lo ? undefined : { path: ['hi'], message: 'must exceed lo' });
    });
    expect(parseFormat(Pair, { lo: 0, hi: 1 }).success).toBe(true);
    expect(
      issueOf(z.array(Pair), [
        { lo: 0, hi: 1 },
        { lo: 2, hi: 1 },
      ]),
    ).toEqual({
      field: '[1].hi',
      message: 'must exceed lo',
    });
  });
});

describe('BinEdges (the one edge check, Axis.variable)', () => {
  const H = z.strictObject({ edges: BinEdges });

  it('accepts at least two finite, strictly increasing edges', () => {
    expect(parseFormat(H, { edges: [0, 0.5, 2] })).toEqual({ success: true, data: { edges: [0, 0.5, 2] } });
    expect(parseFormat(H, { edges: [-1e300, 1e300] }).success).toBe(true);
  });

  it('names the edge that breaks the order', () => {
    expect(issueOf(H, { edges: [0, 2, 1, 3] })).toEqual({
      field: 'edges[2]',
      message: 'edges must be strictly increasing (1 after 2)',
    });
    expect(issueOf(H, { edges: [0, 1, 1] })).toEqual({
      field: 'edges[2]',
      message: 'edges must be strictly increasing (1 after 1)',
    });
    expect(issueOf(H, { edges: [1] })).toEqual({ field: 'edges', message: 'needs at least two edges' });
    expect(issueOf(H, { edges: [0, Number.NaN] })).toEqual({ field: 'edges[1]', message: 'must be a finite number' });
    expect(issueOf(H, { edges: 'x' })).toEqual({ field: 'edges', message: 'must be an array of numbers' });
  });

  it('offsets the index when the checked edges follow others', () => {
    const Open = z.array(z.union([z.number(), z.literal('-inf')])).superRefine((edges, ctx) => {
      refineBinEdges(
        edges.filter((e): e is number => typeof e === 'number'),
        ctx,
        1,
      );
    });
    expect(issueOf(z.strictObject({ e: Open }), { e: ['-inf', 0, 5, 4] })).toEqual({
      field: 'e[3]',
      message: 'edges must be strictly increasing (4 after 5)',
    });
  });
});
