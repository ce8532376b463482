// The engine where it runs (a worker, or the page itself): loads a model from
// a URL through the loader, streaming each chunk of the file straight to the
// GPU buffers of its tensors (never through the wasm heap on WebGPU), then
// serves OpenAI requests one at a time, in the order they came.
import { acquireGpuDevice, DeviceLostError } from './gpu_device.js';
import { openModelSource } from './loader.js';
import { shardUrls } from './split_model.js';
import { PhaseClock } from './phase_clock.js';
import { ApiError, WasmEngine } from './wasm_engine.js';

// Each file named in a literal new URL(..., import.meta.url) of its own:
// bundlers (Vite, webpack) emit both as assets, under hashed names, and
// rewrite these URLs; the wasm binary's name is not derived from the module's.
const DEFAULT_MODULE_URL = new URL('../dist/lantern.mjs', import.meta.url).href;
const DEFAULT_WASM_URL = new URL('../dist/lantern.wasm', import.meta.url).href;
const LOST = Symbol('device lost');

export class EngineCore {
  // moduleUrl: lantern.mjs elsewhere, with lantern.wasm beside it (WasmEngine's
  // default) unless wasmUrl says where.
  constructor({ moduleUrl, wasmUrl } = {}) {
    this.moduleUrl = moduleUrl || DEFAULT_MODULE_URL;
    this.wasmUrl = wasmUrl || (moduleUrl ? undefined : DEFAULT_WASM_URL);
    this.engine = null;
    this.tail = Promise.resolve();  // the request queue
    this.loadStats = null;
    this.fallbackReason = null;
    this.adapter = null;
    this.deviceLost = null;   // a DeviceLostError once the current device is gone
    this.lostSignal = null;   // resolves to LOST when it goes
  }

