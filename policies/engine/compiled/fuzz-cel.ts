// `npm run fuzz:cel -- --count N --seed S [--path P]`: the differential
// fuzzing of fuzz.ts, for longer than the fixed run in `npm test`. On a
// divergence it prints fast-check's report (seed, path, the shrunk case, both
// outcomes) with the command that replays it, and exits 1.
import { parseArgs } from "node:util";
import { describeFailure, fuzz } from "./fuzz.ts";

const USAGE =
  "usage: npm run fuzz:cel -- [--count N] [--seed S] [--path P]\n" +
  "  --count N  cases to run (default 10000)\n" +
  "  --seed S   seed, a whole number from 0 to 4294967295 (default: the current time)\n" +
  "  --path P   replay only the case at fast-check path P of the seed (as a divergence report names it, e.g. 185:3:0)";

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function replayPath(text: string): string {
  // fast-check's paths: run index, then one index per shrink step, colon-separated.
  if (!/^\d+(:\d+)*$/.test(text))
    throw new Error(`--path must be a fast-check replay path like 185:3:0 (whole numbers joined by colons), got ${JSON.stringify(text)}`);
  return text;
}

function main(argv: string[]): number {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { count: { type: "string" }, seed: { type: "string" }, path: { type: "string" }, help: { type: "boolean" } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    options = {
      count: wholeNumber("--count", values.count, 10_000, 1),
      seed: wholeNumber("--seed", values.seed, Date.now() % 4294967296, 0, 4294967295),
      ...(values.path !== undefined ? { path: replayPath(values.path) } : {}),
    };
  } catch (error) {
    console.error(`fuzz:cel: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const run = fuzz(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.details.failed) console.log(`${describeFailure(run)}\n`);
  const { report } = run;
  console.log(
    `fuzz:cel seed ${options.seed}${options.path !== undefined ? ` path ${options.path}` : ""}: ${report.cases} cases ` +
      `(${report.compared} compiled on both engines, ${report.onFastPath} expressions on the fast path) in ${seconds} s, ` +
      `${run.details.failed ? "1 divergence" : "0 divergences"}`,
  );
  return run.details.failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
