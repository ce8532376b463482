// Lantern's JavaScript API, in OpenAI's and WebLLM's shapes:
//
//   const engine = await CreateEngine(modelUrl, {initProgressCallback});
//   const reply = await engine.chat.completions.create({messages, max_tokens});
//   for await (const chunk of await engine.chat.completions.create({messages, stream: true})) ...
//
// CreateEngine runs the engine in this thread; CreateWorkerEngine(worker, ...)
// runs it in a dedicated worker (worker.js) and talks to it in messages.
// Requests run one at a time in the order they were made; interruptGenerate()
// ends the running one ("abort") and the next one runs normally.
import { EngineCore } from './engine_core.js';
import { DeviceLostError } from './gpu_device.js';
import { ApiError } from './wasm_engine.js';
import { LoaderError } from './loader_error.js';

export { ApiError, DeviceLostError, LoaderError };
export { hasModelInCache, deleteModelFromCache } from './loader.js';

// Turns the engine's callbacks into an async iterable of chunks.
class ChunkStream {
  constructor() {
    this.items = [];
    this.waiters = [];
    this.done = false;
    this.error = null;
  }
  push(item) { this.flush({ value: item, done: false }); }
  end(error = null) {
    this.done = true;
    this.error = error;
    while (this.waiters.length) this.settle(this.waiters.shift());
  }
  flush(item) {
    if (this.waiters.length) this.waiters.shift().resolve(item);
    else this.items.push(item);
  }
  settle(w) {
    if (this.error) w.reject(this.error);
    else w.resolve({ value: undefined, done: true });
  }
  [Symbol.asyncIterator]() {
    return {
      next: () => new Promise((resolve, reject) => {
        if (this.items.length) resolve(this.items.shift());
        else if (this.done) this.settle({ resolve, reject });
        else this.waiters.push({ resolve, reject });
      }),
    };
  }
}

// The OpenAI surface over a transport with request(kind, body, onChunk).
class EngineApi {
  constructor(transport) {
    this.transport = transport;
    this.chat = { completions: { create: (body) => this.create('chat', body) } };
    this.completions = { create: (body) => this.create('completion', body) };
  }

  async create(kind, body) {
    if (!body || typeof body !== 'object') throw new TypeError('lantern: the request must be an object');
    if (!body.stream) {
      const out = await this.transport.request(kind, body, () => {});
      return out.response;
    }
    const stream = new ChunkStream();
    this.transport.request(kind, body, (c) => stream.push(c)).then(() => stream.end(), (e) => stream.end(e));
    return stream;
  }

  interruptGenerate() { return this.transport.interrupt(); }
  resetChat() { return this.transport.reset(); }
  unload() { return this.transport.unload(); }
  runtimeStats() { return this.transport.stats(); }
  reload(modelUrl, options = {}) { return this.transport.load(modelUrl, options); }
  // Test hook (the rig's faults suite): destroys the WebGPU device, as a GPU
  // reset would; the running request fails with a DeviceLostError.
  _loseDeviceForTesting() { return this.transport.loseDevice(); }
}

// In this thread.
class LocalTransport {
  constructor(options) { this.core = new EngineCore(options); }
  load(url, options) { return this.core.load(url, options); }
  request(kind, body, onChunk) { return this.core.request(kind, body, onChunk); }
  async interrupt() { this.core.interrupt(); }
  async reset() { this.core.resetChat(); }
  async unload() { this.core.unload(); }
  async stats() { return this.core.runtimeStats(); }
  async loseDevice() { this.core.loseDeviceForTesting(); }
}

// In a worker: each call is a message with an id; replies come back by id.
class WorkerTransport {
  constructor(worker, options) {
    this.worker = worker;
    this.options = options;
    this.next = 1;
    this.calls = new Map();
    worker.addEventListener('message', (e) => this.onMessage(e.data));
    worker.addEventListener('error', (e) => this.failAll(new Error(`lantern worker failed: ${e.message}`)));
  }
  onMessage(msg) {
    const call = this.calls.get(msg.id);
    if (!call) return;
    if (msg.type === 'progress') call.onProgress && call.onProgress(msg.progress);
    else if (msg.type === 'chunk') call.onChunk && call.onChunk(msg.chunk);
    else {
      this.calls.delete(msg.id);
      if (msg.type === 'result') call.resolve(msg.value);
      else call.reject(msg.error.api ? new ApiError(msg.error.api) : remoteError(msg.error));
    }
  }
  failAll(e) {
    for (const c of this.calls.values()) c.reject(e);
    this.calls.clear();
  }
  call(op, fields = {}, hooks = {}, id = this.next++) {
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, ...hooks });
      this.worker.postMessage({ id, op, moduleUrl: this.options.moduleUrl, wasmUrl: this.options.wasmUrl, ...fields });
    });
  }
  load(url, options = {}) {
    const { initProgressCallback, signal, ...rest } = options;
    const id = this.next++;
    // The signal stays here; its abort reaches the worker as a message.
    const onAbort = () => this.call('abort-load', { load: id, reason: (signal.reason && signal.reason.message) || String(signal.reason) })
      .catch(() => {});
    if (signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return this.call('load', { url, options: rest }, { onProgress: initProgressCallback }, id)
      .finally(() => signal && signal.removeEventListener('abort', onAbort));
  }
  request(kind, body, onChunk) { return this.call('request', { kind, body }, { onChunk }); }
  interrupt() { return this.call('interrupt'); }
  reset() { return this.call('reset'); }
  unload() { return this.call('unload'); }
  stats() { return this.call('stats'); }
  loseDevice() { return this.call('lose-device'); }
}

// An error from the worker, keeping its name (DeviceLostError, ...).
// The worker's error (worker.js errorOf) as the class it was thrown as.
function remoteError({ name, message, ...fields }) {
  let e;
  if (name === 'DeviceLostError') e = Object.assign(new DeviceLostError(), { message });
  else if (name === 'LoaderError') e = new LoaderError(fields.code, message);
  else e = new Error(message);
  if (name) e.name = name;
  return Object.assign(e, fields);
}

// options: as lantern.d.ts's EngineOptions lists them.
export async function CreateEngine(modelUrl, options = {}) {
  const api = new EngineApi(new LocalTransport(options));
  await api.reload(modelUrl, options);
  return api;
}

// A worker that does not run Lantern's worker entry never answers: the first
// message must be answered within this long (workerTimeoutMs) or the engine
// fails saying what to check, rather than waiting forever.
const WORKER_HELLO_MS = 15000;

export async function CreateWorkerEngine(worker, modelUrl, options = {}) {
  const ms = options.workerTimeoutMs === undefined ? WORKER_HELLO_MS : options.workerTimeoutMs;
  // setTimeout runs a delay past 2^31 - 1 ms (or NaN, or a negative one) at once.
  if (!(Number.isFinite(ms) && ms > 0 && ms <= 2 ** 31 - 1))
    throw new Error(`lantern: workerTimeoutMs must be a number of milliseconds from 1 to ${2 ** 31 - 1}, got ${ms}`);
  const transport = new WorkerTransport(worker, options);
  let timer;
  const silent = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lantern: the worker did not answer within ${ms / 1000} s: ` +
      "its script must import 'lantern-llm/worker.js' (and a bundler must keep that import: the package marks it as a side effect)")), ms);
  });
  try {
    await Promise.race([transport.call('hello'), silent]);
  } finally {
    clearTimeout(timer);
  }
  const api = new EngineApi(transport);
  await api.reload(modelUrl, options);
  return api;
}
