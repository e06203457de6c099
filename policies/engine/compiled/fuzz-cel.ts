// `npm run fuzz:cel -- --count N --seed S [--case I]`: the differential
// fuzzing of fuzz.ts, for longer than the fixed run in `npm test`. Prints
// every divergence with what replays it, and exits 1 when there is one.
import { parseArgs } from "node:util";
import { describeDivergence, fuzz } from "./fuzz.ts";

const USAGE = "usage: npm run fuzz:cel -- [--count N] [--seed S] [--case I] [--stop-after K]\n" +
  "  --count N       cases to run (default 10000)\n" +
  "  --seed S        seed, a whole number from 0 to 4294967295 (default: the current time)\n" +
  "  --case I        replay only case I of the seed (as a divergence report names it)\n" +
  "  --stop-after K  stop after K divergences (default 1)";

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function main(argv: string[]): number {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { count: { type: "string" }, seed: { type: "string" }, case: { type: "string" }, "stop-after": { type: "string" }, help: { type: "boolean" } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    options = {
      count: wholeNumber("--count", values.count, 10_000, 1),
      seed: wholeNumber("--seed", values.seed, Date.now() % 4294967296, 0, 4294967295),
      stopAfter: wholeNumber("--stop-after", values["stop-after"], 1, 1),
      ...(values.case !== undefined ? { only: wholeNumber("--case", values.case, 0, 0) } : {}),
    };
  } catch (error) {
    console.error(`fuzz:cel: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const report = fuzz(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const divergence of report.divergences) console.log(`${describeDivergence(divergence)}\n`);
  console.log(
    `fuzz:cel seed ${options.seed}: ${report.cases} cases (${report.compared} compiled on both engines, ${report.onFastPath} expressions on the fast path) in ${seconds} s, ` +
      `${report.divergences.length} divergence${report.divergences.length === 1 ? "" : "s"}`,
  );
  return report.divergences.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
