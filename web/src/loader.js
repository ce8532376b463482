// The model loader: opens a model file by URL and hands its bytes to the
// engine chunk by chunk (HTTP Range requests, a few in flight), keeping each
// chunk in the Cache API or IndexedDB so the next visit reads it from there.
// A model is marked complete only when every chunk is stored; an interrupted
// download resumes from the stored chunks; a stored chunk of the wrong size or
// digest is fetched again; the server's size is checked against maxModelBytes
// before anything is sized from it; before downloading, the storage estimate
// must cover what is still to store. Design notes and the storage layout:
// docs/web-sdk.md ("Loading").
//
//   const source = await openModelSource(url, {onProgress});
//   const header = await source.read(0, 4 << 20);
//   await source.stream((offset, bytes) => upload(offset, bytes));
import { chunkDigest, digestMatches } from './chunk_digest.js';
import { openChunkStore } from './chunk_store.js';
import { LoadProgress } from './load_progress.js';
import { LoaderError, abortReason, isQuotaError, mb, throwIfAborted, withTimeout } from './loader_error.js';
import { MAX_MODEL_BYTES, RangeFetcher } from './range_fetch.js';
import { shardUrls } from './split_model.js';

export { LoaderError } from './loader_error.js';

const DEFAULTS = {
  chunkSize: 32 * 1024 * 1024,
  concurrency: 3,
  cache: 'cache',            // 'cache' | 'indexeddb' | 'none'
  cacheName: 'lantern-models',
  onProgress: () => {},
  signal: undefined,
  fetchImpl: undefined,      // globalThis.fetch at call time
  requestPersist: true,
  retries: 3,                // extra attempts per request, backoff 250 ms x 3^n
  retryDelayMs: 250,
  stallTimeoutMs: 30000,     // a request with no data for this long is retried
  phaseClock: null,          // a PhaseClock: times 'download', 'cache_read', 'cache_write' (benchmarks)
  maxModelBytes: MAX_MODEL_BYTES,  // a larger size from the server is refused ('too-large') before use
};
const MAX_CHUNKS = 1 << 20;  // a stored marker whose layout has more is not ours: its chunks are dropped
const MEMO_CHUNKS = 2;       // chunks read() keeps for stream() to deliver without a second read

export async function openModelSource(url, options = {}) {
  const source = new ModelSource(modelUrl(url), normalizeOptions(options));
  await source.open();
  return source;
}

// True when the model at `url` is stored completely (marker and every chunk)
// and its first chunk, the header, is stored right (its digest matches) and
// starts like a GGUF file. Other chunks are checked as a load reads them.
// A split model's first shard stands for all its shards (split_model.js).
export async function hasModelInCache(url, { cache = DEFAULTS.cache, cacheName = DEFAULTS.cacheName } = {}) {
  if (cache === 'none') return false;
  const store = await openChunkStore(cache, cacheName, { create: false });
  if (!store) return false;
  for (const u of shardUrls(url)) if (!(await storedRight(store, u))) return false;
  return true;
}

async function storedRight(store, url) {
  const u = modelUrl(url);
  const marker = await store.readMarker(u);
  if (!marker || !marker.complete || !saneLayout(marker) || !Number.isSafeInteger(marker.size) || marker.size < 1) return false;
  const stored = await store.listChunks(u);
  const chunks = chunkLayout(marker.size, marker.chunkSize);
  if (!chunks.every((c) => stored.has(c.start) && [null, c.end].includes(stored.get(c.start)))) return false;
  const header = await store.readChunk(u, 0, chunks[0].end);
  return !!header && header.bytes.length === chunks[0].end && startsLikeGguf(header.bytes) && digestMatches(header.bytes, header.digest);
}

// The GGUF magic; the engine's reader checks the rest of the header.
function startsLikeGguf(bytes) {
  return bytes.length >= 4 && bytes[0] === 0x47 && bytes[1] === 0x47 && bytes[2] === 0x55 && bytes[3] === 0x46;
}

