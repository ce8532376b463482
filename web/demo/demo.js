// The demo chat page: load a GGUF model from a URL with a progress bar, chat
// with streamed answers, stop an answer, see TTFT and tok/s under each one.
// Query: ?model=URL sets the model; &autoload=1&prompt=TEXT runs one scripted
// chat (lantern-rig demo uses it and listens to the page's events).
import { CreateWorkerEngine } from '../src/lantern.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const history = [];
let engine = null;

function emit(name, data) {
  if (window.__lanternEvent) window.__lanternEvent(JSON.stringify({ name, ...data }));
}

function notice(text, isError = false) {
  $('notice').hidden = false;
  $('notice').textContent = text;
  $('notice').classList.toggle('error', isError);
}

function addMessage(role, text) {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  div.textContent = text;
  $('transcript').appendChild(div);
  return div;
}

async function load() {
  const url = $('model-url').value.trim();
  if (!url) return notice('Enter the URL of a GGUF model.', true);
  $('load').disabled = true;
  $('progress').hidden = false;
  $('notice').hidden = true;
  if (!navigator.gpu) notice('WebGPU is not available in this browser: running on the CPU (slower).');
  const t0 = performance.now();
  try {
    if (engine) await engine.unload();
    const worker = new Worker(new URL('../src/worker.js', import.meta.url), { type: 'module' });
    engine = await CreateWorkerEngine(worker, url, {
      initProgressCallback: (p) => {
        $('progress-fill').style.width = `${Math.round((p.progress || 0) * 100)}%`;
        $('progress-text').textContent = p.text;
        emit('progress', { phase: p.phase, progress: p.progress });
      },
    });
    const stats = await engine.runtimeStats();
    const ms = performance.now() - t0;
    $('progress-text').textContent = `Loaded ${stats.model} on ${stats.backend === 'webgpu' ? 'WebGPU' : 'the CPU'} in ${(ms / 1000).toFixed(2)} s` +
      (stats.load.from_cache ? ' (from the cache)' : '');
    const adapter = stats.load.adapter;
    if (adapter && adapter.isFallbackAdapter && stats.backend === 'cpu') {
      // Not a loss: a software adapter (SwiftShader) is slower than the CPU backend.
      notice(`Running on the CPU: this browser's only WebGPU adapter is a software renderer (${adapter.architecture || adapter.vendor || 'fallback adapter'}), which is slower.`);
    } else if (stats.load.fallback_reason) {
      notice(`WebGPU is not available (${stats.load.fallback_reason}): running on the CPU, which is slower.`);
    }
    $('chat').hidden = false;
    emit('loaded', { load_ms: ms, stats });
  } catch (e) {
    notice(`Could not load the model: ${e.message}`, true);
    emit('error', { message: e.message });
  } finally {
    $('load').disabled = false;
  }
}

async function send(text) {
  if (!engine || !text) return;
  addMessage('user', text);
  history.push({ role: 'user', content: text });
  const bubble = addMessage('assistant', '');
  const meta = document.createElement('div');
  meta.className = 'meta';
  $('send').disabled = true;
  $('stop').disabled = false;
  const t0 = performance.now();
  let first = null, answer = '', usage = null, finish = null;
  try {
    const stream = await engine.chat.completions.create({
      messages: history, stream: true, stream_options: { include_usage: true },
      max_tokens: Number(params.get('max_tokens') || 256), temperature: Number(params.get('temperature') || 0.7),
    });
    for await (const chunk of stream) {
      const delta = chunk.choices[0] && chunk.choices[0].delta.content;
      if (delta) {
        if (first === null) first = performance.now() - t0;
        answer += delta;
        bubble.textContent = answer;
        emit('delta', { text: delta });
      }
      if (chunk.choices[0] && chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
  } catch (e) {
    notice(`The answer failed: ${e.message}`, true);
  }
  history.push({ role: 'assistant', content: answer });
  const tokS = usage && usage.extra ? usage.extra.decode_tokens_per_s : 0;
  meta.textContent = `TTFT ${first === null ? '–' : Math.round(first)} ms · ${tokS.toFixed(1)} tok/s · ` +
    `${usage ? usage.completion_tokens : 0} tokens${finish === 'abort' ? ' · stopped' : ''}`;
  bubble.appendChild(meta);
  $('send').disabled = false;
  $('stop').disabled = true;
  emit('answer', { text: answer, finish_reason: finish, ttft_ms: first, usage });
}

$('model-url').value = params.get('model') || new URL('model.gguf', location.href).href;
$('load').addEventListener('click', load);
$('stop').addEventListener('click', () => engine && engine.interruptGenerate());
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('prompt').value.trim();
  $('prompt').value = '';
  send(text);
});

if (params.get('autoload')) {
  load().then(() => params.get('prompt') && send(params.get('prompt')));
}
