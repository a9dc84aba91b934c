/**
 * An unbounded push queue read as an async iterator: what `for await (const event of election)` reads.
 * Each iterator gets its own queue, so a slow reader never makes an emitter wait; `return()` (a
 * `break` out of the loop) unsubscribes.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  #buffer: T[] = [];
  #pending: ((result: IteratorResult<T>) => void) | undefined;
  #done = false;
  readonly #onReturn: () => void;

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(value: T): void {
    if (this.#done) return;
    const pending = this.#pending;
    if (pending != null) {
      this.#pending = undefined;
      pending({ value, done: false });
    } else {
      this.#buffer.push(value);
    }
  }

  /** Ends the iteration once buffered events are read. */
  end(): void {
    this.#done = true;
    if (this.#buffer.length === 0) this.#settleDone();
  }

  #settleDone(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.#buffer.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#pending = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#done = true;
    this.#buffer = [];
    this.#settleDone();
    this.#onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
