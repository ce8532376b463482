// Lantern's WebGPU bridge: the C++ WebGPU backend (sdk/src/backend/webgpu)
// calls these functions to create buffers, pipelines and bind groups once,
// submit one command buffer per forward pass, and read results back without
// blocking. Emscripten 3.1.6's own -sUSE_WEBGPU library predates today's API
// (it calls dispatch(), which Chromium removed), so this is written against
// the current one (dispatchWorkgroups).
//
// The JS side sets Module.lgpu = {device} before calling into wasm; objects
// live in Module.lgpu tables and C++ holds their indices.
mergeInto(LibraryManager.library, {
  $LGPU: {
    state: function () {
      var g = Module['lgpu'];
      if (!g || !g.device) throw new Error('lantern: WebGPU device not set up (Module.lgpu.device)');
      if (!g.buffers) {
        g.buffers = [null];
        g.pipelines = [null];
        g.bindGroups = [null];
        g.reads = [null];
        g.errors = [];
        g.waiters = [];
        g.pendingReads = 0;
        // Resolves when any read in flight completes (at once if none is).
        g.nextRead = function () {
          if (g.pendingReads === 0) return Promise.resolve();
          return new Promise(function (r) { g.waiters.push(r); });
        };
        g.dispatches = 0;
        g.submits = 0;
      }
      return g;
    },
    // Profiling (needs 'timestamp-query'). Module.lgpu.profile = 'pass': the
    // first pass of each submit is timed, g.gpuNs sums the GPU time of the
    // passes read so far, g.profiledPasses counts them. profile = 'kernels':
    // every dispatch gets a pass of its own, timed; g.kernelNs[label] and
    // g.kernelCount[label] sum per pipeline (passes add their own cost, so
    // use it for the breakdown, 'pass' for the step time).
    querySet: function (g, n) {
      return g.device.createQuerySet({ type: 'timestamp', count: 2 * n });
    },
    timestamps: function (g, enc, qs, labels) {
      if (!qs) return;
      var n = labels.length, bytes = 16 * n;
      var resolve = g.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      var staging = g.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, staging, 0, bytes);
      g.gpuNs = g.gpuNs || 0;
      g.profiledPasses = g.profiledPasses || 0;
      g.kernelNs = g.kernelNs || {};
      g.kernelCount = g.kernelCount || {};
      // Mapped after the submit that follows this call.
      setTimeout(function () {
        staging.mapAsync(GPUMapMode.READ).then(function () {
          var t = new BigUint64Array(staging.getMappedRange());
          for (var k = 0; k < n; k++) {
            var ns = Number(t[2 * k + 1] - t[2 * k]);
            g.gpuNs += ns;
            g.profiledPasses++;
            if (labels[k] !== null) {
              g.kernelNs[labels[k]] = (g.kernelNs[labels[k]] || 0) + ns;
              g.kernelCount[labels[k]] = (g.kernelCount[labels[k]] || 0) + 1;
            }
          }
          staging.unmap();
          staging.destroy();
          resolve.destroy();
          qs.destroy();
        });
      }, 0);
    },
    usage: function (bits) {
      var u = 0;
      if (bits & 1) u |= GPUBufferUsage.STORAGE;
      if (bits & 2) u |= GPUBufferUsage.UNIFORM;
      if (bits & 4) u |= GPUBufferUsage.COPY_SRC;
      if (bits & 8) u |= GPUBufferUsage.COPY_DST;
      return u;
    },
  },

  // Creates a buffer of `size` bytes (a multiple of 4); returns its id.
  lgpu_buffer_create__deps: ['$LGPU'],
  lgpu_buffer_create: function (size, usageBits, labelPtr) {
    var g = LGPU.state();
    var buf = g.device.createBuffer({ size: size, usage: LGPU.usage(usageBits), label: UTF8ToString(labelPtr) });
    g.buffers.push(buf);
    return g.buffers.length - 1;
  },

  lgpu_buffer_destroy__deps: ['$LGPU'],
  lgpu_buffer_destroy: function (id) {
    var g = LGPU.state();
    if (g.buffers[id]) g.buffers[id].destroy();
    g.buffers[id] = null;
  },

  // Copies `size` bytes from the wasm heap into a buffer (queue-ordered).
  lgpu_buffer_write__deps: ['$LGPU'],
  lgpu_buffer_write: function (id, offset, ptr, size) {
    var g = LGPU.state();
    g.device.queue.writeBuffer(g.buffers[id], offset, HEAPU8.buffer, ptr, size);
  },

  // Compiles a WGSL module into a compute pipeline (entry point "main",
  // layout derived from the shader); returns its id. A device keeps its
  // pipelines by their WGSL: a model loaded after another in the same module
  // reuses the kernels they share instead of compiling them again (Dawn
  // compiles each createComputePipeline anew, ~0.2 s a kernel on SwiftShader).
  lgpu_pipeline_create__deps: ['$LGPU'],
  lgpu_pipeline_create: function (codePtr, labelPtr) {
    var g = LGPU.state();
    var code = UTF8ToString(codePtr);
    g.pipelineByCode = g.pipelineByCode || new Map();
    var known = g.pipelineByCode.get(code);
    if (known !== undefined) return known;
    var label = UTF8ToString(labelPtr);
    var module = g.device.createShaderModule({ code: code, label: label });
    if (module.getCompilationInfo) {
      module.getCompilationInfo().then(function (info) {
        for (var i = 0; i < info.messages.length; i++) {
          var m = info.messages[i];
          if (m.type === 'error') g.errors.push('WGSL ' + label + ':' + m.lineNum + ':' + m.linePos + ': ' + m.message);
        }
      });
    }
    var p = g.device.createComputePipeline({ layout: 'auto', compute: { module: module, entryPoint: 'main' }, label: label });
    g.pipelines.push(p);
    g.pipelineLabels = g.pipelineLabels || [null];
    g.pipelineLabels[g.pipelines.length - 1] = label;
    g.pipelineByCode.set(code, g.pipelines.length - 1);
    return g.pipelines.length - 1;
  },

  // entries: n records of 4 int32 {binding, buffer id, offset, size (0 = rest)}.
  lgpu_bind_group_create__deps: ['$LGPU'],
  lgpu_bind_group_create: function (pipelineId, entriesPtr, n) {
    var g = LGPU.state();
    var entries = [];
    for (var i = 0; i < n; i++) {
      var e = (entriesPtr >> 2) + i * 4;
      var res = { buffer: g.buffers[HEAP32[e + 1]], offset: HEAPU32[e + 2] };
      if (HEAPU32[e + 3]) res.size = HEAPU32[e + 3];
      entries.push({ binding: HEAP32[e], resource: res });
    }
    var p = g.pipelines[pipelineId];
    g.bindGroups.push(g.device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: entries }));
    return g.bindGroups.length - 1;
  },

  // Encodes a command list into one command buffer and submits it.
  // Records (int32): [1, pipeline, bindGroup, x, y, z] dispatch;
  // [2, src, srcOffset, dst, dstOffset, size] buffer copy.
  lgpu_submit__deps: ['$LGPU'],
  lgpu_submit: function (cmdsPtr, nWords) {
    var g = LGPU.state();
    var enc = g.device.createCommandEncoder();
    var pass = null;
    var perKernel = g.profile === 'kernels';
    var qs = null, labels = [];
    if (g.profile) {
      var nDispatch = 0;
      for (var k = cmdsPtr >> 2; k < (cmdsPtr >> 2) + nWords; k += 6) if (HEAP32[k] === 1) nDispatch++;
      qs = LGPU.querySet(g, perKernel ? Math.max(1, nDispatch) : 1);
    }
    var i = cmdsPtr >> 2, end = i + nWords;
    while (i < end) {
      var op = HEAP32[i];
      if (op === 1) {
        if (perKernel && pass) { pass.end(); pass = null; }
        if (!pass) {
          var desc = {};
          if (qs && (perKernel || labels.length === 0)) {
            var q = labels.length;
            desc.timestampWrites = { querySet: qs, beginningOfPassWriteIndex: 2 * q, endOfPassWriteIndex: 2 * q + 1 };
            labels.push(perKernel ? g.pipelineLabels[HEAP32[i + 1]] : null);
          }
          pass = enc.beginComputePass(desc);
        }
        pass.setPipeline(g.pipelines[HEAP32[i + 1]]);
        pass.setBindGroup(0, g.bindGroups[HEAP32[i + 2]]);
        pass.dispatchWorkgroups(HEAP32[i + 3], HEAP32[i + 4], HEAP32[i + 5]);
        g.dispatches++;
        i += 6;
      } else if (op === 2) {
        if (pass) { pass.end(); pass = null; }
        enc.copyBufferToBuffer(g.buffers[HEAP32[i + 1]], HEAPU32[i + 2], g.buffers[HEAP32[i + 3]], HEAPU32[i + 4], HEAPU32[i + 5]);
        i += 6;
      } else {
        throw new Error('lantern: bad GPU command ' + op);
      }
    }
    if (pass) pass.end();
    if (qs && labels.length) LGPU.timestamps(g, enc, qs, labels);
    else if (qs) qs.destroy();
    g.device.queue.submit([enc.finish()]);
    g.submits++;
  },

  // Starts reading `size` bytes of a buffer: copies them to a fresh staging
  // buffer and maps it. Returns a request id for lgpu_read_poll.
  lgpu_read_begin__deps: ['$LGPU'],
  lgpu_read_begin: function (id, offset, size) {
    var g = LGPU.state();
    var staging = g.device.createBuffer({ size: size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    var enc = g.device.createCommandEncoder();
    enc.copyBufferToBuffer(g.buffers[id], offset, staging, 0, size);
    g.device.queue.submit([enc.finish()]);
    var req = { done: false, error: null, data: null };
    g.pendingReads++;
    var settle = function () {
      req.done = true;
      g.pendingReads--;
      var w = g.waiters;
      g.waiters = [];
      for (var i = 0; i < w.length; i++) w[i]();
    };
    req.promise = staging.mapAsync(GPUMapMode.READ).then(function () {
      req.data = new Uint8Array(staging.getMappedRange().slice(0));
      staging.unmap();
      staging.destroy();
      settle();
    }, function (e) {
      req.error = String(e && e.message || e);
      staging.destroy();
      settle();
    });
    g.reads.push(req);
    g.lastRead = req.promise;
    return g.reads.length - 1;
  },

  // 1: done, bytes copied to dst; 0: still in flight; -1: failed (device lost).
  lgpu_read_poll__deps: ['$LGPU'],
  lgpu_read_poll: function (reqId, dstPtr) {
    var g = LGPU.state();
    var req = g.reads[reqId];
    if (!req || !req.done) return 0;
    g.reads[reqId] = null;
    if (req.error) { g.errors.push('readback failed: ' + req.error); return -1; }
    HEAPU8.set(req.data, dstPtr);
    return 1;
  },

  lgpu_read_cancel__deps: ['$LGPU'],
  lgpu_read_cancel: function (reqId) {
    LGPU.state().reads[reqId] = null;
  },

  // The largest buffer the engine may make and bind as storage: the smaller
  // of the device's maxBufferSize and maxStorageBufferBindingSize.
  lgpu_max_buffer_size__deps: ['$LGPU'],
  lgpu_max_buffer_size: function () {
    var l = LGPU.state().device.limits;
    return Math.min(l.maxBufferSize, l.maxStorageBufferBindingSize);
  },

  // The subgroup-matrix configuration the prefill kernel can use (f16
  // operands, f32 results, M and N of 8 or 16, K dividing 32), the largest
  // first, from the device's adapter info; fills out[5] = {M, N, K, largest
  // subgroup size, workgroup storage limit} and returns 1, or returns 0.
  lgpu_subgroup_matrix__deps: ['$LGPU'],
  lgpu_subgroup_matrix: function (outPtr) {
    var d = LGPU.state().device;
    if (!d.features.has('chromium-experimental-subgroup-matrix') || !d.features.has('shader-f16')) return 0;
    var info = d.adapterInfo || {};
    var maxSg = info.subgroupMaxSize || 0;
    if (!maxSg || maxSg > 64) return 0;
    var best = null;
    var configs = info.subgroupMatrixConfigs || [];
    for (var i = 0; i < configs.length; i++) {
      var c = configs[i];
      if (c.componentType !== 'f16' || c.resultComponentType !== 'f32') continue;
      if ((c.M !== 8 && c.M !== 16) || (c.N !== 8 && c.N !== 16) || 32 % c.K !== 0) continue;
      if (!best || c.M * c.N > best.M * best.N) best = c;
    }
    if (!best) return 0;
    var o = outPtr >> 2;
    HEAP32[o] = best.M;
    HEAP32[o + 1] = best.N;
    HEAP32[o + 2] = best.K;
    HEAP32[o + 3] = maxSg;
    HEAP32[o + 4] = d.limits.maxComputeWorkgroupStorageSize;
    return 1;
  },
});
