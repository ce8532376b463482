// Split GGUF models: shards named PREFIX-00001-of-0000N.gguf, as llama.cpp's
// gguf-split writes them (sdk/src/gguf/gguf_split.h reads them as one file).
// A model given by its first shard's URL is all N shards, each fetched and
// cached under its own URL; the engine merges their headers.

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/;

// The URLs of the model `url` names: [url] for an ordinary file, every
// shard's for a split model's first shard (a query or fragment kept on
// each). A later shard's URL is refused, naming the first.
export function shardUrls(url) {
  const s = String(url);
  const cut = s.search(/[?#]/);
  const path = cut < 0 ? s : s.slice(0, cut), rest = cut < 0 ? '' : s.slice(cut);
  const m = SHARD.exec(path);
  if (!m) return [s];
  const index = Number(m[1]), count = Number(m[2]);
  if (index < 1 || count < 1 || index > count) return [s];
  const prefix = path.slice(0, m.index);
  const name = (i) => `${prefix}-${String(i).padStart(5, '0')}-of-${m[2]}.gguf${rest}`;
  if (index !== 1) {
    throw new Error(`lantern: ${s} is shard ${index} of a split model: load ${name(1)}, its first shard`);
  }
  return Array.from({ length: count }, (_, i) => name(i + 1));
}
