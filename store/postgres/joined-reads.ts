// Reads that callers asking at the same moment share, without any of them getting an answer older
// than its question. A status asks the database whether the identity record, the channel's release
// or the Teams references changed (another replica may have written); sixteen statuses at once
// asked it sixteen times, and on a small machine the server's share of the CPU is the answers'.
//
// The rule that keeps every answer fresh: a caller may only share a read sent after it asked. So a
// caller that finds a read of its key on the way waits for it, and the callers that come meanwhile
// share the next one, sent as soon as that one is back; a caller that finds none sends its own at
// once, so a read alone costs no more than before. What a read sees is what was committed when the
// server ran it, which is after it was sent, so after each of its callers asked.

interface Pending<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface KeyState<T> {
  /** The read the callers who came while one was on its way will share; not sent yet. */
  next: Pending<T> | undefined;
  /** How to make it: the latest caller's way. */
  read: () => Promise<T>;
}

export class JoinedReads<T> {
  private readonly keys = new Map<string, KeyState<T>>();

  /** `read`'s answer for `key`, shared with the other callers of `key` as above; `read` must answer the same for each. */
  read(key: string, read: () => Promise<T>): Promise<T> {
    const state = this.keys.get(key);
    if (!state) {
      this.keys.set(key, { next: undefined, read });
      return this.send(key, read);
    }
    state.read = read;
    state.next ??= pending<T>();
    return state.next.promise;
  }

  private send(key: string, read: () => Promise<T>): Promise<T> {
    let sent: Promise<T>;
    try {
      sent = read();
    } catch (error) {
      sent = Promise.reject(error);
    }
    const after = () => {
      const state = this.keys.get(key)!;
      const next = state.next;
      if (!next) {
        this.keys.delete(key);
        return;
      }
      state.next = undefined;
      this.send(key, state.read).then(next.resolve, next.reject);
    };
    sent.then(after, after);
    return sent;
  }
}

function pending<T>(): Pending<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
