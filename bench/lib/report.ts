import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { resolve } from 'node:path';
import * as prettier from 'prettier';
import { START_FLAGS } from './app.js';

const shown = (flags: string[]) =>
  flags.length ? `Node flags \`${flags.join(' ')}\`` : "Node's defaults";

export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, when the figure is a comparison. */
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline (or baseline / value for latencies: always "higher is better" as written). */
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

export interface ScenarioResult {
  title: string;
  description: string;
  figures: Figure[];
  error?: string;
}

const format = (value: number) =>
  Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)) : 'n/a';

export async function writeReport(
  results: ScenarioResult[],
  startedAt: Date,
  path = resolve(import.meta.dirname, '../../../BENCHMARKS.md'),
): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${startedAt.toISOString().slice(0, 10)} (${startedAt.toISOString()}).`,
    '',
    `- Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Linux ${release()}`,
    `- Node.js ${process.version}; the service built and run as \`npm start\` runs it (${[`the API and \`ROLE=all\`: ${shown(START_FLAGS.api)}`, `workers: ${shown(START_FLAGS.worker)}`, "the bare twins: Node's defaults"].join('; ')}), in production mode (\`NODE_ENV=production\`, \`LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}\`, rate limiting on with limits above the load) as its own processes; load clients in separate processes; loopback only.`,
    "- Every comparison is measured in the same run; ratios compare with that run's baseline.",
    '',
  ];
  const missed: string[] = [];
  for (const result of results) {
    lines.push(`## ${result.title}`, '', result.description, '');
    if (result.error) {
      lines.push(`**Not measured: ${result.error}**`, '');
      continue;
    }
    lines.push(
      '| figure | value | baseline (same run) | ratio | target | met |',
      '|---|---|---|---|---|---|',
    );
    for (const figure of result.figures) {
      const baseline = figure.baseline
        ? `${figure.baseline.name}: ${format(figure.baseline.value)} ${figure.baseline.unit}`
        : '';
      const met = figure.met === undefined ? '' : figure.met ? 'yes' : '**no**';
      if (figure.met === false) missed.push(`${result.title}: ${figure.name}`);
      lines.push(
        `| ${figure.name} | ${format(figure.value)} ${figure.unit} | ${baseline} | ${figure.ratio === undefined ? '' : `${format(figure.ratio)}×`} | ${figure.target ?? ''} | ${met} |`,
      );
    }
    const notes = result.figures
      .filter((figure) => figure.note)
      .map((figure) => `- ${figure.name}: ${figure.note}`);
    if (notes.length) lines.push('', ...notes);
    lines.push('');
  }
  lines.push(
    '## Targets missed',
    '',
    missed.length ? missed.map((entry) => `- ${entry}`).join('\n') : 'None in this run.',
    '',
  );
  // Profiling notes on the missed targets, kept by hand beside the harness.
  const findings = resolve(import.meta.dirname, '../../../bench/FINDINGS.md');
  if (existsSync(findings)) lines.push(readFileSync(findings, 'utf8').trim(), '');
  // Formatted as the repository's Markdown is (aligned tables), so a run leaves no diff noise.
  writeFileSync(
    path,
    await prettier.format(lines.join('\n'), {
      ...(await prettier.resolveConfig(path)),
      parser: 'markdown',
    }),
  );
}
