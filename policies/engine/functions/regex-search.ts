// Finding where an RE2 pattern matches, with Go regexp's leftmost-first
// semantics (what Kubernetes' find/findAll use).
//
// @bufbuild/re2 parses and compiles patterns the RE2 way but only answers
// yes/no (RE2JS.test); it has no API that returns match positions. So this
// file runs a Pike VM (the simulation Go's regexp/machine.go uses) over the
// program @bufbuild/re2 compiled. A Pike VM keeps at most one thread per
// instruction, so a search costs O(text length x program size): no input can
// make it backtrack, which is the point of insisting on RE2.
//
// The compiled program is reached through RE2JS.re2().prog, which is public
// in the typings but not documented; opcodes are read from the library's own
// Inst class at run time rather than copied, and an unknown opcode is an
// error, so a changed library fails loudly instead of matching wrongly.

import { RE2JS } from "@bufbuild/re2";

type Program = ReturnType<RE2JS["re2"]>["prog"];
type Instruction = Program["inst"][number];

interface OpCodes {
  ALT: number;
  ALT_MATCH: number;
  CAPTURE: number;
  EMPTY_WIDTH: number;
  FAIL: number;
  MATCH: number;
  NOP: number;
  RUNE: number;
  RUNE1: number;
  RUNE_ANY: number;
  RUNE_ANY_NOT_NL: number;
}

// Zero-width assertion bits, as RE2 (and @bufbuild/re2's Utils.js) define them.
const BEGIN_LINE = 0x01;
const END_LINE = 0x02;
const BEGIN_TEXT = 0x04;
const END_TEXT = 0x08;
const WORD_BOUNDARY = 0x10;
const NO_WORD_BOUNDARY = 0x20;

const END_OF_TEXT = -1;
const NEWLINE = 0x0a;

/**
 * How many text positions searchAll may step through: a fixed allowance plus
 * a multiple of the input length. One search is linear, but searchAll
 * restarts after each match, and a pattern like `a.*z|a` rescans the rest of
 * the text every time: quadratic in the (request-controlled) input. Go
 * behaves the same; Kubernetes bounds it with CEL cost limits, which this
 * engine does not have, so it is bounded here. Ordinary patterns step through
 * each position once or twice, far inside the budget.
 */
export const SEARCH_ALL_BASE_STEPS = 1_000_000;
export const SEARCH_ALL_STEPS_PER_CHAR = 16;

/** A match as [start, end) UTF-16 offsets into the searched string. */
export type Match = readonly [start: number, end: number];

/** Threads waiting at instructions, in priority order; at most one per instruction. */
class ThreadQueue {
  readonly #sparse: Int32Array;
  readonly pcs: Int32Array;
  /** Where each thread's match started; -1 for entries that only mark a visited instruction. */
  readonly starts: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.#sparse = new Int32Array(capacity);
    this.pcs = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
  }

  has(pc: number): boolean {
    const j = this.#sparse[pc] as number;
    return j < this.size && this.pcs[j] === pc;
  }

  push(pc: number, start: number): void {
    this.#sparse[pc] = this.size;
    this.pcs[this.size] = pc;
    this.starts[this.size] = start;
    this.size++;
  }
}

