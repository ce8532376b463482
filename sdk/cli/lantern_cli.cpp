// lantern-cli: the engine on the command line, natively on the CPU backend.
// The --json output is a contract (DESIGN.md): tests and the rig parse it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "engine/chat_prompt.h"
#include "engine/completion_run.h"
#include "engine/engine.h"
#include "engine/generation.h"
#include "chat/chat_template.h"
#include "gguf/gguf_error.h"
#include "gguf/gguf_split.h"

using json = nlohmann::ordered_json;

namespace {

const char* kHelp = R"(lantern-cli: run a GGUF model on the CPU.

  lantern-cli --model FILE.gguf --prompt TEXT [options]
  lantern-cli --model FILE.gguf --tokenize TEXT [--json]
  lantern-cli --model FILE.gguf --request BODY.json [--stream] [--ctx N] [--threads N]

Requests:
  --request FILE        run an OpenAI request body (a chat completion when it has
                        "messages", else a completion; "-" reads standard input)
                        and print the response object, or an error object and
                        exit status 1
  --stream              stream it: one chunk object per line

Generation options:
  --max-tokens N        tokens to generate (default 128)
  --temperature T       0 = greedy argmax of the raw logits (default 0.8)
  --top-k K             keep the K most likely tokens, 0 = off (default 40)
  --top-p P             nucleus sampling, 1 = off (default 0.95)
  --min-p P             drop tokens below P x the best one's probability (default 0.05)
  --repeat-penalty R    llama.cpp-style repetition penalty, 1 = off (default 1)
  --seed S              random seed (default: fixed, so runs repeat)
  --stop TEXT           stop string (may repeat)
  --ignore-eos          keep generating past end-of-generation tokens
  --chat                wrap the prompt as a user message in the model's chat template
  --ctx N               context size (default 4096, at most the model's)
  --threads N           CPU threads (default: one per core)
  --json                print one JSON object: prompt_tokens, tokens, text, timings
The prompt is tokenized as plain text with BOS as the GGUF's add_bos_token says.

Tokenizer:
  --tokenize TEXT       print the token ids of TEXT (works on vocab-only GGUF files)
  --parse-special       with --tokenize: treat special-token text (e.g. <|im_end|>) as tokens
)";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int tokenize(const lantern::cli::Args& args) {
  auto src = lantern::open_model_source(args.str("--model"));
  const lantern::GgufFile gguf = lantern::parse_model(*src);
  auto tok = lantern::Tokenizer::from_gguf(gguf);
  const std::vector<int32_t> ids = tok->encode(args.str("--tokenize"), true, args.flag("--parse-special"));
  if (args.flag("--json")) {
    std::cout << json{{"tokens", ids}}.dump() << "\n";
  } else {
    for (int32_t id : ids) std::cout << id << " '" << tok->token_to_piece(id, true) << "'\n";
  }
  return 0;
}

