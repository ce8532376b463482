// Types of Lantern's JavaScript API (web/src/lantern.js).

export interface InitProgressReport {
  phase: 'init' | 'download' | 'cache-read' | 'upload' | 'compile' | 'done';
  progress: number;          // 0..1 within the phase
  loaded?: number;           // bytes
  total?: number;            // bytes
  etaSeconds?: number | null;
  text: string;
}

export interface EngineOptions {
  initProgressCallback?: (report: InitProgressReport) => void;
  backend?: 'auto' | 'webgpu' | 'cpu';     // auto: WebGPU on a hardware adapter, else (none, a software one, or a weight type without a WebGPU kernel: see load.fallback_reason) the wasm CPU backend
  allowFallbackAdapter?: boolean;          // auto may use a software adapter (SwiftShader; default false: the CPU backend is faster)
  n_ctx?: number;                          // context size (default 4096, at most the model's)
  max_batch?: number;                      // most prompt tokens evaluated in one pass (default 256)
  signal?: AbortSignal;                    // aborts the download (the load rejects)
  kv?: 'f16' | 'f32';                      // KV cache precision (default f16, as llama.cpp)
  memoryBudgetBytes?: number;              // what the KV cache and activations may take (default: WebGPU 8 GiB, CPU 1 GiB)
  chunkSize?: number;                      // download chunk in bytes (default 32 MiB)
  cache?: 'cache' | 'indexeddb' | 'none';  // where downloaded chunks are kept
  maxModelBytes?: number;                  // a larger size from the server is refused at once (default 128 GiB)
  moduleUrl?: string;                      // lantern.mjs (default: dist/ beside src/, or where a bundler emitted it)
  workerTimeoutMs?: number;                // CreateWorkerEngine: how long the worker may take to answer its first message (default 15 s; 1 to 2^31-1)
  wasmUrl?: string;                        // lantern.wasm (default: beside moduleUrl when that is given, else dist/)
}

/** A function call: in an assistant message, and in a response's message.
 * `arguments` is JSON text as the model wrote it (OpenAI: it may not be
 * valid JSON, and may not fit the schema; check before calling). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface Tool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  /** null only for an assistant message that has tool_calls. */
  content: string | Array<{ type: 'text'; text: string }> | null;
  name?: string;
  tool_calls?: ToolCall[];
  /** role 'tool': the id of the call this is the result of. */
  tool_call_id?: string;
}

/** One piece of a streamed call: the first names it (id, type, function.name,
 * arguments ""), later ones add function.arguments text. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface SamplingOptions {
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  repetition_penalty?: number;
  logit_bias?: Record<string, number>;
  seed?: number;
  stop?: string | string[];
  n?: number;
  ignore_eos?: boolean;
  /** Lantern extension (vLLM's name): the response gets `prompt_token_ids` and
   * each choice its `token_ids`; when streamed, on the choice's finish chunk. */
  return_token_ids?: boolean;
  /** The output must look like this (JSON Schema, JSON object or a grammar);
   * enforced token by token. A bad schema or grammar is an ApiError naming
   * the field. */
  response_format?: ResponseFormat;
  /** llama-server's GBNF grammar the output must match (with a
   * response_format of type 'text' or none). */
  grammar?: string;
}

export type ResponseFormat =
  | { type: 'text' }
  /** One JSON object; WebLLM's `schema` (a JSON Schema as a string) narrows it. */
  | { type: 'json_object'; schema?: string }
  /** OpenAI's shape. strict (default true): unsupported keywords are errors;
   * false: they are let through unenforced. */
  | { type: 'json_schema'; json_schema: { name: string; schema?: object; strict?: boolean; description?: string } }
  /** WebLLM's shape: an EBNF/GBNF grammar with a `root` rule. */
  | { type: 'grammar'; grammar: string };

export interface ChatCompletionRequest extends SamplingOptions {
  messages: ChatMessage[];
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  logprobs?: boolean;
  top_logprobs?: number;
  tools?: Tool[];
  /** 'none' leaves the tools out of the prompt and parses no calls;
   * 'required' and a named function are enforced by a grammar of the
   * model's call syntax and the function's parameters schema. */
  tool_choice?: ToolChoice;
  /** false: at most one call per reply (default true). */
  parallel_tool_calls?: boolean;
  user?: string;
  /** Lantern extension. Message content is text: special-token texts in it
   * (`<|im_end|>`, `<|end|>`) stay text, and only the chat template's own
   * text opens or closes turns. `true` tokenizes them as special tokens in
   * content too (the earlier behaviour); only for callers whose
   * messages are all their own. Default false. */
  parse_special_in_content?: boolean;
}

