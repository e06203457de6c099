// Where the process logger's JSON lines go: a file descriptor (stdout),
// written asynchronously in batches. pino's own destination (sonic-boom)
// appends each line to a growing string and measures that string's byte
// length on every line, which flattens it again and again; the webhook logs a
// line per review, so that cost was paid per review (about 2-3 µs of CPU).
// Here each line is encoded once, straight into a reusable buffer, and full
// buffers are handed to one fs.write at a time, in order.
import { write as fsWrite, writeSync as fsWriteSync } from "node:fs";

export interface FdWriter {
  write(
    fd: number,
    buffer: Buffer,
    offset: number,
    length: number,
    position: null,
    callback: (error: NodeJS.ErrnoException | null, written: number) => void,
  ): void;
  writeSync(fd: number, buffer: Buffer, offset: number, length: number): number;
}

export interface LogDestinationOptions {
  /** Bytes per buffer (default 64 KiB). */
  bufferBytes?: number;
  /** A write starts once this many bytes wait (default 4 KiB); flush() writes whatever waits. */
  minWriteBytes?: number;
  /** The fs calls (tests pass fakes). */
  fs?: FdWriter;
}

const NODE_FS: FdWriter = {
  write: (fd, buffer, offset, length, position, callback) => fsWrite(fd, buffer, offset, length, position, callback),
  writeSync: (fd, buffer, offset, length) => fsWriteSync(fd, buffer, offset, length),
};

/** How long to wait before writing again to a pipe that was full. */
const RETRY_MS = 100;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4). */
const MAX_BYTES_PER_UNIT = 3;

export class BufferedLogDestination {
  readonly #fd: number;
  readonly #size: number;
  readonly #minWrite: number;
  readonly #fs: FdWriter;
  /** The buffer lines are encoded into, and how much of it they fill. */
  #buffer: Buffer;
  #used = 0;
  /** Filled parts waiting for the write in flight, oldest first. */
  readonly #queue: Buffer[] = [];
  /** What is being written now (the rest of it, after a partial write). */
  #inFlight: Buffer | undefined;
  /** A full-size buffer whose write completed, reused for the next fill. */
  #spare: Buffer | undefined;
  #inFlightBase: Buffer | undefined;

  constructor(fd: number, options: LogDestinationOptions = {}) {
    this.#fd = fd;
    this.#size = options.bufferBytes ?? 64 * 1024;
    this.#minWrite = Math.min(options.minWriteBytes ?? 4096, this.#size);
    this.#fs = options.fs ?? NODE_FS;
    this.#buffer = Buffer.allocUnsafe(this.#size);
  }

  /** Takes one line (pino passes it with its newline). Never drops it; returns true as a stream would. */
  write(line: string): boolean {
    if (line.length * MAX_BYTES_PER_UNIT > this.#size - this.#used) {
      // It may not fit: what is buffered goes first, then the line, in a buffer of its own if it is that long.
      this.#seal();
      if (line.length * MAX_BYTES_PER_UNIT > this.#size) {
        this.#queue.push(Buffer.from(line, "utf8"));
        this.#next();
        return true;
      }
    }
    this.#used += this.#buffer.write(line, this.#used, "utf8");
    if (this.#used >= this.#minWrite && this.#inFlight === undefined) {
      this.#seal();
      this.#next();
    }
    return true;
  }

  /** Starts writing whatever waits (a quiet webhook's last lines must not wait for the next 4 KiB). */
  flush(): void {
    if (this.#inFlight !== undefined) return; // its completion writes the rest
    this.#seal();
    this.#next();
  }

  /** Writes everything buffered now, synchronously (before the process exits). */
  flushSync(): void {
    this.#seal();
    while (this.#queue.length > 0) {
      let part = this.#queue.shift()!;
      while (part.length > 0) {
        try {
          part = part.subarray(this.#fs.writeSync(this.#fd, part, 0, part.length));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN" && (error as NodeJS.ErrnoException).code !== "EBUSY") throw error;
          Atomics.wait(SLEEPER, 0, 0, RETRY_MS);
        }
      }
    }
  }

  /** Moves the filled part of the current buffer to the queue and starts a fresh one. */
  #seal(): void {
    if (this.#used === 0) return;
    this.#queue.push(this.#buffer.subarray(0, this.#used));
    this.#buffer = this.#spare ?? Buffer.allocUnsafe(this.#size);
    this.#spare = undefined;
    this.#used = 0;
  }

  /** Starts the next queued write, unless one is in flight. */
  #next(): void {
    if (this.#inFlight !== undefined) return;
    const part = this.#queue.shift();
    if (part === undefined) return;
    this.#inFlight = part;
    this.#inFlightBase = part;
    this.#writeInFlight();
  }

  #writeInFlight(): void {
    const part = this.#inFlight!;
    this.#fs.write(this.#fd, part, 0, part.length, null, (error, written) => {
      if (error !== null) {
        // A pipe that is full for now: try again shortly, as pino's destination does.
        if (error.code === "EAGAIN" || error.code === "EBUSY") {
          setTimeout(() => this.#writeInFlight(), RETRY_MS);
          return;
        }
        // Nowhere left to report a failed log write (stdout closed): drop this part, keep the order of the rest.
        written = part.length;
      }
      const rest = part.subarray(written);
      if (rest.length > 0) {
        this.#inFlight = rest;
        this.#writeInFlight();
        return;
      }
      const base = this.#inFlightBase!;
      this.#inFlight = undefined;
      this.#inFlightBase = undefined;
      // A buffer of the standard size (not a long line's own) is reused for the next fill.
      if (base.buffer.byteLength === this.#size && base.byteOffset === 0 && this.#spare === undefined) this.#spare = Buffer.from(base.buffer, 0, this.#size);
      if (this.#queue.length === 0 && this.#used >= this.#minWrite) this.#seal();
      this.#next();
    });
  }
}
