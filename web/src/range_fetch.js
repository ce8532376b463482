// The network side of the model loader: learns a file's size and validators
// (HEAD, or the Content-Range of a first ranged GET), then fetches byte
// ranges and checks each response is exactly the bytes asked for (206 with
// the right Content-Range and length, or a 200 of the whole file from a
// server that ignores Range, which is then sliced). Transient failures
// (connection errors, short bodies, stalls, 408/429/502/503/504) are retried
// with backoff; other HTTP errors fail at once with the URL and the status.
import { LoaderError, abortReason, sleep, throwIfAborted } from './loader_error.js';

const RETRYABLE_STATUS = new Set([408, 425, 429, 502, 503, 504]);
// HEAD refused (S3 URLs presigned for GET answer 403): learn the size by GET.
const HEAD_FALLBACK_STATUS = new Set([403, 405, 501]);
// The largest file the loader accepts (option maxModelBytes): the server's
// word for the size is checked against it before anything is sized from it
// (a Content-Length of 1e20 used to freeze the tab for 103 s laying out
// 3e12 chunks). No model a browser can run comes near it.
export const MAX_MODEL_BYTES = 128 * 2 ** 30;

export class RangeFetcher {
  constructor(url, { fetchImpl, retries = 3, retryDelayMs = 250, stallTimeoutMs = 30000, maxModelBytes = MAX_MODEL_BYTES } = {}) {
    this.url = url;
    this.maxModelBytes = maxModelBytes;
    this.fetch = (u, init) => fetchImpl(u, init);  // unbound call: window.fetch needs no `this`
    this.retries = retries;
    this.retryDelayMs = retryDelayMs;
    this.stallTimeoutMs = stallTimeoutMs;
    this.size = null;
    this.etag = null;
    this.lastModified = null;
    this.rangesIgnored = false;  // the server answered a ranged GET with the whole file
    this.bytesReceived = 0;      // every body byte taken from the network
  }

  // Learns size, ETag and Last-Modified. Returns the first bytes when it had
  // to GET them to learn the size ({start: 0, bytes}), else null.
  async probe(firstLength, signal) {
    const head = await this.withRetries('HEAD', signal, () => this.attempt({ method: 'HEAD' }, signal, async (res) => {
      if (res.ok || HEAD_FALLBACK_STATUS.has(res.status)) return res;
      throw httpError(res, this.url, 'HEAD');
    }));
    if (head.ok) {
      this.noteValidators(head);
      const n = identityLength(head);
      if (n !== null) {
        this.size = this.checkSize(n, 'its Content-Length');
        return null;
      }
    }
    // No usable length from HEAD: a ranged GET of the first chunk tells it.
    return this.withRetries(`bytes 0-${firstLength - 1}`, signal, (onRestart) =>
      this.attempt({ headers: { Range: `bytes=0-${firstLength - 1}` } }, signal, async (res, watch) => {
        if (res.status === 206) {
          const cr = parseContentRange(res.headers.get('content-range'));
          if (!cr || cr.total === null)
            throw new LoaderError('integrity', `lantern: cannot learn the size of ${this.url}: its 206 response has no readable Content-Range (a cross-origin server must expose it)`);
          this.noteValidators(res);
          this.size = this.checkSize(cr.total, 'the total of its Content-Range');
          const want = Math.min(firstLength, this.size);
          if (cr.first !== 0 || cr.last !== want - 1) throw rangeMismatch(this.url, 0, want, cr);
          return { start: 0, bytes: await this.readBody(res, watch, 0, want, null) };
        }
        if (res.status === 200) {
          this.noteValidators(res);
          this.rangesIgnored = true;
          const n = identityLength(res);
          if (n === null) {  // unknown length: the whole body is the file
            const bytes = await this.readBody(res, watch, 0, Infinity, null);
            this.size = bytes.length;
            return { start: 0, bytes };
          }
          this.size = this.checkSize(n, 'its Content-Length');
          return { start: 0, bytes: await this.readBody(res, watch, 0, Math.min(firstLength, n), null) };
        }
        throw httpError(res, this.url, `bytes 0-${firstLength - 1}`);
      }));
  }

