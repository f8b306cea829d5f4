/*
 * `npm run bench`: every benchmark scenario, one after the other, each on fresh
 * stores, then BENCHMARKS.md. `npm run bench -- http jobs` runs only some;
 * `BENCH_REPORT=<file>` writes the report there instead (trial runs).
 */
import { writeReport, type ScenarioResult } from './lib/report.js';
import { SCENARIOS } from './scenarios/index.js';

const wanted = process.argv.slice(2);
const unknown = wanted.filter((key) => !SCENARIOS.some((scenario) => scenario.key === key));
if (unknown.length) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.key).join(', ')}\n`,
  );
  process.exit(2);
}
const startedAt = new Date();
const results: ScenarioResult[] = [];
for (const scenario of SCENARIOS) {
  if (wanted.length && !wanted.includes(scenario.key)) continue;
  process.stderr.write(`\n== ${scenario.key}: ${scenario.title}\n`);
  const began = Date.now();
  try {
    results.push(await scenario.run());
  } catch (error) {
    process.stderr.write(`${(error as Error).stack}\n`);
    results.push({
      title: scenario.title,
      description: '',
      figures: [],
      error: (error as Error).message.split('\n')[0],
    });
  }
  process.stderr.write(`   done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
}
await writeReport(results, startedAt, process.env.BENCH_REPORT);
process.stderr.write(`\n${process.env.BENCH_REPORT ?? 'BENCHMARKS.md'} written\n`);
process.exit(0);