int generate(const lantern::cli::Args& args) {
  using lantern::ChatMessage;
  using lantern::ChatRenderResult;
  const bool as_json = args.flag("--json");
  lantern::EngineOptions eo;
  eo.n_ctx = static_cast<int32_t>(args.integer("--ctx", eo.n_ctx, 8, 1 << 20));
  eo.n_threads = static_cast<int32_t>(args.integer("--threads", 0, 0, 256));
  const auto t0 = std::chrono::steady_clock::now();
  auto engine = lantern::Engine::load_file(args.str("--model"), eo);
  const double load_ms = ms_since(t0);

  lantern::SamplingParams sp;
  sp.temperature = static_cast<float>(args.number("--temperature", 0.8, 0.0, 100.0));
  sp.top_k = static_cast<int32_t>(args.integer("--top-k", 40, 0, 1 << 30));
  sp.top_p = static_cast<float>(args.number("--top-p", 0.95, 1e-9, 1.0));
  sp.min_p = static_cast<float>(args.number("--min-p", 0.05, 0.0, 1.0));
  sp.repetition_penalty = static_cast<float>(args.number("--repeat-penalty", 1.0, 1e-3, 100.0));
  if (args.has("--seed")) sp.seed = static_cast<uint64_t>(args.integer("--seed", 0, 0, INT64_MAX));
  lantern::StopParams stop;
  stop.max_tokens = static_cast<int32_t>(args.integer("--max-tokens", 128, 0, 1 << 24));
  stop.stop = args.all("--stop");
  stop.ignore_eos = args.flag("--ignore-eos");

  const std::string prompt = args.str("--prompt");
  std::vector<int32_t> prompt_tokens;
  if (args.flag("--chat")) {
    // The prompt as one user message through the model's chat template.
    // Its special-token texts stay text, as in a chat request (engine/chat_prompt.h).
    const lantern::ChatPrompt p = lantern::build_chat_prompt(engine->chat_template(), engine->tokenizer(),
                                                             {ChatMessage{"user", prompt, nullptr}}, {});
    if (!p.rendered.warning.empty()) {
      std::fprintf(stderr, "lantern-cli: chat template: %s\n", p.rendered.warning.c_str());
    }
    prompt_tokens = p.tokens;
  } else {
    prompt_tokens = engine->tokenizer().encode(prompt, true, false);
  }

  lantern::Generation gen(*engine, prompt_tokens, sp, stop);
  while (!gen.done()) {
    const lantern::StepResult r = gen.step();
    if (!as_json && !r.text.empty()) {
      std::fwrite(r.text.data(), 1, r.text.size(), stdout);
      std::fflush(stdout);
    }
  }
  const lantern::GenerationStats& st = gen.stats();
  if (as_json) {
    json out{{"prompt_tokens", gen.prompt()},
             {"tokens", gen.tokens()},
             {"text", gen.text()},
             {"finish_reason", lantern::finish_reason_name(gen.finish_reason())},
             {"timings",
              {{"load_ms", load_ms},
               {"ttft_ms", st.ttft_ms},
               {"prefill_tok_s", st.prefill_tok_s()},
               {"decode_tok_s", st.decode_tok_s()}}}};
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  } else {
    std::fprintf(stderr, "\n[load %.1f ms, prompt %d tokens at %.1f tok/s, %d tokens at %.1f tok/s, finish: %s]\n",
                 load_ms, st.prompt_tokens, st.prefill_tok_s(), st.completion_tokens, st.decode_tok_s(),
                 lantern::finish_reason_name(gen.finish_reason()));
  }
  return 0;
}

// A whole OpenAI request through the same CompletionRun the web SDK uses.
int request(const lantern::cli::Args& args) {
  std::stringstream text;
  const std::string path = args.str("--request");
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    text << f.rdbuf();
  }
  json body = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) throw std::invalid_argument(path + " is not a JSON object");
  if (args.flag("--stream")) body["stream"] = true;
  lantern::EngineOptions eo;
  eo.n_ctx = static_cast<int32_t>(args.integer("--ctx", eo.n_ctx, 8, 1 << 20));
  eo.n_threads = static_cast<int32_t>(args.integer("--threads", 0, 0, 256));
  auto engine = lantern::Engine::load_file(args.str("--model"), eo);
  lantern::api::IdGenerator ids;
  const auto kind = body.contains("messages") ? lantern::CompletionRun::Kind::Chat : lantern::CompletionRun::Kind::Completion;
  auto run = lantern::CompletionRun::start(*engine, kind, body, ids);
  if (!run) {
    std::printf("%s\n", run.error().to_json().dump().c_str());
    return 1;
  }
  auto& r = run.value();
  while (!r->done()) {
    for (const auto& chunk : r->step().chunks) std::printf("%s\n", chunk.dump().c_str());
  }
  if (!body.value("stream", false)) std::printf("%s\n", r->response().dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const lantern::cli::Args args(argc, argv,
                                  {"--model", "--prompt", "--tokenize", "--max-tokens", "--temperature", "--top-k",
                                   "--top-p", "--min-p", "--repeat-penalty", "--seed", "--stop", "--ctx", "--threads", "--request"},
                                  {"--json", "--chat", "--ignore-eos", "--parse-special", "--stream", "--help", "-h"});
    if (args.flag("--help") || args.flag("-h") || argc == 1) {
      std::fputs(kHelp, argc == 1 ? stderr : stdout);
      return argc == 1 ? 2 : 0;
    }
    if (!args.has("--model")) throw std::invalid_argument("--model is required");
    if (args.has("--tokenize")) return tokenize(args);
    if (args.has("--request")) return request(args);
    if (!args.has("--prompt")) throw std::invalid_argument("--prompt, --request or --tokenize is required");
    return generate(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lantern-cli: error: %s\n", e.what());
    return 1;
  }
}