export interface CompletionRequest extends SamplingOptions {
  /** A string is the caller's own text in the model's format: special-token
   * texts in it are those tokens (as llama-server and vLLM do). */
  prompt: string | number[];
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  logprobs?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  extra?: {
    prefill_tokens_per_s: number;
    decode_tokens_per_s: number;
    time_to_first_token_s: number;
    cached_prompt_tokens: number;
    /** Completion tokens a grammar forced (jump-forward): taken without a decode step of their own. */
    grammar_forced_tokens: number;
    backend: 'webgpu' | 'cpu';
  };
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'tool_calls';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    /** content is null when the reply is only tool calls. */
    message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ToolCall[] };
    finish_reason: FinishReason;
    logprobs: unknown | null;
    token_ids?: number[];
  }>;
  usage: Usage;
  prompt_token_ids?: number[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string; tool_calls?: ToolCallDelta[] };
    finish_reason: FinishReason | null;
    logprobs?: unknown | null;
    token_ids?: number[];
  }>;
  usage?: Usage | null;
  prompt_token_ids?: number[];
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: FinishReason; logprobs: unknown | null; token_ids?: number[] }>;
  usage: Usage;
  prompt_token_ids?: number[];
}

export interface RuntimeStats {
  backend: 'webgpu' | 'cpu' | null;
  model: string | null;
  n_ctx: number;
  last_usage: Usage | null;
  load: {
    backend: string;
    fallback_reason: string | null;
    from_cache: boolean;
    /** Files the model came in: 1, or a split model's shard count. */
    shards: number;
    bytes_from_network: number;
    bytes_from_cache: number;
    n_ctx: number;
    n_vocab: number;
    weight_bytes: number;
    phases_ms: Record<string, number>;
    /** Overlapping load work (probe, download, cache_read, cache_verify (the
     *  digest check of chunks read from the cache), cache_write,
     *  gpu_upload, gpu_drain): wall time (at least one piece running) and busy
     *  time (sum of pieces) per phase; overlap_ms = sum of walls - union_ms. */
    load_phases: Record<string, { wall_ms: number; busy_ms: number; count: number }> & {
      union_ms: number;
      overlap_ms: number;
    };
    total_ms: number;
  } | null;
  /** The DeviceLostError message once the WebGPU device is lost, else null. */
  device_lost: string | null;
}

/** A failed model load (download, cache, storage), also from a worker
 * engine: `code` says what failed, the message says where. */
export class LoaderError extends Error {
  name: 'LoaderError';
  code: 'http' | 'network' | 'integrity' | 'changed' | 'too-large' | 'quota' | 'storage' | 'timeout' | 'usage';
  status?: number;            // code 'http': the HTTP status
  retryable: boolean;
  sizeBytes?: number;         // code 'too-large'
  shortfallBytes?: number;    // code 'quota'
}

/** An OpenAI-shaped error: bad request shapes, context overflow. */
export class ApiError extends Error {
  type: string;
  param: string | null;
  code: string | null;
}

/** The engine's WebGPU device was lost (destroyed, a driver reset, the GPU
 * process gone): requests fail with this until reload() gets a new device. */
export class DeviceLostError extends Error {
  name: 'DeviceLostError';
  reason: string;
}

export interface Engine {
  chat: {
    completions: {
      create(request: ChatCompletionRequest & { stream: true }): Promise<AsyncIterable<ChatCompletionChunk>>;
      create(request: ChatCompletionRequest & { stream?: false }): Promise<ChatCompletion>;
    };
  };
  completions: {
    create(request: CompletionRequest & { stream: true }): Promise<AsyncIterable<unknown>>;
    create(request: CompletionRequest & { stream?: false }): Promise<Completion>;
  };
  interruptGenerate(): Promise<void>;
  resetChat(): Promise<void>;
  unload(): Promise<void>;
  reload(modelUrl: string, options?: EngineOptions): Promise<unknown>;
  runtimeStats(): Promise<RuntimeStats>;
  /** Test hook: destroys the WebGPU device, as a GPU reset would. */
  _loseDeviceForTesting(): Promise<void>;
}

/** modelUrl: a GGUF file, or a split model's first shard (PREFIX-00001-of-0000N.gguf: every shard beside it is loaded). */
export function CreateEngine(modelUrl: string, options?: EngineOptions): Promise<Engine>;
export function CreateWorkerEngine(worker: Worker, modelUrl: string, options?: EngineOptions): Promise<Engine>;
export function hasModelInCache(url: string, options?: { cache?: 'cache' | 'indexeddb'; cacheName?: string }): Promise<boolean>;
export function deleteModelFromCache(url: string, options?: { cache?: 'cache' | 'indexeddb'; cacheName?: string }): Promise<boolean>;