  // Exactly bytes [start, end). hooks: {onBytes(n), onRestart()} for progress.
  fetchRange(start, end, signal, hooks = {}) {
    const what = `bytes ${start}-${end - 1}`;
    return this.withRetries(what, signal, () => {
      if (hooks.onRestart) hooks.onRestart();
      const init = this.rangesIgnored ? {} : { headers: { Range: `bytes=${start}-${end - 1}` } };
      return this.attempt(init, signal, async (res, watch) => {
        this.checkValidators(res);
        if (res.status === 206) {
          const cr = parseContentRange(res.headers.get('content-range'));
          // Unreadable (cross-origin, not exposed): the exact length still has to match.
          if (cr) {
            if (cr.total !== null && cr.total !== this.size) throw changedError(this.url, `its size is now ${cr.total}, was ${this.size}`);
            if (cr.first !== start || cr.last !== end - 1) throw rangeMismatch(this.url, start, end, cr);
          }
          return this.readBody(res, watch, 0, end - start, hooks.onBytes);
        }
        if (res.status === 200) {
          const n = identityLength(res);
          if (n !== null && n !== this.size) throw changedError(this.url, `its size is now ${n}, was ${this.size}`);
          this.rangesIgnored = true;
          return this.readBody(res, watch, start, end - start, hooks.onBytes);
        }
        throw httpError(res, this.url, what);
      });
    });
  }

  // For a server that ignores Range: one GET of the whole file, cut into the
  // given chunks (sorted by start) as it streams; `onPiece(index, bytes)` is
  // awaited for each (backpressure). A retry skips the chunks already handed out.
  async readWhole(chunks, indexes, signal, onPiece, hooks = {}) {
    let pending = [...indexes].sort((a, b) => chunks[a].start - chunks[b].start);
    await this.withRetries('the whole file', signal, () => {
      for (const i of pending) if (hooks.onRestart) hooks.onRestart(i);
      return this.attempt({}, signal, async (res, watch) => {
        this.checkValidators(res);
        if (res.status !== 200 && res.status !== 206) throw httpError(res, this.url, 'the whole file');
        if (res.status === 206) throw new LoaderError('integrity', `lantern: ${this.url} answered 206 to a GET without Range`, { retryable: true });
        const reader = res.body.getReader();
        let pos = 0;         // file offset of the next byte the body yields
        let piece = null;    // buffer of the chunk being filled
        let filled = 0;
        try {
          while (pending.length) {
            const { done, value } = await watch.read(reader);
            if (done) throw shortError(this.url, 'the whole file', pos, this.size);
            this.bytesReceived += value.length;
            let off = 0;
            while (off < value.length && pending.length) {
              const cur = chunks[pending[0]];
              if (pos < cur.start) {  // bytes before the next chunk we need
                const skip = Math.min(value.length - off, cur.start - pos);
                off += skip;
                pos += skip;
                continue;
              }
              if (!piece) {
                piece = new Uint8Array(cur.end - cur.start);
                filled = 0;
              }
              const take = Math.min(value.length - off, piece.length - filled);
              piece.set(value.subarray(off, off + take), filled);
              if (hooks.onBytes) hooks.onBytes(pending[0], take);
              filled += take;
              off += take;
              pos += take;
              if (filled === piece.length) {
                const index = pending.shift();
                const bytes = piece;
                piece = null;
                watch.pause();
                await onPiece(index, bytes);
                watch.kick();
              }
            }
          }
        } finally {
          reader.cancel().catch(() => {});
        }
      });
    });
  }

  // One request: fetch with a stall watchdog, then `handle(res, watch)`.
  async attempt(init, signal, handle) {
    const ac = new AbortController();
    const onAbort = () => ac.abort(abortReason(signal));
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    const watch = new StallWatch(ac, this.stallTimeoutMs, this.url);
    try {
      const res = await this.fetch(this.url, { ...init, cache: 'no-store', signal: ac.signal });
      watch.kick();
      return await handle(res, watch);
    } catch (e) {
      if (signal && signal.aborted) throw abortReason(signal);
      if (watch.fired) throw watch.error;
      throw e;
    } finally {
      watch.stop();
      if (signal) signal.removeEventListener('abort', onAbort);
    }
  }

