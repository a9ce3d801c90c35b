import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crc32c, maskedCrc32c } from '../../src/io/tensorboard/crc.js';
import { readEvents } from '../../src/io/tensorboard/eventReader.js';
import { EventWriter } from '../../src/io/tensorboard/eventWriter.js';
import { histogramProto } from '../../src/io/tensorboard/histogram.js';
import { encodeEvent } from '../../src/io/tensorboard/proto.js';
import { frameRecord, parseRecords } from '../../src/io/tensorboard/records.js';
import { truncateEventsAfterStep } from '../../src/io/tensorboard/truncateEvents.js';

/** Reference CRC32C: reflected, polynomial 0x82F63B78, one bit at a time. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord masking with plain arithmetic: rotate right by 15, add the constant, mod 2^32. */
function maskReference(crc: number): number {
  const rotated = Math.floor(crc / 2 ** 15) + (crc % 2 ** 15) * 2 ** 17;
  return (rotated + 0xa282ead8) % 2 ** 32;
}

/** Minimal protobuf wire reader: field number → [wire type, payload] in order. */
function wireFields(bytes: Uint8Array): Array<[number, number, Uint8Array | bigint]> {
  const out: Array<[number, number, Uint8Array | bigint]> = [];
  let i = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[i++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const [field, type] = [key >> 3, key & 7];
    if (type === 0) out.push([field, type, varint()]);
    else {
      const n = type === 1 ? 8 : type === 5 ? 4 : Number(varint());
      out.push([field, type, bytes.subarray(i, i + n)]);
      i += n;
    }
  }
  return out;
}

let logdir: string;
beforeEach(() => {
  logdir = fs.mkdtempSync(path.join(os.tmpdir(), 'io-tb-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(logdir, { recursive: true, force: true });
});

describe('CRC32C', () => {
  it('matches the standard check value and a bit-by-bit implementation', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32cBitwise(check)).toBe(0xe3069283);
    expect(crc32c(check)).toBe(0xe3069283);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff);
    expect(crc32c(data)).toBe(crc32cBitwise(data));
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('masks as TFRecord does', () => {
    for (const text of ['123456789', '', 'brain.Event:2']) {
      const bytes = new TextEncoder().encode(text);
      expect(maskedCrc32c(bytes)).toBe(maskReference(crc32cBitwise(bytes)));
    }
  });
});

describe('TFRecord framing', () => {
  it('lays out length, length CRC, data, data CRC (little-endian)', () => {
    const data = new Uint8Array([5, 6, 7]);
    const rec = frameRecord(data);
    expect(rec.length).toBe(8 + 4 + 3 + 4);
    expect([...rec.subarray(0, 8)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0]);
    const u32 = (o: number) => rec[o] + rec[o + 1] * 2 ** 8 + rec[o + 2] * 2 ** 16 + rec[o + 3] * 2 ** 24;
    expect(u32(8)).toBe(maskReference(crc32cBitwise(rec.subarray(0, 8))));
    expect([...rec.subarray(12, 15)]).toEqual([5, 6, 7]);
    expect(u32(15)).toBe(maskReference(crc32cBitwise(data)));
    expect(parseRecords(Buffer.concat([rec, frameRecord(new Uint8Array(0))])).records.map((r) => [...r])).toEqual([
      [5, 6, 7],
      [],
    ]);
  });
});

describe('event protos on the wire', () => {
  it('uses event.proto / summary.proto field numbers', () => {
    const bytes = encodeEvent({ wallTime: 1.5, step: 300, summary: { value: [{ tag: 'loss', simpleValue: 0 }] } });
    const event = wireFields(bytes);
    expect(event.map(([f, t]) => [f, t])).toEqual([[1, 1], [2, 0], [5, 2]]);
    expect(Buffer.from(event[0][2] as Uint8Array).readDoubleLE(0)).toBe(1.5);
    expect(event[1][2]).toBe(300n);
    const [summaryValue] = wireFields(event[2][2] as Uint8Array);
    expect(summaryValue.slice(0, 2)).toEqual([1, 2]);
    const value = wireFields(summaryValue[2] as Uint8Array);
    expect(value.map(([f, t]) => [f, t])).toEqual([[1, 2], [2, 5]]); // a 0 scalar is still present
    expect(Buffer.from(value[0][2] as Uint8Array).toString()).toBe('loss');

    const histo = encodeEvent({ wallTime: 2, step: 1, summary: { value: [{ tag: 'w', histo: histogramProto(new Float32Array([1, 2, 3]), 3) }] } });
    const histoValue = wireFields(wireFields(wireFields(histo)[2][2] as Uint8Array)[0][2] as Uint8Array);
    expect(histoValue[1].slice(0, 2)).toEqual([5, 2]);
    const histoFields = wireFields(histoValue[1][2] as Uint8Array).map(([f, t]) => [f, t]);
    expect(histoFields).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [7, 2]]); // 6, 7 packed

    const image = encodeEvent({ wallTime: 2, step: 1, summary: { value: [{ tag: 'i', image: { height: 2, width: 3, colorspace: 3, encodedImageString: new Uint8Array([9]) } }] } });
    const imageValue = wireFields(wireFields(wireFields(image)[2][2] as Uint8Array)[0][2] as Uint8Array);
    expect(imageValue[1].slice(0, 2)).toEqual([4, 2]);
    expect(wireFields(imageValue[1][2] as Uint8Array).map(([f, t, v]) => [f, t, typeof v === 'bigint' ? Number(v) : [...v]])).toEqual([
      [1, 0, 2],
      [2, 0, 3],
      [3, 0, 3],
      [4, 2, [9]],
    ]);
  });
});