// Removes every chunk and the marker of `url` (of every shard, for a split
// model's first shard); true when anything was removed.
export async function deleteModelFromCache(url, { cache = DEFAULTS.cache, cacheName = DEFAULTS.cacheName } = {}) {
  if (cache === 'none') return false;
  const store = await openChunkStore(cache, cacheName, { create: false });
  if (!store) return false;
  let removed = 0;
  for (const u of shardUrls(url)) removed += await store.deleteModel(modelUrl(u));
  return removed > 0;
}

class ModelSource {
  constructor(url, options) {
    this.url = url;
    this.size = 0;
    this.cachedComplete = false;
    this.options = options;
    this.chunkSize = options.chunkSize;
    this.chunks = [];
    this.store = null;
    this.stored = new Set();   // chunk indexes present in the store
    this.memo = new Map();     // chunk index -> {bytes, fromNetwork}, from read()
    this.markerComplete = false;
    this.fetcher = new RangeFetcher(url, options);
    this.bytesFromCache = 0;
    this.verifyMs = 0;         // hashing chunks read from the store
    this.counts = { chunksFromNetwork: 0, chunksFromCache: 0, chunksRefetched: 0 };
    this.streaming = false;
  }

  async open() {
    const { signal } = this.options;
    throwIfAborted(signal);
    this.store = await openChunkStore(this.options.cache, this.options.cacheName);
    let marker = this.store ? await this.store.readMarker(this.url) : null;
    let first = null;
    let offlineError = null;
    try {
      first = await this.timed('probe', this.fetcher.probe(this.chunkSize, signal));
    } catch (e) {
      // Offline with the whole model stored: serve it from the store, unvalidated.
      if (e.code !== 'network' || !marker || !marker.complete) throw e;
      offlineError = e;
      Object.assign(this.fetcher, { size: this.fetcher.checkSize(marker.size, 'its stored marker'),
        etag: marker.etag || null, lastModified: marker.lastModified || null });
    }
    this.size = this.fetcher.size;
    if (marker && (!sameFile(marker, this.fetcher) || !saneLayout(marker))) {
      // The file changed on the server (size or validators): its chunks are stale.
      await this.store.deleteModel(this.url);
      marker = null;
    }
    if (marker && marker.chunkSize > 0) this.chunkSize = marker.chunkSize;  // resume in the stored layout
    this.chunks = chunkLayout(this.size, this.chunkSize);
    if (first && this.chunks.length && first.bytes.length === this.chunks[0].end)
      this.memo.set(0, { bytes: first.bytes, fromNetwork: true });
    if (this.store) await this.findStoredChunks();
    this.markerComplete = !!(marker && marker.complete);
    this.cachedComplete = this.markerComplete && this.stored.size === this.chunks.length;
    if (offlineError && !this.cachedComplete) throw offlineError;
    if (this.store && !this.cachedComplete) {
      await this.checkQuota();
      await this.requestPersist();
      if (!marker || marker.complete || marker.chunkSize !== this.chunkSize) await this.writeMarker(false);
    }
    const needsNetwork = this.chunks.map((_, i) => i).filter((i) => !this.stored.has(i) && !this.memo.has(i));
    this.progress = new LoadProgress(this.options.onProgress, this.chunks, needsNetwork, this.size);
  }