  // options: backend ('auto' | 'webgpu' | 'cpu'), n_ctx, kv ('f16' | 'f32'),
  // chunkSize, cache, initProgressCallback ({phase, progress, loaded, total,
  // etaSeconds, text}).
  async load(url, options = {}) {
    const progress = options.initProgressCallback || (() => {});
    const t0 = performance.now();
    // Download, cache read/write and upload overlap (chunks in flight): the
    // clock keeps wall and busy time per phase (loadStats.load_phases).
    const clock = new PhaseClock();
    this.unload();
    let device = null;
    this.fallbackReason = null;
    this.watchDevice(null);
    // The device and the engine module do not depend on each other: both
    // requests are in flight at once.
    // 'auto' runs on the CPU rather than on a software adapter unless told
    // otherwise (allowFallbackAdapter); 'webgpu' takes whatever adapter is there.
    const gpuRequest = options.backend !== 'cpu'
      ? acquireGpuDevice({ refuseFallbackAdapter: options.backend !== 'webgpu' && !options.allowFallbackAdapter })
      : Promise.resolve(null);
    const engine = await WasmEngine.create(this.moduleUrl, { device: gpuRequest.then((g) => g && g.device), wasmUrl: this.wasmUrl });
    const gpu = await gpuRequest;
    if (gpu) {
      device = gpu.device;
      this.watchDevice(device);
      this.adapter = gpu.adapter || null;
      if (!device) {
        if (options.backend === 'webgpu') throw new Error(`lantern: WebGPU was asked for but is not available: ${gpu.reason}`);
        this.fallbackReason = gpu.reason;
        progress({ phase: 'init', progress: 0, text: `WebGPU unavailable (${gpu.reason}); using the CPU backend (wasm)` });
      }
    }
    const tModule = performance.now();
    // A split model (PREFIX-00001-of-0000N.gguf) is its N shards, each
    // fetched and cached under its own URL, read as one file in order.
    const urls = shardUrls(url);
    const shardLoaded = urls.map(() => 0), shardTotal = urls.map(() => 0);
    const sum = (a) => a.reduce((n, x) => n + x, 0);
    const sources = await mapAtMost(urls, 4, (u, i) => openModelSource(u, {
      chunkSize: options.chunkSize, cache: options.cache, maxModelBytes: options.maxModelBytes, signal: options.signal, phaseClock: clock,
      onProgress: (p) => {
        shardLoaded[i] = p.loaded;
        shardTotal[i] = p.total;
        const loaded = sum(shardLoaded), total = sum(shardTotal);
        progress({ ...p, loaded, total, progress: total ? loaded / total : 0,
          text: `${p.phase === 'cache-read' ? 'Reading from cache' : 'Downloading'} ${mb(loaded)} of ${mb(total)} MB` +
            (urls.length > 1 ? ` (${urls.length} files)` : '') +
            (p.etaSeconds != null && p.phase === 'download' ? `, ${Math.ceil(p.etaSeconds)} s left` : '') });
      },
    }));
    // Header first: the reader says how many bytes it needs at least.
    // 'auto' loads on the CPU where the GPU cannot run this model (a weight
    // type without a WebGPU kernel); the engine says why.
    const openOptions = { backend: device ? 'webgpu' : 'cpu', gpu_fallback: options.backend !== 'webgpu',
      n_ctx: options.n_ctx, max_batch: options.max_batch };  // undefined: the engine's defaults (EngineOptions)
    if (options.kv !== undefined) openOptions.kv = options.kv;
    if (options.memoryBudgetBytes !== undefined) openOptions.memory_budget_bytes = options.memoryBudgetBytes;
    const have = sources.map((s) => Math.min(s.size, 4 << 20));
    for (;;) {
      const prefixes = await Promise.all(sources.map((s, i) => s.read(0, have[i])));
      const need = engine.open(prefixes, sources.map((s) => s.size), openOptions);
      if (need.bytes === 0) break;
      const i = need.shard;
      if (have[i] >= sources[i].size) throw new Error(`lantern: the model header runs past the end of ${urls[i]}`);
      have[i] = Math.min(sources[i].size, Math.max(need.bytes, have[i] * 2));
    }
    const info = engine.info();
    if (info.fallback_reason) {
      this.fallbackReason = info.fallback_reason;
      progress({ phase: 'init', progress: 0, text: `WebGPU cannot run this model (${info.fallback_reason}); using the CPU backend (wasm)` });
      this.watchDevice(null);
      device.destroy();
      device = null;
    }
    const tHeader = performance.now();
    const tensors = [...info.tensors].sort((a, b) => a.offset - b.offset);
    let uploaded = 0;
    const weightBytes = tensors.reduce((n, t) => n + t.n_bytes, 0);
    // Tensor offsets are in the shards' concatenation: shard k starts at base.
    const streamed = { bytesFromNetwork: 0, bytesFromCache: 0 };
    let base = 0;
    for (const source of sources) {
      const at = base;
      const s = await source.stream(async (offset, bytes) => {
        const endUpload = clock.start('gpu_upload');
        try {
          uploaded += uploadChunk(engine, tensors, at + offset, bytes);
        } finally {
          endUpload();
        }
        progress({ phase: 'upload', progress: uploaded / weightBytes, loaded: uploaded, total: weightBytes,
          text: `Uploading weights: ${mb(uploaded)} of ${mb(weightBytes)} MB` });
      });
      streamed.bytesFromNetwork += s.bytesFromNetwork;
      streamed.bytesFromCache += s.bytesFromCache;
      base += source.size;
    }
    // The queued buffer writes finish on the GPU side after the last chunk.
    if (device) await clock.time('gpu_drain', device.queue.onSubmittedWorkDone());
    const tUpload = performance.now();
    // Two tiny passes compile every pipeline now rather than in the first
    // request: a prompt-sized one (tiled kernels) and a decode one (fused kernels).
    progress({ phase: 'compile', progress: 1, text: 'Compiling GPU kernels' });
    const warm = Math.min(8, info.n_ctx - 1);
    await engine.forward(new Array(warm).fill(info.config.n_vocab > 1 ? 1 : 0), 0, info.config.n_vocab);
    await engine.forward([info.config.n_vocab > 1 ? 1 : 0], warm, info.config.n_vocab);
    engine.resetChat();
    const tDone = performance.now();
    if (device && engine.mod.lgpu.errors && engine.mod.lgpu.errors.length)
      throw new Error(`lantern: GPU errors while loading: ${engine.mod.lgpu.errors.join('; ')}`);
    this.engine = engine;
    this.info = info;
    this.loadStats = {
      backend: info.backend, fallback_reason: this.fallbackReason, adapter: this.adapter, model: info.config.name,
      from_cache: sources.every((x) => x.cachedComplete), shards: sources.length, bytes_from_network: streamed.bytesFromNetwork, bytes_from_cache: streamed.bytesFromCache,
      n_ctx: info.n_ctx, n_vocab: info.config.n_vocab, weight_bytes: weightBytes,
      phases_ms: { module: tModule - t0, header: tHeader - tModule, download_and_upload: tUpload - tHeader, compile: tDone - tUpload },
      load_phases: clock.summary(),
      total_ms: tDone - t0,
    };
    progress({ phase: 'done', progress: 1, text: `Loaded ${info.config.name} (${info.backend}) in ${Math.round(tDone - t0)} ms` });
    return this.loadStats;
  }

