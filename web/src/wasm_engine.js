// One instance of the wasm engine (lantern.mjs) and the calls the worker
// makes into it: open a model from its header bytes, upload tensors (to GPU
// buffers directly, or into the wasm heap for the CPU backend), submit
// forward passes and poll for their logits.
export class WasmEngine {
  // device: a GPUDevice, null (the CPU backend), or a promise of either, so
  // that acquiring the device overlaps fetching and compiling the module (the
  // bridge reads Module.lgpu.device at its first call, after this resolves).
  // wasmUrl: the binary (default: lantern.wasm beside the module).
  static async create(moduleUrl, { device = null, wasmUrl = new URL('lantern.wasm', new URL(moduleUrl, location.href)).href } = {}) {
    const load = async () => {
      const createLanternModule = await importModule(moduleUrl);
      // Fetched here, not by the Emscripten glue: its failed fetch ends in a
      // generic abort that names no status.
      const wasmBinary = await fetchOrExplain(wasmUrl, "the engine's wasm binary");
      return createLanternModule({
        lgpu: { device: null },
        wasmBinary,
        print: (t) => console.log(t),
        printErr: (t) => console.warn(t),
      });
    };
    const [mod, dev] = await Promise.all([load(), device]);
    mod.lgpu.device = dev || null;
    const errors = [];
    if (dev) dev.addEventListener('uncapturederror', (e) => errors.push(e.error.message));
    return new WasmEngine(mod, dev || null, errors);
  }

  constructor(mod, device, errors) {
    this.mod = mod;
    this.device = device;
    this.gpuErrors = errors;
  }

  error() { return this.mod.UTF8ToString(this.mod._lt_last_error()); }

  // Past 2 GiB a wasm32 pointer reads as a negative number unless made
  // unsigned (>>> 0); 0 is malloc's "no memory".
  alloc(n) {
    const ptr = this.mod._malloc(n) >>> 0;
    if (!ptr) {
      throw new Error(`lantern: out of wasm memory allocating ${n} bytes (the wasm module's 4 GiB address space ` +
        'holds the weights on the CPU backend: a smaller model or n_ctx)');
    }
    return ptr;
  }

  withBytes(bytes, fn) {
    const ptr = this.alloc(Math.max(1, bytes.length));
    try {
      this.mod.HEAPU8.set(bytes, ptr);
      return fn(ptr);
    } finally {
      this.mod._free(ptr);
    }
  }

  withString(s, fn) {
    const n = this.mod.lengthBytesUTF8(s) + 1;
    const ptr = this.alloc(n);
    try {
      this.mod.stringToUTF8(s, ptr, n);
      return fn(ptr);
    } finally {
      this.mod._free(ptr);
    }
  }

  // Parses the header from `prefixes` (the first bytes of each file: one,
  // or a split model's shards in order) of files of `sizes` bytes. Returns
  // {bytes: 0} when open, or {bytes, shard}: the leading bytes of shard
  // `shard` it needs.
  open(prefixes, sizes, options) {
    let bytes = prefixes[0], opts = options;
    if (prefixes.length > 1) {
      bytes = new Uint8Array(prefixes.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of prefixes) { bytes.set(p, at); at += p.length; }
      opts = { ...options, shards: prefixes.map((p, i) => ({ prefix: p.length, size: sizes[i] })) };
    }
    const rc = this.withBytes(bytes, (p) =>
      this.withString(JSON.stringify(opts), (o) => this.mod._lt_open(p, bytes.length, sizes[0], o)));
    if (rc < 0) throw new Error(`lantern: cannot open model: ${this.error()}`);
    return { bytes: rc, shard: rc > 0 ? this.mod._lt_need_shard() : 0 };
  }

  info() { return JSON.parse(this.mod.UTF8ToString(this.mod._lt_model_info())); }

