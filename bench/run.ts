/**
 * `npm run bench -- [name…]`: benchmarks that print figures and their ratio to a baseline
 * measured in the same run. Names: incidents, intake, detect, load, scaleout (default: all but scaleout, which load includes).
 */
import { detectBench } from './detect.bench.js';
import { incidentsBench } from './incidents.bench.js';
import { intakeBench } from './intake.bench.js';
import { loadBench, scaleOutBench } from './load.bench.js';

const BENCHES: Record<string, () => Promise<void>> = { incidents: incidentsBench, intake: intakeBench, detect: detectBench, load: loadBench, scaleout: scaleOutBench };

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES[w]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES).filter((b) => b !== 'scaleout')) {
  console.log(`\n== ${name} ==`);
  await BENCHES[name]!();
}
