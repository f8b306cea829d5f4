import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { cpus, loadavg } from 'node:os';
import { IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import {
  clampPercent,
  CpuTimes,
  hostCpuPercent,
  processCpuPercent,
  roundOrNull,
  sumCpuTimes,
} from '../../common/resources.js';

/** Length of a sampling window; readings cover the last 1-10 s. */
const WINDOW_MS = 5_000;
/** A window shorter than this is too noisy to report on its own. */
const MIN_WINDOW_MS = 1_000;

interface Baseline {
  at: number;
  cpu: NodeJS.CpuUsage;
  host: CpuTimes;
  elu: EventLoopUtilization;
}

interface DelayStats {
  mean_ms: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

export interface ProcessSample {
  /** The span the rates below were measured over (ms), ending now. */
  window_ms: number;
  process_cpu_percent: number | null;
  process_cpu_percent_one_core: number | null;
  host_cpu_percent: number | null;
  event_loop: { utilization_percent: number | null; lag: DelayStats };
  load_average: { one: number; five: number; fifteen: number };
  cpus: number;
}

function baseline(): Baseline {
  return {
    at: performance.now(),
    cpu: process.cpuUsage(),
    host: sumCpuTimes(cpus()),
    elu: performance.eventLoopUtilization(),
  };
}

const ms = (ns: number) => ns / 1e6;

function delayStats(histogram: IntervalHistogram): DelayStats {
  if (!histogram.count) return { mean_ms: null, p50_ms: null, p99_ms: null, max_ms: null };
  return {
    mean_ms: roundOrNull(ms(histogram.mean)),
    p50_ms: roundOrNull(ms(histogram.percentile(50))),
    p99_ms: roundOrNull(ms(histogram.percentile(99))),
    max_ms: roundOrNull(ms(histogram.max)),
  };
}

/**
 * Rates need two readings: this keeps a reading every few seconds, so a request
 * gets CPU, event-loop utilisation and lag over the last seconds at once, without
 * waiting for a sampling window of its own.
 */
@Injectable()
export class ProcessSampler implements OnModuleInit, OnModuleDestroy {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private previous?: Baseline;
  private latest = baseline();
  private lastWindowDelay?: DelayStats;
  private timer?: NodeJS.Timeout;

  onModuleInit(): void {
    this.delay.enable();
    this.latest = baseline();
    this.timer = setInterval(() => this.rotate(), WINDOW_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.delay.disable();
  }

  private rotate(): void {
    this.previous = this.latest;
    this.latest = baseline();
    this.lastWindowDelay = delayStats(this.delay);
    this.delay.reset();
  }

  sample(): ProcessSample {
    const now = baseline();
    const recentEnough = now.at - this.latest.at >= MIN_WINDOW_MS;
    const from = recentEnough || !this.previous ? this.latest : this.previous;
    const elapsed = now.at - from.at;
    const cores = cpus().length;
    const processCpu = processCpuPercent(from.cpu, now.cpu, elapsed, cores);
    const elu = performance.eventLoopUtilization(now.elu, from.elu);
    const [one, five, fifteen] = loadavg();
    return {
      window_ms: Math.round(elapsed),
      process_cpu_percent: processCpu.host,
      process_cpu_percent_one_core: roundOrNull(processCpu.oneCore),
      host_cpu_percent: hostCpuPercent(from.host, now.host),
      event_loop: {
        utilization_percent: elapsed > 0 ? clampPercent(elu.utilization * 100) : null,
        lag: recentEnough || !this.lastWindowDelay ? delayStats(this.delay) : this.lastWindowDelay,
      },
      load_average: {
        one: roundOrNull(one) ?? 0,
        five: roundOrNull(five) ?? 0,
        fifteen: roundOrNull(fifteen) ?? 0,
      },
      cpus: cores,
    };
  }
}
