// Progress of one model load: bytes and chunks done, the phase, and an ETA.
// The ETA comes from moving windows of throughput kept apart for the network
// and the cache, because a resumed load reads its stored chunks from the
// cache far faster than it downloads the rest: one blended rate would promise
// too much at first and too little later.
const WINDOW_MS = 4000;     // throughput is measured over the last 4 s
const MIN_SPAN_MS = 200;    // below this a rate is noise: no ETA yet
const THROTTLE_MS = 100;    // partial-byte reports at most this often

// Bytes per millisecond over a sliding window of cumulative samples.
class Rate {
  constructor() {
    this.total = 0;
    this.samples = [];
  }
  add(n, t) {
    this.total += n;
    this.samples.push([t, this.total]);
    // Keep the newest sample older than the window as the anchor.
    while (this.samples.length > 2 && this.samples[1][0] <= t - WINDOW_MS) this.samples.shift();
  }
  perMs(t) {
    if (this.samples.length < 2) return null;
    const [t0, b0] = this.samples[0];
    const span = t - t0;
    if (span < MIN_SPAN_MS) return null;
    return (this.total - b0) / span;
  }
}

export class LoadProgress {
  // chunks: [{start, end}], needsNetwork: Set of chunk indexes not stored.
  constructor(onProgress, chunks, needsNetwork, size) {
    this.onProgress = onProgress;
    this.chunks = chunks;
    this.size = size;
    this.done = new Set();
    this.doneBytes = 0;
    this.partial = new Map();   // chunk index -> bytes received so far (network)
    this.partialBytes = 0;
    this.netPending = new Set(needsNetwork);
    this.netPendingBytes = 0;
    for (const i of this.netPending) this.netPendingBytes += this.length(i);
    this.net = new Rate();
    this.cache = new Rate();
    this.lastLoaded = 0;
    this.lastEmit = -Infinity;
    this.lastFromNetwork = false;
    this.warned = false;
  }

  length(i) {
    return this.chunks[i].end - this.chunks[i].start;
  }

  // Work (re)starts now: idle time before it must not count as slow throughput.
  begin() {
    const t = performance.now();
    this.net.samples = [[t, this.net.total]];
    this.cache.samples = [[t, this.cache.total]];
  }

  // A stored chunk turned out bad (wrong size): it comes from the network.
  needNetwork(i) {
    if (this.done.has(i) || this.netPending.has(i)) return;
    this.netPending.add(i);
    this.netPendingBytes += this.length(i);
  }

  // n more network bytes of chunk i arrived.
  bytes(i, n) {
    const t = performance.now();
    this.net.add(n, t);
    if (this.done.has(i)) return;
    this.partial.set(i, (this.partial.get(i) || 0) + n);
    this.partialBytes += n;
    if (t - this.lastEmit >= THROTTLE_MS) this.emit(t);
  }

  // A retry of chunk i starts over: what it had received is not progress.
  restart(i) {
    const had = this.partial.get(i) || 0;
    this.partialBytes -= had;
    this.partial.delete(i);
  }

  // Chunk i is delivered (or stored); counted once however often it is read.
  finish(i, fromNetwork) {
    const t = performance.now();
    this.restart(i);
    if (this.done.has(i)) return;
    this.done.add(i);
    this.doneBytes += this.length(i);
    if (this.netPending.delete(i)) this.netPendingBytes -= this.length(i);
    if (!fromNetwork) this.cache.add(this.length(i), t);
    this.lastFromNetwork = fromNetwork;
    this.emit(t);
  }

  emit(t) {
    this.lastEmit = t;
    // Monotone: a retried chunk's lost partial bytes do not move the bar back.
    const loaded = Math.min(this.size, Math.max(this.lastLoaded, this.doneBytes + this.partialBytes));
    this.lastLoaded = loaded;
    const event = {
      phase: this.netPending.size > 0 || this.lastFromNetwork ? 'download' : 'cache-read',
      loaded,
      total: this.size,
      etaSeconds: this.eta(t),
      chunksDone: this.done.size,
      chunksTotal: this.chunks.length,
    };
    try {
      this.onProgress(event);
    } catch (e) {
      // A broken progress callback must not fail a multi-GB download.
      if (!this.warned) console.error('lantern: onProgress threw (ignored):', e);
      this.warned = true;
    }
  }

  // Seconds left, or null while the network rate is not known yet.
  eta(t) {
    const netLeft = Math.max(0, this.netPendingBytes - this.partialBytes);
    const cacheLeft = Math.max(0, this.size - this.doneBytes - this.netPendingBytes);
    let ms = 0;
    if (netLeft > 0) {
      const r = this.net.perMs(t);
      if (!r) return null;
      ms += netLeft / r;
    }
    if (cacheLeft > 0) {
      const r = this.cache.perMs(t);
      if (r) ms += cacheLeft / r;
      else if (netLeft === 0) return null;  // beside a download, an unknown cache rate counts as 0 (reading is fast)
    }
    return Math.round(ms / 100) / 10;
  }
}