  // Runs one request after those before it; calls onChunk(chunk) for every
  // stream chunk and resolves with the full response (stream: false) or the
  // final usage.
  request(kind, body, onChunk = () => {}) {
    const run = async () => {
      if (this.deviceLost) throw this.deviceLost;
      if (!this.engine) throw new Error('lantern: no model is loaded (call reload())');
      try {
        return await this.runRequest(kind, body, onChunk);
      } catch (e) {
        // A failed GPU read usually comes just before device.lost resolves.
        if (this.lostSignal && !this.deviceLost) await Promise.race([this.lostSignal, sleep(250)]);
        throw this.deviceLost || e;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => {});
    return result;
  }

  async runRequest(kind, body, onChunk) {
    this.engine.beginRequest(kind, body);
    let lastYield = performance.now();
    for (;;) {
      const step = await this.untilDeviceLost(this.engine.stepRequest());
      for (const c of step.chunks) onChunk(c);
      if (step.done) return { response: step.response || null, usage: step.usage };
      // Steps on the CPU backend never wait: let messages (interrupt!) and
      // rendering in now and then.
      if (performance.now() - lastYield > 8) {
        await yieldToEvents();
        lastYield = performance.now();
      }
    }
  }

  // Device loss (device.destroy(), a driver reset, the GPU process gone):
  // nothing runs on that device again, so requests fail with a clear error
  // until reload() acquires a new one. Only the latest device counts.
  watchDevice(device) {
    this.deviceLost = null;
    this.lostSignal = null;
    this.deviceToken = null;
    if (!device) return;
    const token = (this.deviceToken = {});
    this.lostSignal = device.lost.then((info) => {
      if (this.deviceToken === token) this.deviceLost = new DeviceLostError(info);
      return LOST;
    });
  }

  // `p`, or a DeviceLostError as soon as the device goes (a step waiting on
  // a GPU read would otherwise depend on the read failing).
  async untilDeviceLost(p) {
    if (!this.lostSignal) return p;
    p.catch(() => {});
    const r = await Promise.race([p, this.lostSignal]);
    if (r === LOST && this.deviceLost) throw this.deviceLost;
    return r === LOST ? p : r;
  }

  // Test hook: destroys the device under the engine, as a GPU reset would.
  loseDeviceForTesting() {
    if (!this.engine || !this.engine.device) throw new Error('lantern: no WebGPU device to lose (not loaded, or the CPU backend)');
    this.engine.device.destroy();
  }

  interrupt() { if (this.engine) this.engine.interrupt(); }
  resetChat() { if (this.engine) this.engine.resetChat(); }
  unload() {
    if (this.engine) this.engine.unload();
    this.engine = null;
  }
  runtimeStats() {
    return { ...(this.engine && !this.deviceLost ? this.engine.stats() : {}), load: this.loadStats,
      device_lost: this.deviceLost ? this.deviceLost.message : null };
  }
}

// Writes the parts of a file chunk that fall inside tensors; returns the
// number of tensor bytes it carried.
function uploadChunk(engine, tensors, offset, bytes) {
  const end = offset + bytes.length;
  let lo = 0, hi = tensors.length;
  while (lo < hi) {  // first tensor ending after `offset`
    const mid = (lo + hi) >> 1;
    if (tensors[mid].offset + tensors[mid].n_bytes <= offset) lo = mid + 1;
    else hi = mid;
  }
  let carried = 0;
  for (let i = lo; i < tensors.length && tensors[i].offset < end; i++) {
    const t = tensors[i];
    const from = Math.max(t.offset, offset), to = Math.min(t.offset + t.n_bytes, end);
    if (to <= from) continue;
    engine.uploadTensorPart(t, from - t.offset, bytes.subarray(from - offset, to - offset));
    carried += to - from;
  }
  return carried;
}

// fn over items, at most `limit` calls in flight, results in order; after a
// failure no new call starts. A split model's shards open so: a name
// saying -of-99999 costs a few requests before its first missing shard
// fails the load, not 99999 at once.
async function mapAtMost(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0, failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function mb(n) { return (n / 1e6).toFixed(1); }
function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
// A macrotask turn without setTimeout's 4 ms clamping.
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(0);
  });
}

export { ApiError };