describe('histogramProto', () => {
  it('counts values into (left, right] buckets like a plain loop', () => {
    const values = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * 3);
    values[7] = NaN;
    const h = histogramProto(values, 10);
    const finite = [...values].filter(Number.isFinite);
    expect(h.num).toBe(finite.length);
    expect(h.min).toBe(Math.min(...finite));
    expect(h.max).toBe(Math.max(...finite));
    expect(h.sum).toBeCloseTo(finite.reduce((a, b) => a + b, 0), 9);
    expect(h.sumSquares).toBeCloseTo(finite.reduce((a, b) => a + b * b, 0), 9);
    const expected = h.bucketLimit.map((right, i) => {
      const left = i === 0 ? -Infinity : h.bucketLimit[i - 1];
      return finite.filter((v) => v > left && v <= right).length;
    });
    expect(h.bucket).toEqual(expected);
    expect(h.bucketLimit[9]).toBe(h.max);
    expect(histogramProto(new Float32Array([2, 2]))).toMatchObject({ bucketLimit: [2], bucket: [2] });
    expect(() => histogramProto(new Float32Array([NaN]))).toThrow('no finite values');
  });
});

async function smallPng(width: number, height: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3, 128);
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

describe('EventWriter + readEvents', () => {
  it('round-trips scalars, images and histograms; first event is the file version', async () => {
    const w = new EventWriter(logdir, { filenameSuffix: '.v2' });
    expect(path.basename(w.path)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname()}\\.v2$`));
    const png = await smallPng(4, 3);
    const histValues = Float32Array.from([0.5, -1, 2, 2, 3.25]);
    w.scalar('loss', 1.2345678, 0);
    w.scalar('lr', 0, 0);
    await w.flush();
    w.scalar('loss', -7.5, 10);
    w.image('views', png, 10);
    w.histogram('weights', histValues, 10);
    await w.close();

    const events = readEvents(w.path);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events.slice(1).map((e) => [e.step, e.scalars, e.images, Object.keys(e.histograms)])).toEqual([
      [0, { loss: Math.fround(1.2345678) }, [], []],
      [0, { lr: 0 }, [], []],
      [10, { loss: -7.5 }, [], []],
      [10, {}, ['views'], []],
      [10, {}, [], ['weights']],
    ]);
    const img = events[4].imageData.views;
    expect([img.width, img.height, img.colorspace, Buffer.from(img.encodedImageString).equals(png)]).toEqual([4, 3, 3, true]);
    expect(events[5].histograms.weights).toEqual(histogramProto(histValues));
    const now = Date.now() / 1000;
    for (const e of events) expect(Math.abs(e.wallTime - now)).toBeLessThan(60);
  });

  it('throws on a corrupt data byte or length byte, and on a torn tail unless allowed', async () => {
    const w = new EventWriter(logdir);
    w.scalar('loss', 1, 1);
    w.scalar('loss', 2, 2);
    await w.close();
    const good = fs.readFileSync(w.path);
    const firstLen = 16 + Number(good.readBigUInt64LE(0));

    const dataCorrupt = Buffer.from(good);
    dataCorrupt[firstLen + 14] ^= 0x01;
    fs.writeFileSync(w.path, dataCorrupt);
    expect(() => readEvents(w.path)).toThrow(`${w.path}: record at byte ${firstLen}: data CRC mismatch`);

    const lengthCorrupt = Buffer.from(good);
    lengthCorrupt[firstLen] ^= 0x01;
    fs.writeFileSync(w.path, lengthCorrupt);
    expect(() => readEvents(w.path)).toThrow('length CRC mismatch');

    fs.writeFileSync(w.path, good.subarray(0, good.length - 3));
    expect(() => readEvents(w.path)).toThrow('is truncated');
    expect(readEvents(w.path, { allowTruncatedTail: true }).map((e) => e.scalars)).toEqual([{}, { loss: 1 }]);
  });

  it('rejects bad input with clear messages', async () => {
    const w = new EventWriter(logdir);
    expect(() => w.scalar('loss', 1, -1)).toThrow('step must be a non-negative integer');
    expect(() => w.scalar('loss', 1, 1.5)).toThrow('step must be a non-negative integer');
    expect(() => w.scalar('', 1, 1)).toThrow('non-empty string');
    expect(() => w.image('x', new Uint8Array([1, 2, 3]), 0)).toThrow('not a PNG');
    await w.close();
    expect(() => w.scalar('loss', 1, 1)).toThrow('is closed');
    expect(() => readEvents(path.join(logdir, 'missing'))).toThrow('cannot read event file');
  });

  it('a resumed writer starts its own file in the same logdir; old steps past the checkpoint are dropped', async () => {
    const first = new EventWriter(logdir);
    for (const step of [1, 2, 3, 4]) first.scalar('loss', step, step);
    await first.close();
    expect(await truncateEventsAfterStep(logdir, 2)).toBe(2);
    const resumed = new EventWriter(logdir);
    expect(resumed.path).not.toBe(first.path);
    resumed.scalar('loss', 30, 3);
    await resumed.close();
    expect(readEvents(first.path).map((e) => e.step)).toEqual([0, 1, 2]);
    expect(readEvents(resumed.path).map((e) => [e.step, e.scalars])).toEqual([[0, {}], [3, { loss: 30 }]]);
    expect(await truncateEventsAfterStep(logdir, 10)).toBe(0);
    expect(await truncateEventsAfterStep(path.join(logdir, 'none'), 1)).toBe(0);
  });

  it('a failed flush names the file and does not block later flushes', async () => {
    const w = new EventWriter(logdir);
    vi.spyOn(fs.promises, 'appendFile').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    w.scalar('loss', 1, 1);
    await expect(w.flush()).rejects.toThrow(`cannot append to event file ${w.path}: ENOSPC`);
    w.scalar('loss', 2, 2);
    await w.close();
    expect(readEvents(w.path).map((e) => e.step)).toEqual([0, 2]);
  });

  it('truncateEventsAfterStep also drops a torn last record', async () => {
    const w = new EventWriter(logdir);
    w.scalar('loss', 1, 1);
    w.scalar('loss', 2, 2);
    await w.close();
    const bytes = fs.readFileSync(w.path);
    fs.writeFileSync(w.path, bytes.subarray(0, bytes.length - 5));
    expect(await truncateEventsAfterStep(logdir, 5)).toBe(0);
    expect(readEvents(w.path).map((e) => e.step)).toEqual([0, 1]);
  });
});
