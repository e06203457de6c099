import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BufferedLogDestination } from "./log-destination.ts";
import type { FdWriter } from "./log-destination.ts";

/** A file system whose async writes complete only when the test says so, at most `chunk` bytes each. */
function fakeFs(options: { chunk?: number; failWith?: string[] } = {}) {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  const failures = [...(options.failWith ?? [])];
  const fs: FdWriter = {
    write(_fd, buffer, offset, length, _position, callback) {
      const bytes = Math.min(length, options.chunk ?? length);
      const copy = Buffer.from(buffer.subarray(offset, offset + bytes));
      pending.push(() => {
        const code = failures.shift();
        if (code !== undefined) return callback(Object.assign(new Error(code), { code }), 0);
        written.push(copy.toString("utf8"));
        callback(null, bytes);
      });
    },
    writeSync(_fd, buffer, offset, length) {
      written.push(buffer.subarray(offset, offset + length).toString("utf8"));
      return length;
    },
  };
  const settle = () => {
    while (pending.length > 0) pending.shift()!();
  };
  return { fs, written, pending, settle, text: () => written.join("") };
}

const lines = (count: number, prefix = "line") => Array.from({ length: count }, (_, i) => `{"msg":"${prefix} ${i}"}\n`);

describe("BufferedLogDestination", () => {
  it("writes nothing until the minimum is buffered, then every line in order", () => {
    const f = fakeFs();
    const destination = new BufferedLogDestination(1, { bufferBytes: 1024, minWriteBytes: 64, fs: f.fs });
    destination.write('{"msg":"a"}\n');
    assert.equal(f.pending.length, 0);
    const rest = lines(20);
    for (const line of rest) destination.write(line);
    f.settle();
    destination.flush();
    f.settle();
    assert.equal(f.text(), ['{"msg":"a"}\n', ...rest].join(""));
  });

  it("keeps the order of lines written while a write is in flight, across full buffers", () => {
    const f = fakeFs();
    const destination = new BufferedLogDestination(1, { bufferBytes: 256, minWriteBytes: 32, fs: f.fs });
    const all = lines(200);
    for (const line of all) destination.write(line); // the first write stays in flight: the rest fill several buffers
    while (f.pending.length > 0) f.settle();
    destination.flush();
    f.settle();
    assert.equal(f.text(), all.join(""));
  });

  it("writes the rest of a partial write before anything else", () => {
    const f = fakeFs({ chunk: 7 });
    const destination = new BufferedLogDestination(1, { bufferBytes: 512, minWriteBytes: 16, fs: f.fs });
    const all = lines(30);
    for (const line of all) destination.write(line);
    destination.flush();
    while (f.pending.length > 0) f.settle();
    assert.equal(f.text(), all.join(""));
  });

  it("writes a line longer than a buffer whole, after the lines before it", () => {
    const f = fakeFs();
    const destination = new BufferedLogDestination(1, { bufferBytes: 128, minWriteBytes: 1000, fs: f.fs });
    const long = `{"msg":"${"é".repeat(300)}"}\n`;
    destination.write('{"msg":"before"}\n');
    destination.write(long);
    destination.write('{"msg":"after"}\n');
    f.settle();
    destination.flush();
    f.settle();
    assert.equal(f.text(), `{"msg":"before"}\n${long}{"msg":"after"}\n`);
  });

  it("encodes characters outside ASCII as UTF-8", () => {
    const f = fakeFs();
    const destination = new BufferedLogDestination(1, { bufferBytes: 64, minWriteBytes: 8, fs: f.fs });
    const all = ['{"msg":"größe"}\n', '{"msg":"😀 ok"}\n', '{"msg":"日本"}\n'];
    for (const line of all) destination.write(line);
    f.settle();
    destination.flush();
    f.settle();
    assert.equal(f.text(), all.join(""));
  });

  it("flushSync writes everything buffered, queued or not, in order", () => {
    const f = fakeFs();
    const destination = new BufferedLogDestination(1, { bufferBytes: 128, minWriteBytes: 1000, fs: f.fs });
    const all = lines(20);
    for (const line of all) destination.write(line);
    destination.flushSync();
    assert.equal(f.pending.length, 0);
    assert.equal(f.text(), all.join(""));
  });

  it("drops a part whose write failed for good and goes on with the next", () => {
    const f = fakeFs({ failWith: ["EPIPE"] });
    const destination = new BufferedLogDestination(1, { bufferBytes: 64, minWriteBytes: 8, fs: f.fs });
    destination.write('{"msg":"lost"}\n');
    destination.write('{"msg":"kept"}\n');
    f.settle();
    destination.flush();
    f.settle();
    assert.equal(f.text(), '{"msg":"kept"}\n');
  });

  it("writes again a part refused with EAGAIN (a full pipe) instead of dropping it", async () => {
    const f = fakeFs({ failWith: ["EAGAIN"] });
    const destination = new BufferedLogDestination(1, { bufferBytes: 64, minWriteBytes: 8, fs: f.fs });
    destination.write('{"msg":"kept"}\n');
    f.settle();
    assert.equal(f.text(), "");
    await new Promise((resolve) => setTimeout(resolve, 150));
    f.settle();
    assert.equal(f.text(), '{"msg":"kept"}\n');
  });

  it("writes to a real file descriptor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-log-"));
    try {
      const file = join(dir, "out.log");
      const fd = openSync(file, "w");
      const destination = new BufferedLogDestination(fd, { bufferBytes: 1024, minWriteBytes: 100 });
      const all = lines(500);
      for (const line of all) destination.write(line);
      await new Promise((resolve) => setTimeout(resolve, 50));
      destination.flushSync();
      await new Promise((resolve) => setTimeout(resolve, 50));
      closeSync(fd);
      assert.equal(readFileSync(file, "utf8"), all.join(""));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
