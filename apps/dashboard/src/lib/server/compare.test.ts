import { isHttpError } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { MAX_COMPARED, parseCompareRefs } from './compare';

function status(values: string[]): { status: number; message: string } | null {
  try {
    parseCompareRefs(values);
    return null;
  } catch (err) {
    if (!isHttpError(err)) throw err;
    return { status: err.status, message: err.body.message };
  }
}

describe('parseCompareRefs', () => {
  it('reads comma-separated and repeated values, name or name@N or name@vN, without duplicates', () => {
    expect(parseCompareRefs(['a, b@2', 'c@v3', 'a', ''])).toEqual([
      { name: 'a', version: 'latest' },
      { name: 'b', version: 2 },
      { name: 'c', version: 3 },
    ]);
    expect(parseCompareRefs([])).toEqual([]);
  });

  it('answers a malformed entry or too many with a 400 naming the field', () => {
    expect(status(['a@0'])).toEqual({
      status: 400,
      message: 'models: the version in "a@0" must be a positive integer',
    });
    expect(status(['a@x'])?.status).toBe(400);
    expect(status(['<script>'])?.message).toContain('models: "<script>" is not a model name');
    const many = Array.from({ length: MAX_COMPARED + 1 }, (_, i) => `m${i}`).join(',');
    expect(status([many])?.message).toContain(`at most ${MAX_COMPARED}`);
  });
});
