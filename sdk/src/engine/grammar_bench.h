// What a grammar costs a constrained decode, measured the same way natively
// (lantern-bench --grammar) and in the browser (lt_testing_grammar_bench):
// the grammar compiled against the engine's vocabulary, then the full token
// mask computed before each token of a text, as a decode does whenever its
// sampled token is refused. Two passes: cold (every context's mask is
// computed on first visit) and warm (the same grammar again, as a client
// repeating a schema gets it).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace lantern {

// `gbnf`: the grammar; `text`: a sentence of it, tokenized by the engine.
// Returns {tokens, trie_ms, compile_ms, cold: {mean_us, p50_us, p99_us,
// max_us}, warm: {...}, contexts, forced_bytes} or throws GrammarError.
nlohmann::ordered_json bench_grammar_masks(Engine& engine, const std::string& gbnf, const std::string& text);

}  // namespace lantern