function isWordRune(r: number): boolean {
  return (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || (r >= 0x30 && r <= 0x39) || r === 0x5f;
}

/** The zero-width assertions that hold between runes `before` and `after`. */
function emptyContext(before: number, after: number): number {
  let flags = 0;
  if (before < 0) flags |= BEGIN_TEXT | BEGIN_LINE;
  if (before === NEWLINE) flags |= BEGIN_LINE;
  if (after < 0) flags |= END_TEXT | END_LINE;
  if (after === NEWLINE) flags |= END_LINE;
  flags |= isWordRune(before) !== isWordRune(after) ? WORD_BOUNDARY : NO_WORD_BOUNDARY;
  return flags;
}

function runeAt(text: string, pos: number): number {
  return pos < text.length ? (text.codePointAt(pos) as number) : END_OF_TEXT;
}

function runeWidth(rune: number): number {
  return rune < 0 ? 0 : rune > 0xffff ? 2 : 1;
}

function runeBefore(text: string, pos: number): number {
  if (pos <= 0) return END_OF_TEXT;
  const low = text.charCodeAt(pos - 1);
  if (low >= 0xdc00 && low <= 0xdfff && pos >= 2) {
    const high = text.charCodeAt(pos - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(pos - 2) as number;
  }
  return low;
}

export class RegexSearcher {
  readonly pattern: string;
  readonly #regex: RE2JS;
  readonly #program: Program;
  readonly #ops: OpCodes;
  /** Assertions every match must begin with; -1 when the pattern can never match. */
  readonly #startCondition: number;
  #runQueue: ThreadQueue;
  #nextQueue: ThreadQueue;
  readonly #stack: number[] = [];
  /** Text positions the last #run stepped through. */
  #stepped = 0;

  /** Throws @bufbuild/re2's syntax exception for an invalid pattern. */
  constructor(pattern: string) {
    this.pattern = pattern;
    this.#regex = RE2JS.compile(pattern);
    const re2 = this.#regex.re2();
    this.#program = re2.prog;
    this.#startCondition = re2.cond;
    // Instruction 0 is always FAIL; its class carries the opcode constants.
    this.#ops = (this.#program.inst[0] as Instruction).constructor as unknown as OpCodes;
    if (typeof this.#ops.MATCH !== "number" || typeof this.#ops.RUNE_ANY_NOT_NL !== "number") {
      throw new Error("@bufbuild/re2 internals changed: cannot read instruction opcodes");
    }
    const size = this.#program.inst.length;
    this.#runQueue = new ThreadQueue(size);
    this.#nextQueue = new ThreadQueue(size);
  }

  /** The leftmost-first match starting at or after `from`, or null. */
  search(text: string, from: number): Match | null {
    // RE2's own (DFA) yes/no answer is cheaper than the VM for the common miss.
    if (from === 0 && !this.#regex.test(text)) return null;
    return this.#run(text, from);
  }

  /**
   * Up to `limit` successive non-overlapping matches (all when limit < 0),
   * skipping an empty match that abuts the previous match, like Go's FindAll.
   */
  searchAll(text: string, limit: number): Match[] {
    const matches: Match[] = [];
    if (limit < 0) limit = text.length + 1;
    const budget = SEARCH_ALL_BASE_STEPS + SEARCH_ALL_STEPS_PER_CHAR * (text.length + 1);
    let work = 0;
    let previousEnd = -1;
    for (let pos = 0; matches.length < limit && pos <= text.length; ) {
      this.#stepped = 0;
      const match = this.search(text, pos);
      work += this.#stepped;
      if (work > budget) {
        throw new RangeError(`regex ${JSON.stringify(this.pattern)} is too costly to findAll on a ${text.length}-character string; simplify the pattern`);
      }
      if (match === null) break;
      const [start, end] = match;
      let accept = true;
      if (end === pos) {
        // An empty match: never right after the previous match, and step one rune on.
        if (start === previousEnd) accept = false;
        const width = runeWidth(runeAt(text, pos));
        pos = width > 0 ? pos + width : text.length + 1;
      } else {
        pos = end;
      }
      previousEnd = end;
      if (accept) matches.push(match);
    }
    return matches;
  }

  #run(text: string, pos: number): Match | null {
    const anchored = (this.#startCondition & BEGIN_TEXT) !== 0;
    if (this.#startCondition === -1 || (anchored && pos !== 0)) return null;
    let matchStart = -1;
    let matchEnd = -1;
    let run = this.#runQueue;
    let next = this.#nextQueue;
    run.size = 0;
    next.size = 0;

    let rune = runeAt(text, pos);
    let width = runeWidth(rune);
    let nextRune = rune < 0 ? END_OF_TEXT : runeAt(text, pos + width);
    let context = emptyContext(runeBefore(text, pos), rune);
    for (;;) {
      if (run.size === 0 && ((anchored && pos !== 0) || matchEnd >= 0)) break;
      this.#stepped++;
      // Until something matches, a new thread starts at every position:
      // that is what makes the search find the leftmost match.
      if (matchEnd < 0 && (pos === 0 || !anchored)) {
        this.#add(run, this.#program.start, pos, context);
      }
      const nextContext = emptyContext(rune, nextRune);
      // Step every thread over `rune`, in priority order.
      for (let j = 0; j < run.size; j++) {
        const start = run.starts[j] as number;
        if (start < 0) continue;
        const inst = this.#program.inst[run.pcs[j] as number] as Instruction;
        if (inst.op === this.#ops.MATCH) {
          // Leftmost-first: this match beats every lower-priority thread,
          // which are dropped; higher-priority ones already moved on and may
          // still produce a preferred (later-ending) match.
          matchStart = start;
          matchEnd = pos;
          break;
        }
        if (this.#consumes(inst, rune)) this.#add(next, inst.out, start, nextContext);
      }
      run.size = 0;
      if (width === 0) break;
      pos += width;
      rune = nextRune;
      width = runeWidth(rune);
      nextRune = rune < 0 ? END_OF_TEXT : runeAt(text, pos + width);
      context = nextContext;
      [run, next] = [next, run];
    }
    this.#runQueue = run;
    this.#nextQueue = next;
    return matchEnd >= 0 ? [matchStart, matchEnd] : null;
  }

  #consumes(inst: Instruction, rune: number): boolean {
    if (rune < 0) return false;
    const ops = this.#ops;
    switch (inst.op) {
      case ops.RUNE:
      case ops.RUNE1:
        return inst.matchRune(rune);
      case ops.RUNE_ANY:
        return true;
      case ops.RUNE_ANY_NOT_NL:
        return rune !== NEWLINE;
      default:
        throw new Error(`unexpected regex instruction ${inst.op}`);
    }
  }

  /**
   * Adds a thread at `pc` and follows empty transitions depth-first, higher
   * priority branch (`out`) first, so queue order is match preference order.
   * An explicit stack: deep programs (a{1000}) must not overflow the JS stack.
   */
  #add(queue: ThreadQueue, pc: number, start: number, context: number): void {
    const ops = this.#ops;
    const stack = this.#stack;
    stack.length = 0;
    stack.push(pc);
    while (stack.length > 0) {
      const at = stack.pop() as number;
      // Instruction 0 is FAIL and doubles as the "no next instruction" marker.
      if (at === 0 || queue.has(at)) continue;
      const inst = this.#program.inst[at] as Instruction;
      switch (inst.op) {
        case ops.FAIL:
          queue.push(at, -1);
          break;
        case ops.ALT:
        case ops.ALT_MATCH:
          queue.push(at, -1);
          stack.push(inst.arg, inst.out);
          break;
        case ops.EMPTY_WIDTH:
          queue.push(at, -1);
          if ((inst.arg & ~context) === 0) stack.push(inst.out);
          break;
        case ops.NOP:
        case ops.CAPTURE:
          // Submatch positions are not needed by find/findAll, so captures are steps.
          queue.push(at, -1);
          stack.push(inst.out);
          break;
        case ops.MATCH:
        case ops.RUNE:
        case ops.RUNE1:
        case ops.RUNE_ANY:
        case ops.RUNE_ANY_NOT_NL:
          queue.push(at, start);
          break;
        default:
          throw new Error(`unexpected regex instruction ${inst.op}`);
      }
    }
  }
}
