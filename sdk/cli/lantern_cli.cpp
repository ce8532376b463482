// lantern-cli: the engine on the command line, natively on the CPU backend.
// The --json output is a contract (DESIGN.md): tests and the rig parse it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "engine/completion_run.h"
#include "engine/engine.h"
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
  --stop TEXT           stop string (up to 4, as OpenAI's stop)
  --ignore-eos          keep generating past end-of-generation tokens
  --chat                wrap the prompt as a user message in the model's chat template
  --ctx N               context size (default 4096, at most the model's)
  --threads N           CPU threads (default: one per core)
  --json                print one JSON object: prompt_tokens, tokens, text, finish_reason, timings
--prompt runs as a request (the same path as --request, with the defaults
above): a completion of the text, tokenized with BOS as the GGUF's
add_bos_token says and special-token texts as their tokens, as a completions
prompt is; with --chat, one user message whose text stays text.

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

// The engine for both ways of running: the model, its context and threads.
std::unique_ptr<lantern::Engine> load_engine(const lantern::cli::Args& args) {
  lantern::EngineOptions eo;
  eo.n_ctx = static_cast<int32_t>(args.integer("--ctx", eo.n_ctx, 8, 1 << 20));
  eo.n_threads = static_cast<int32_t>(args.integer("--threads", 0, 0, 256));
  return lantern::Engine::load_file(args.str("--model"), eo);
}

// The --prompt options as an OpenAI request body: a completion of the raw
// text, or with --chat one user message through the model's chat template.
// The defaults are llama.cpp's command-line ones, not OpenAI's.
json prompt_request(const lantern::cli::Args& args) {
  json body{{"max_tokens", args.integer("--max-tokens", 128, 1, 1 << 24)},
            {"temperature", args.number("--temperature", 0.8, 0.0, 100.0)},
            {"top_k", args.integer("--top-k", 40, 0, 1 << 30)},
            {"top_p", args.number("--top-p", 0.95, 1e-9, 1.0)},
            {"min_p", args.number("--min-p", 0.05, 0.0, 1.0)},
            {"repetition_penalty", args.number("--repeat-penalty", 1.0, 1e-3, 100.0)},
            {"ignore_eos", args.flag("--ignore-eos")}};
  if (args.has("--seed")) body["seed"] = args.integer("--seed", 0, 0, INT64_MAX);
  if (args.has("--stop")) body["stop"] = args.all("--stop");
  if (args.flag("--chat"))
    body["messages"] = json::array({{{"role", "user"}, {"content", args.str("--prompt")}}});
  else
    body["prompt"] = args.str("--prompt");
  return body;
}

// --prompt: the same CompletionRun as --request, its answer streamed as text
// (or, with --json, the contract's one object: prompt_tokens, tokens, text,
// finish_reason, timings).
int generate(const lantern::cli::Args& args) {
  const bool as_json = args.flag("--json");
  const bool chat = args.flag("--chat");
  const auto t0 = std::chrono::steady_clock::now();
  auto engine = load_engine(args);
  const double load_ms = ms_since(t0);
  json body = prompt_request(args);
  body["stream"] = !as_json;
  lantern::api::IdGenerator ids;
  auto run = lantern::CompletionRun::start(*engine, chat ? lantern::CompletionRun::Kind::Chat : lantern::CompletionRun::Kind::Completion,
                                           body, ids);
  if (!run) throw std::invalid_argument(run.error().message);
  auto& r = run.value();
  if (!r->template_warning().empty()) std::fprintf(stderr, "lantern-cli: chat template: %s\n", r->template_warning().c_str());
  std::string finish = "?";  // streamed: from the finish chunk
  while (!r->done()) {
    for (const json& chunk : r->step().chunks) {
      if (chunk["choices"].empty()) continue;
      const json& c = chunk["choices"][0];
      const std::string piece = chat ? c["delta"].value("content", std::string()) : c.value("text", std::string());
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
      if (!c["finish_reason"].is_null()) finish = c["finish_reason"].get<std::string>();
    }
  }
  // Tokens and timings straight from the run (one choice).
  const lantern::GenerationStats& st = r->stats();
  const std::vector<int32_t>& tokens = r->choice_tokens().at(0);
  if (!as_json) {
    std::fprintf(stderr, "\n[load %.1f ms, prompt %zu tokens at %.1f tok/s, %zu tokens at %.1f tok/s, finish: %s]\n", load_ms,
                 r->prompt_tokens().size(), st.prefill_tok_s(), tokens.size(), st.decode_tok_s(), finish.c_str());
    return 0;
  }
  const json& c = r->response()["choices"][0];
  json out{{"prompt_tokens", r->prompt_tokens()},
           {"tokens", tokens},
           {"text", chat ? c["message"].value("content", std::string()) : c.value("text", std::string())},
           {"finish_reason", c["finish_reason"]},
           {"timings", {{"load_ms", load_ms}, {"ttft_ms", st.ttft_ms}, {"prefill_tok_s", st.prefill_tok_s()}, {"decode_tok_s", st.decode_tok_s()}}}};
  std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
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
  auto engine = load_engine(args);
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
