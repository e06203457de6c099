// An open-loop load generator: requests start at evenly spaced times (not in
// a burst at the top of each second, as autocannon's rate limit sends them),
// and each latency is measured from when the request was due, so a server
// that falls behind is charged for the queue it builds (no coordinated
// omission).
import { Agent, request } from "node:https";

export interface PacedResult {
  sent: number;
  achievedRps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export async function pacedLoad(
  url: string,
  body: string,
  options: { rate: number; seconds: number; connections: number; ca: Buffer; warmupSeconds?: number },
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, ca: options.ca });
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const warmup = (options.warmupSeconds ?? 1) * 1000;
  const total = options.seconds * 1000 + warmup;
  const start = performance.now();
  const pending = new Set<Promise<void>>();
  const one = (due: number): Promise<void> =>
    new Promise((resolve) => {
      const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) errors++;
          else if (due - start >= warmup) latencies.push(performance.now() - due);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await new Promise<void>((done) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed * options.rate) / 1000), Math.floor((total * options.rate) / 1000));
      while (sent < due) {
        const at = start + (sent * 1000) / options.rate;
        sent++;
        const p = one(at);
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (elapsed >= total) return done();
      setTimeout(tick, 0.5);
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { sent, achievedRps: latencies.length / options.seconds, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN, errors };
}