  // Runs `fn` until it succeeds, a non-retryable error, or the retries are spent.
  async withRetries(what, signal, fn) {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      try {
        return await fn();
      } catch (e) {
        if (signal && signal.aborted) throw abortReason(signal);
        const retryable = e instanceof TypeError || (e instanceof LoaderError && e.retryable);
        if (!retryable) throw e;
        if (attempt >= this.retries) {
          throw new LoaderError(e.code === 'integrity' || e.code === 'http' ? e.code : 'network',
            `lantern: could not load ${what} of ${this.url} after ${attempt + 1} attempts: ${e.message}`, { cause: e, status: e.status });
        }
        await sleep(this.retryDelayMs * 3 ** attempt, signal);
      }
    }
  }

  // Reads `length` body bytes after skipping `skip` (for a sliced 200); a
  // body shorter than that is an error, so is a longer one unless sliced.
  async readBody(res, watch, skip, length, onBytes) {
    const reader = res.body.getReader();
    const parts = length === Infinity ? [] : null;
    const out = parts ? null : new Uint8Array(length);
    let skipped = 0;
    let got = 0;
    try {
      for (;;) {
        const { done, value } = await watch.read(reader);
        if (done) break;
        this.bytesReceived += value.length;
        let v = value;
        if (skipped < skip) {
          const s = Math.min(skip - skipped, v.length);
          skipped += s;
          v = v.subarray(s);
          if (!v.length) continue;
        }
        if (parts) {
          parts.push(v);
          got += v.length;
          this.checkSize(got, 'its body so far (no Content-Length)');
          continue;
        }
        if (got + v.length > length) {
          if (skip > 0 || res.status === 200) {  // slicing a whole file: take what we need, stop
            out.set(v.subarray(0, length - got), got);
            if (onBytes) onBytes(length - got);
            got = length;
            break;
          }
          throw new LoaderError('integrity', `lantern: ${this.url} sent more than the ${length} bytes asked for`, { retryable: true });
        }
        out.set(v, got);
        got += v.length;
        if (onBytes) onBytes(v.length);
        if (got === length && (skip > 0 || res.status === 200)) break;
      }
    } finally {
      reader.cancel().catch(() => {});
    }
    if (parts) {
      const all = new Uint8Array(got);
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      return all;
    }
    if (got < length) throw shortError(this.url, `bytes ${skip}-${skip + length - 1}`, got, length);
    return out;
  }

  // A size the server gave, before anything is sized from it.
  checkSize(n, where) {
    if (!Number.isSafeInteger(n) || n > this.maxModelBytes) {
      throw new LoaderError('too-large', `lantern: ${this.url} is ${n} bytes by ${where}, over the ${this.maxModelBytes} bytes ` +
        `(${(this.maxModelBytes / 2 ** 30).toFixed(1)} GiB) the loader accepts (option maxModelBytes)`, { sizeBytes: n });
    }
    return n;
  }

  noteValidators(res) {
    this.etag = res.headers.get('etag');
    this.lastModified = res.headers.get('last-modified');
  }

  // A response with another ETag than the one at the start: the file changed.
  checkValidators(res) {
    const etag = res.headers.get('etag');
    if (etag && this.etag && etag !== this.etag) throw changedError(this.url, `ETag ${this.etag} became ${etag}`);
  }
}

// Aborts a request when no bytes came for `ms` (a stalled server would
// otherwise hang the load forever); paused while the caller is busy.
class StallWatch {
  constructor(ac, ms, url) {
    this.ac = ac;
    this.ms = ms;
    this.url = url;
    this.fired = false;
    this.error = null;
    this.timer = null;
    this.kick();
  }
  kick() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.error = new LoaderError('network', `lantern: no data from ${this.url} for ${this.ms / 1000} s`, { retryable: true });
      this.ac.abort(this.error);
    }, this.ms);
  }
  pause() {
    clearTimeout(this.timer);
  }
  stop() {
    clearTimeout(this.timer);
  }
  async read(reader) {
    const r = await reader.read();
    this.kick();
    return r;
  }
}

// Content-Length when it is the file's own length (no Content-Encoding).
function identityLength(res) {
  const enc = res.headers.get('content-encoding');
  if (enc && enc !== 'identity') return null;
  const len = res.headers.get('content-length');
  if (len === null || !/^\d+$/.test(len.trim())) return null;
  return Number(len);
}

// "bytes 0-99/1234" -> {first, last, total}; total null for "*".
export function parseContentRange(header) {
  if (!header) return null;
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) return null;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

function httpError(res, url, what) {
  const text = res.statusText ? ` ${res.statusText}` : '';
  return new LoaderError('http', `lantern: HTTP ${res.status}${text} for ${url} (${what})`,
    { status: res.status, retryable: RETRYABLE_STATUS.has(res.status) });
}

function rangeMismatch(url, start, end, cr) {
  return new LoaderError('integrity', `lantern: ${url} answered bytes ${cr.first}-${cr.last} to a request for bytes ${start}-${end - 1}`, { retryable: true });
}

function shortError(url, what, got, want) {
  return new LoaderError('network', `lantern: ${url} sent ${got} of ${want} bytes of ${what} (connection cut short)`, { retryable: true });
}

function changedError(url, how) {
  return new LoaderError('changed', `lantern: ${url} changed on the server while loading (${how}); load it again`);
}