  // Bytes [offset, offset+length), from the store when there, else the network
  // (and stored as the chunk(s) it belongs to).
  async read(offset, length) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size)
      throw new LoaderError('usage', `lantern: read(${offset}, ${length}) is outside ${this.url} (${this.size} bytes)`);
    const out = new Uint8Array(length);
    if (!length) return out;
    this.progress.begin();
    const firstChunk = Math.floor(offset / this.chunkSize);
    const lastChunk = Math.floor((offset + length - 1) / this.chunkSize);
    for (let i = firstChunk; i <= lastChunk; i++) {
      const got = await this.obtain(i, this.options.signal);
      await this.storeChunk(i, got.bytes);
      this.progress.finish(i, got.fromNetwork);
      const c = this.chunks[i];
      const from = Math.max(offset, c.start), to = Math.min(offset + length, c.end);
      out.set(got.bytes.subarray(from - c.start, to - c.start), from - offset);
      this.memo.set(i, got);
      while (this.memo.size > MEMO_CHUNKS) this.memo.delete(this.memo.keys().next().value);
    }
    return out;
  }

  // Delivers every chunk ending after `skipBefore` exactly once (any order, at
  // most `concurrency` in flight, each onChunk awaited before its memory is
  // dropped); chunks before it are only stored when missing. Marks the model
  // complete once every chunk is stored.
  async stream(onChunk, { skipBefore = 0 } = {}) {
    if (typeof onChunk !== 'function') throw new LoaderError('usage', 'lantern: stream(onChunk) needs a function');
    if (this.streaming) throw new LoaderError('usage', `lantern: ${this.url} is already being streamed`);
    this.streaming = true;
    try {
      return await this.streamAll(onChunk, skipBefore);
    } finally {
      this.streaming = false;
    }
  }

  async streamAll(onChunk, skipBefore) {
    const t0 = performance.now();
    const { signal, concurrency } = this.options;
    const deliver = (i) => this.chunks[i].end > skipBefore;
    const work = this.chunks.map((_, i) => i).filter((i) => deliver(i) || (this.store && !this.stored.has(i)));
    const wholeFile = [];  // chunks to cut from one GET when the server ignores Range
    let failure = null;
    let next = 0;
    this.progress.begin();

    const handle = async (i, got) => {
      const storing = this.storeChunk(i, got.bytes);  // copies the bytes before onChunk sees them
      const delivering = deliver(i) ? Promise.resolve().then(() => onChunk(this.chunks[i].start, got.bytes)) : null;
      const [s, d] = await Promise.allSettled([storing, delivering]);
      if (s.status === 'rejected') throw s.reason;
      if (d.status === 'rejected') throw d.reason;
      this.counts[got.fromNetwork ? 'chunksFromNetwork' : 'chunksFromCache']++;
      this.progress.finish(i, got.fromNetwork);
    };
    // A failure stops new work; chunks in flight still finish and are stored,
    // so a resume has them.
    const worker = async () => {
      while (!failure && next < work.length) {
        const i = work[next++];
        try {
          throwIfAborted(signal);
          if (this.fetcher.rangesIgnored && !this.memo.has(i) && !this.stored.has(i)) wholeFile.push(i);
          else await handle(i, await this.obtain(i, signal));
        } catch (e) {
          if (!failure) failure = e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
    if (!failure && wholeFile.length) {
      try {
        await this.fetcher.readWhole(this.chunks, wholeFile, signal, (i, bytes) => handle(i, { bytes, fromNetwork: true }), {
          onBytes: (i, n) => this.progress.bytes(i, n),
          onRestart: (i) => this.progress.restart(i),
        });
      } catch (e) {
        failure = e;
      }
    }
    if (failure) throw signal && signal.aborted ? abortReason(signal) : failure;
    if (this.store && this.stored.size === this.chunks.length) await this.writeMarker(true);
    return {
      bytesFromNetwork: this.fetcher.bytesReceived,
      bytesFromCache: this.bytesFromCache,
      verifyMs: this.verifyMs,
      ms: performance.now() - t0,
      ...this.counts,
    };
  }

  // Chunk i: from read()'s memo, the store (checked for size), or the network.
  async obtain(i, signal) {
    const c = this.chunks[i];
    const kept = this.memo.get(i);
    if (kept) {
      this.memo.delete(i);
      return kept;
    }
    if (this.store && this.stored.has(i)) {
      const got = await this.timed('cache_read', this.store.readChunk(this.url, c.start, c.end));
      if (got && got.bytes.length === c.end - c.start && this.verified(got)) {
        this.bytesFromCache += got.bytes.length;
        return { bytes: got.bytes, fromNetwork: false };
      }
      // Missing, the wrong size (a cut-off write) or not the bytes stored (a
      // bad disk, a tampered entry, no digest): fetch it again, and the model
      // is not complete until it is stored right.
      this.stored.delete(i);
      this.counts.chunksRefetched++;
      this.progress.needNetwork(i);
      if (this.markerComplete) await this.writeMarker(false);
    }
    const bytes = await this.timed('download', this.fetcher.fetchRange(c.start, c.end, signal, {
      onBytes: (n) => this.progress.bytes(i, n),
      onRestart: () => this.progress.restart(i),
    }));
    return { bytes, fromNetwork: true };
  }

  // Does a stored chunk hash to the digest stored with it? Timed apart
  // (verifyMs, phase cache_verify) to show what the check costs a load from the cache.
  verified({ bytes, digest }) {
    const end = this.options.phaseClock ? this.options.phaseClock.start('cache_verify') : null;
    const t0 = performance.now();
    const ok = digestMatches(bytes, digest);
    this.verifyMs += performance.now() - t0;
    if (end) end();
    return ok;
  }

  timed(phase, work) {
    return this.options.phaseClock ? this.options.phaseClock.time(phase, work) : work;
  }

  // Stores chunk i with its digest unless it is there; the bytes are copied
  // before this returns.
  storeChunk(i, bytes) {
    if (!this.store || this.stored.has(i)) return null;
    const c = this.chunks[i];
    let put;
    try {
      put = this.timed('cache_write', this.store.writeChunk(this.url, c.start, c.end, bytes, chunkDigest(bytes)));
    } catch (e) {
      put = Promise.reject(e);
    }
    return put.then(() => { this.stored.add(i); }, (e) => this.storeFailed(e, c));
  }

  // QuotaExceededError keeps the chunks stored so far (a later load resumes
  // from them once space is freed) and never marks the model complete.
  async storeFailed(e, c) {
    if (isQuotaError(e)) throw await this.quotaError(e, null, c.end - c.start);
    throw new LoaderError('storage', `lantern: storing bytes ${c.start}-${c.end - 1} of ${this.url} in the ${this.store.kind} failed: ${e && e.message}`, { cause: e });
  }

  async findStoredChunks() {
    const listed = await this.store.listChunks(this.url);
    const index = new Map(this.chunks.map((c, i) => [c.start, i]));
    for (const [start, end] of listed) {
      const i = index.get(start);
      if (i !== undefined && (end === null || end === this.chunks[i].end)) this.stored.add(i);
      else await this.store.deleteChunk(this.url, start, end);  // another layout's leftover
    }
  }

  bytesToStore() {
    return this.chunks.reduce((n, c, i) => n + (this.stored.has(i) ? 0 : c.end - c.start), 0);
  }

  // Fails before any download when the free quota cannot hold what is left.
  async checkQuota() {
    const need = this.bytesToStore();
    if (!need) return;
    const est = await storageEstimate();
    if (est && est.quota - est.usage < need) throw await this.quotaError(null, est);
  }

  // The error names the shortfall: from the estimate when it agrees with the
  // store, else a lower bound (the refused chunk of `refused` bytes did not
  // fit, so free space was below it). Chromium reports a static quota
  // (usage + 10 GiB) to estimate() while it enforces the real one on writes.
  async quotaError(cause, known, refused = 0) {
    const need = this.bytesToStore();
    const est = known || (await storageEstimate());
    const where = `the ${this.store.kind} (cache '${this.options.cacheName}')`;
    const free = est ? Math.max(0, est.quota - est.usage) : null;
    const head = `lantern: not enough storage to cache ${this.url} in ${where}: ${mb(need)} MB still to store`;
    let msg, shortfall, lowerBound = false;
    if (free !== null && free < need) {
      shortfall = need - free;
      msg = `${head}, ${mb(free)} MB free (quota ${mb(est.quota)} MB, ${mb(est.usage)} MB used): short by ${mb(shortfall)} MB`;
    } else {
      shortfall = Math.max(0, need - refused);
      lowerBound = true;
      msg = `${head}, and the browser refused ${refused ? `a ${mb(refused)} MB` : 'a small'} write (QuotaExceededError): short by ` +
        (shortfall > 0 ? `more than ${mb(shortfall)} MB` : refused ? `up to ${mb(refused)} MB` : 'a few kB') +
        (free !== null ? ` (navigator.storage.estimate() claims ${mb(free)} MB free, which the browser does not enforce)` : '');
    }
    msg += '. Free space (deleteModelFromCache) or load with cache: \'none\'.' + (cause ? ` (${cause.name}: ${cause.message})` : '');
    return new LoaderError('quota', msg, { cause: cause || undefined, neededBytes: need, shortfallBytes: shortfall, shortfallIsLowerBound: lowerBound });
  }

  async requestPersist() {
    const s = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!this.options.requestPersist || !s || typeof s.persist !== 'function') return;  // no persist() in workers
    try {
      if (s.persisted && (await withTimeout(s.persisted(), 5000, 'storage.persisted()'))) return;
      await withTimeout(s.persist(), 5000, 'storage.persist()');
    } catch {
      // Refused or not answered: the cache still works, it may just be evicted.
    }
  }

  async writeMarker(complete) {
    const f = this.fetcher;
    try {
      await this.store.writeMarker(this.url, {
        url: this.url, size: this.size, chunkSize: this.chunkSize, etag: f.etag, lastModified: f.lastModified,
        complete, updated: Date.now(),
      });
    } catch (e) {
      if (isQuotaError(e)) throw await this.quotaError(e);
      throw new LoaderError('storage', `lantern: writing the marker of ${this.url} in the ${this.store.kind} failed: ${e && e.message}`, { cause: e });
    }
    this.markerComplete = complete;
  }
}

// [{start, end}] of `chunkSize` bytes (the last one shorter).
function chunkLayout(size, chunkSize) {
  const chunks = [];
  for (let start = 0; start < size; start += chunkSize) chunks.push({ start, end: Math.min(size, start + chunkSize) });
  return chunks;
}

// A stored layout the loader could have written (a damaged marker's
// chunkSize of 1 would lay out billions of chunks).
function saneLayout(marker) {
  return Number.isSafeInteger(marker.chunkSize) && marker.chunkSize > 0 && marker.size / marker.chunkSize <= MAX_CHUNKS;
}

// Is the stored marker about the file the server has now?
function sameFile(marker, server) {
  if (marker.size !== server.size) return false;
  const tag = (t) => (t ? t.replace(/^W\//, '') : null);
  if (marker.etag && server.etag) return tag(marker.etag) === tag(server.etag);
  if (marker.lastModified && server.lastModified) return marker.lastModified === server.lastModified;
  return true;
}

async function storageEstimate() {
  const s = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!s || typeof s.estimate !== 'function') return null;
  try {
    const e = await withTimeout(s.estimate(), 10000, 'storage.estimate()');
    return Number.isFinite(e.quota) && Number.isFinite(e.usage) ? e : null;
  } catch {
    return null;  // no estimate: rely on QuotaExceededError while storing
  }
}

function modelUrl(url) {
  let u;
  try {
    u = new URL(String(url), typeof location !== 'undefined' ? location.href : undefined);
  } catch {
    throw new LoaderError('usage', `lantern: not a valid model URL: ${url}`);
  }
  u.hash = '';
  return u.href;
}

function normalizeOptions(options) {
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(options || {})) if (v !== undefined) o[k] = v;  // undefined means default
  if (!o.fetchImpl) o.fetchImpl = globalThis.fetch;
  const bad = (what) => { throw new LoaderError('usage', `lantern: ${what}`); };
  if (!Number.isSafeInteger(o.chunkSize) || o.chunkSize < 1) bad(`chunkSize must be a positive integer, got ${o.chunkSize}`);
  if (!Number.isSafeInteger(o.concurrency) || o.concurrency < 1) bad(`concurrency must be a positive integer, got ${o.concurrency}`);
  if (!Number.isSafeInteger(o.maxModelBytes) || o.maxModelBytes < 1) bad(`maxModelBytes must be a positive integer, got ${o.maxModelBytes}`);
  if (!['cache', 'indexeddb', 'none'].includes(o.cache)) bad(`unknown cache option '${o.cache}' (use 'cache', 'indexeddb' or 'none')`);
  if (typeof o.onProgress !== 'function') bad('onProgress must be a function');
  if (typeof o.fetchImpl !== 'function') bad('fetchImpl must be a function (no global fetch here)');
  return o;
}
