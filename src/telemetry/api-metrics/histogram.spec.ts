import { describe, expect, it } from 'vitest';
import {
  BOUNDS_MS,
  bucketOf,
  emptyHistogram,
  HISTOGRAM_SIZE,
  histogramCount,
  mergeHistograms,
  observe,
  percentile,
} from './histogram.js';

function histogramOf(values: number[]) {
  const histogram = emptyHistogram();
  for (const value of values) observe(histogram, value);
  return histogram;
}

describe('latency histogram', () => {
  it('puts each value in the first bucket whose bound is at least the value', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-3)).toBe(0);
    expect(bucketOf(0.25)).toBe(0);
    expect(bucketOf(0.26)).toBe(1);
    for (let i = 0; i < BOUNDS_MS.length; i++) {
      expect(bucketOf(BOUNDS_MS[i])).toBe(i);
      expect(bucketOf(BOUNDS_MS[i] * 1.0001)).toBe(i + 1);
    }
    expect(bucketOf(10 * 60_000)).toBe(HISTOGRAM_SIZE - 1);
  });

  it('has log-scale bounds from 0.25 ms to about a minute', () => {
    expect(BOUNDS_MS[0]).toBe(0.25);
    expect(BOUNDS_MS[4]).toBeCloseTo(0.5);
    expect(BOUNDS_MS[BOUNDS_MS.length - 1]).toBeGreaterThan(50_000);
    expect(BOUNDS_MS[BOUNDS_MS.length - 1]).toBeLessThan(70_000);
  });

  it('merges by adding counts, whatever the split of the observations', () => {
    const values = Array.from({ length: 500 }, (_, i) => 0.1 + ((i * 37) % 900));
    const whole = histogramOf(values);
    const parts = [
      histogramOf(values.slice(0, 123)),
      histogramOf(values.slice(123, 400)),
      histogramOf(values.slice(400)),
    ];
    const merged = mergeHistograms(parts);
    expect(merged).toEqual(whole);
    expect(histogramCount(merged)).toBe(500);
    for (const p of [50, 95, 99]) expect(percentile(merged, p)).toBe(percentile(whole, p));
  });

  it('merges histograms of different lengths as if the missing buckets were empty', () => {
    expect(
      mergeHistograms([
        [1, 2],
        [0, 1, 5],
      ]).slice(0, 4),
    ).toEqual([1, 3, 5, 0]);
  });

  it('estimates percentiles within one bucket width of the exact value', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i); // 1..1000 ms
    const histogram = histogramOf(values);
    const exact = (p: number) => values[Math.ceil((p / 100) * values.length) - 1];
    for (const p of [50, 95, 99]) {
      const estimate = percentile(histogram, p)!;
      expect(Math.abs(estimate - exact(p)) / exact(p)).toBeLessThan(0.2);
    }
  });

  it('clamps to the observed extremes and answers null when empty', () => {
    const histogram = histogramOf([12, 12, 12, 12]);
    expect(percentile(histogram, 50, { min: 12, max: 12 })).toBe(12);
    expect(percentile(emptyHistogram(), 50)).toBeNull();
    const slow = histogramOf([120_000]);
    const beyond = percentile(slow, 99, { max: 120_000 })!;
    expect(beyond).toBeGreaterThan(BOUNDS_MS[BOUNDS_MS.length - 1]);
    expect(beyond).toBeLessThanOrEqual(120_000);
    expect(percentile(slow, 99, { min: 120_000, max: 120_000 })).toBe(120_000);
  });

  it('orders percentiles: p50 <= p95 <= p99', () => {
    const histogram = histogramOf([1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987]);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(histogram, p)!);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
  });
});