  // Writes `bytes` at `offset` within tensor t (an entry of info().tensors).
  uploadTensorPart(t, offset, bytes) {
    if (t.buffer >= 0) {
      const buf = this.mod.lgpu.buffers[t.buffer];
      // writeBuffer wants 4-byte multiples: pad the tail of a tensor.
      if (bytes.length % 4) {
        const padded = new Uint8Array((bytes.length + 3) & ~3);
        padded.set(bytes);
        bytes = padded;
      }
      this.device.queue.writeBuffer(buf, t.buffer_offset + offset, bytes);
    } else {
      const rc = this.withBytes(bytes, (p) => this.mod._lt_write_tensor(t.index, offset, p, bytes.length));
      if (rc < 0) throw new Error(`lantern: upload of ${t.name} failed: ${this.error()}`);
    }
  }

  tokenize(text, { addSpecial = true, parseSpecial = false } = {}) {
    const max = text.length * 4 + 16;
    const out = this.alloc(max * 4);
    try {
      const n = this.withString(text, (p) => this.mod._lt_tokenize(p, addSpecial ? 1 : 0, parseSpecial ? 1 : 0, out, max));
      if (n < 0) throw new Error(`lantern: tokenize failed: ${this.error()}`);
      return Array.from(this.mod.HEAP32.subarray(out >>> 2, (out >>> 2) + n));
    } finally {
      this.mod._free(out);
    }
  }

  // Submits tokens at pos0 and resolves with a copy of the last token's logits.
  async forward(tokens, pos0, nVocab) {
    const rc = this.withBytes(new Uint8Array(new Int32Array(tokens).buffer), (p) => this.mod._lt_submit(p, tokens.length, pos0));
    if (rc < 0) throw new Error(`lantern: forward failed: ${this.error()}`);
    for (;;) {
      const r = this.mod._lt_poll();
      if (r < 0) throw new Error(`lantern: forward failed: ${this.error()}`);
      if (r === 1) break;
      await this.mod.lgpu.nextRead();
    }
    const p = this.mod._lt_logits() >>> 2;
    return this.mod.HEAPF32.slice(p, p + nVocab);
  }
}

