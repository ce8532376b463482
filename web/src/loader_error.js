// The model loader's one error type and the small helpers its files share.
// A LoaderError says in its message what failed (URL, byte range, status,
// shortfall) and carries a machine-readable `code`:
//   'http'      the server answered an error status (`status` is set)
//   'network'   the connection failed, was cut short or stalled, after retries
//   'integrity' a response was not the bytes asked for (size, Content-Range)
//   'changed'   the file changed on the server while it was being loaded
//   'too-large' the server says the file is larger than maxModelBytes
//               (`sizeBytes` is set), checked before anything is sized from it
//   'quota'     not enough storage (`shortfallBytes` is set)
//   'storage'   the Cache API / IndexedDB failed otherwise
//   'timeout'   a storage operation did not finish in time
//   'usage'     bad arguments
export class LoaderError extends Error {
  constructor(code, message, { status, retryable = false, cause, ...extra } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'LoaderError';
    this.code = code;
    if (status !== undefined) this.status = status;
    this.retryable = retryable;
    Object.assign(this, extra);
  }
}

// Megabytes (10^6 bytes) for messages: one decimal, three below 0.1 MB.
export function mb(bytes) {
  return (bytes / 1e6).toFixed(Math.abs(bytes) >= 1e5 ? 1 : 3);
}

export function throwIfAborted(signal) {
  if (signal && signal.aborted) throw abortReason(signal);
}

export function abortReason(signal) {
  return signal.reason !== undefined ? signal.reason : new DOMException('The model load was aborted', 'AbortError');
}

// Resolves after `ms`, or rejects at once with the abort reason.
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

// `promise`, or a 'timeout' LoaderError naming `what` after `ms`.
export function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new LoaderError('timeout', `lantern: ${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// True for a DOMException (or a wrapped one) that means the storage is full.
export function isQuotaError(e) {
  return !!e && (e.name === 'QuotaExceededError' || e.code === 22 || (e.code === 'quota'));
}
