import { describe, expect, it } from 'vitest';
import { readTar, writeTar } from './tar.ts';

describe('ustar writer', () => {
  it('round-trips files of any size and pads to 512-byte blocks', () => {
    const files = new Map([
      ['manifest.json', new TextEncoder().encode('{"a":1}\n')],
      ['weights.bin', Uint8Array.from({ length: 1500 }, (_, i) => i % 251)],
      ['empty', new Uint8Array(0)],
    ]);
    const tar = writeTar(files, { prefix: 'model-v1' });
    expect(tar.byteLength % 512).toBe(0);
    // 3 headers + ceil(8/512) + ceil(1500/512) blocks + 2 end blocks
    expect(tar.byteLength).toBe(512 * (3 + 1 + 3 + 2));
    const back = readTar(tar);
    expect([...back.keys()]).toEqual(['model-v1/manifest.json', 'model-v1/weights.bin', 'model-v1/empty']);
    expect(back.get('model-v1/weights.bin')).toEqual(files.get('weights.bin'));
  });

  it('writes a valid header checksum (sum of header bytes with the field as spaces)', () => {
    const tar = writeTar(new Map([['a.txt', new Uint8Array([65])]]));
    const header = tar.subarray(0, 512);
    const stored = Number.parseInt(new TextDecoder().decode(header.subarray(148, 155)), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
    expect(stored).toBe(sum);
    expect(new TextDecoder().decode(header.subarray(257, 262))).toBe('ustar');
  });
});