// The module's factory; a module that fails to load is explained by its
// HTTP status (a dynamic import's own error names neither URL nor status).
async function importModule(moduleUrl) {
  try {
    // A URL known only at run time: bundlers must leave this import alone.
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ moduleUrl)).default;
  } catch (e) {
    let status = '';
    try {
      const r = await fetch(moduleUrl, { cache: 'no-store' });
      status = r.ok ? '' : `HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;
    } catch (f) {
      status = `fetch failed: ${f.message || f}`;
    }
    throw new Error(`lantern: cannot load the engine module ${moduleUrl}: ${status || e.message || e}`);
  }
}

async function fetchOrExplain(url, what) {
  let r;
  try {
    r = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`lantern: cannot load ${what} ${url}: fetch failed: ${e.message || e}`);
  }
  if (!r.ok) throw new Error(`lantern: cannot load ${what} ${url}: HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`);
  return r.arrayBuffer();
}

// --- OpenAI requests: the C++ CompletionRun behind lt_request_* ---

// JSON.stringify writes NaN and +-Infinity as null, which the engine reads
// as "absent": max_tokens: NaN would mean no limit, temperature: NaN the
// default. Such a number anywhere in a request is refused instead. Returns
// the first one's field as OpenAI's `param` spells it ("max_tokens",
// "logit_bias.50256", "messages[0].content") and its value, or null.
function nonFiniteNumber(value, path = '', seen = new Set()) {
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, value };
  if (value === null || typeof value !== 'object' || seen.has(value)) return null;
  seen.add(value);
  const entries = Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v])
    : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v]);
  for (const [p, v] of entries) {
    const bad = nonFiniteNumber(v, p, seen);
    if (bad) return bad;
  }
  return null;
}

// The JSON text of a request, or an ApiError naming a field whose number
// JSON cannot carry.
function requestJson(body) {
  const bad = nonFiniteNumber(body);
  if (bad) {
    throw new ApiError({
      message: `${bad.path} must be a finite number, got ${bad.value}`,
      type: 'invalid_request_error', param: bad.path, code: null,
    });
  }
  return JSON.stringify(body);
}

// kind: 'chat' | 'completion'. Throws an ApiError (OpenAI error object) for
// a bad request.
WasmEngine.prototype.beginRequest = function (kind, body) {
  const r = JSON.parse(this.withString(requestJson(body), (p) =>
    this.mod.UTF8ToString(this.mod._lt_request_begin(kind === 'chat' ? 0 : 1, p))));
  if (r.error) throw new ApiError(r.error);
};

// One step: {waiting, prefill, chunks, done, response?, usage?}; waits for
// the GPU itself when the engine has nothing to do until a read arrives.
WasmEngine.prototype.stepRequest = async function () {
  for (;;) {
    const r = JSON.parse(this.mod.UTF8ToString(this.mod._lt_request_step()));
    if (r.error) throw new ApiError(r.error);
    if (!r.waiting || r.chunks.length || r.done) return r;
    await this.mod.lgpu.nextRead();
  }
};

WasmEngine.prototype.interrupt = function () { this.mod._lt_request_interrupt(); };
WasmEngine.prototype.resetChat = function () { this.mod._lt_reset_chat(); };
WasmEngine.prototype.unload = function () { this.mod._lt_unload(); };
WasmEngine.prototype.stats = function () { return JSON.parse(this.mod.UTF8ToString(this.mod._lt_runtime_stats())); };

// An OpenAI-shaped error ({message, type, param, code}) as a JS Error.
export class ApiError extends Error {
  constructor(e) {
    super(e.message);
    this.name = 'ApiError';
    this.type = e.type;
    this.param = e.param;
    this.code = e.code;
    this.error = e;
  }
}

// A raw completion run to the end through the same path as every request
// (a completions body; CompletionRun in C++): `prompt` text, or
// params.prompt_tokens (ids, used as they are: benchmarks want exact
// lengths); params: max_tokens, temperature, top_k, top_p, min_p, seed, stop,
// ignore_eos. Resolves with {tokens, text, finish, stats}.
WasmEngine.prototype.generate = async function (prompt, params = {}) {
  const { prompt_tokens: ids, ...sampling } = params;
  this.beginRequest('completion', { ...sampling, prompt: ids || prompt, return_token_ids: true });
  for (;;) {
    const r = await this.stepRequest();
    if (!r.done) continue;
    const choice = r.response.choices[0], usage = r.usage, extra = usage.extra || {};
    return {
      tokens: choice.token_ids, text: choice.text, finish: choice.finish_reason,
      stats: {
        prompt_tokens: usage.prompt_tokens, cached_tokens: extra.cached_prompt_tokens, completion_tokens: usage.completion_tokens,
        prefill_tok_s: extra.prefill_tokens_per_s, decode_tok_s: extra.decode_tokens_per_s, ttft_ms: extra.time_to_first_token_s * 1000,
      },
    };
  }
};

// Loads a whole model file that is already in memory into an engine.
export function loadFromBytes(engine, bytes, options) {
  // The reader says how many bytes it needs at least; grow the prefix at
  // least twofold each try so a large vocabulary takes few parses.
  let have = Math.min(bytes.length, 1 << 20);
  for (;;) {
    const need = engine.open([bytes.subarray(0, have)], [bytes.length], options).bytes;
    if (need === 0) break;
    if (have >= bytes.length) throw new Error('lantern: the model header is larger than the file');
    have = Math.min(bytes.length, Math.max(need, have * 2));
  }
  const info = engine.info();
  for (const t of info.tensors) engine.uploadTensorPart(t, 0, bytes.subarray(t.offset, t.offset + t.n_bytes));
  return info;
}
