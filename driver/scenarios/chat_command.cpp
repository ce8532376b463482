#include "scenarios/chat_command.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "scenarios/command_setup.h"
#include "scenarios/scenario_context.h"

namespace lantern::rig {

using namespace std::chrono_literals;
using Json = nlohmann::ordered_json;

namespace {

const char* kChatHelp = R"(usage: lantern-rig chat --prompt TEXT [options]
       lantern-rig chat --request BODY.json [--model M] [browser options]

Streams one completion through the web SDK in headless Chromium (WebGPU, or
the wasm CPU backend where WebGPU is missing) and prints it as it arrives.
Like lantern-cli, the prompt is raw text unless --chat wraps it in the model's
chat template.

options:
  --model PATH|URL   GGUF model (default: ../shared/models/stories260K/stories260K.gguf
                     when present, else a synthetic model whose text is random)
  --prompt TEXT      the prompt (this or --request)
  --request FILE     a whole OpenAI request body instead (a chat completion when it
                     has "messages", else a completion), sent as it is through the
                     SDK; prints the response object, or with "stream": true one
                     chunk object per line; an error object and exit status 1
                     when the SDK rejects it (as lantern-cli --request)
  --chat             send it as a user message through the chat template
  --max-tokens N     completion length (default 64)
  --temperature T    0 is greedy (default 0)
  --top-k K, --top-p P, --seed S   sampling, as lantern-cli
  --backend B        auto (default), webgpu, cpu
  --ctx N            context size (default: the SDK's; lower it where the KV
                     cache of a big model does not fit the backend's budget)
  --json             print one JSON object instead of the stream:
                     {"prompt_tokens":[..],"tokens":[..],"text":..,"timings":{..},
                      "backend":..,"adapter":{..},"chunks":N,"finish_reason":..}
  --browser B        headless-shell (default), chromium, or an executable path
  --flags PROFILE    swiftshader (default), no-webgpu, gpu-vulkan
  --timeout S        overall limit in seconds (default 300)
  --source-dir DIR   repository root (default: $LANTERN_SOURCE_DIR or the build's tree)
  --help             this text
)";

struct ChatOptions {
  std::string model, prompt, backend = "auto";
  std::string request;  // --request: the body's JSON text
  bool chat = false, json = false, has_prompt = false;
  int max_tokens = 64;
  int n_ctx = 0;  // 0: the SDK's default
  double temperature = 0;
  std::string top_k, top_p, seed;  // passed through when given
  CommandBrowserOptions browser;
};

ChatOptions parse(int argc, char** argv, bool* help) {
  ChatOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") *help = true;
    else if (a == "--model") o.model = value();
    else if (a == "--prompt") { o.prompt = value(); o.has_prompt = true; }
    else if (a == "--chat") o.chat = true;
    else if (a == "--request") {
      const std::string path = value();
      std::ifstream f(path, std::ios::binary);
      if (!f) throw std::invalid_argument("cannot read --request " + path);
      std::stringstream ss;
      ss << f.rdbuf();
      const Json body = Json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded() || !body.is_object()) throw std::invalid_argument("--request " + path + " is not a JSON object");
      o.request = body.dump();
    }
    else if (a == "--json") o.json = true;
    else if (a == "--max-tokens") o.max_tokens = std::stoi(value());
    else if (a == "--temperature") o.temperature = std::stod(value());
    else if (a == "--top-k") o.top_k = std::to_string(std::stoi(value()));
    else if (a == "--top-p") o.top_p = std::to_string(std::stod(value()));
    else if (a == "--seed") o.seed = std::to_string(std::stoull(value()));
    else if (a == "--backend") o.backend = value();
    else if (a == "--ctx") o.n_ctx = std::stoi(value());
    else if (a == "--browser") o.browser.browser = value();
    else if (a == "--flags") o.browser.flags = value();
    else if (a == "--timeout") o.browser.timeout_s = std::stod(value());
    else if (a == "--source-dir") o.browser.source_dir = value();
    else throw std::invalid_argument("unknown option " + a + " (see --help)");
  }
  if (!*help && !o.has_prompt && o.request.empty()) throw std::invalid_argument("--prompt is required, or --request (see --help)");
  if (o.has_prompt && !o.request.empty()) throw std::invalid_argument("--prompt and --request exclude each other");
  if (o.backend != "auto" && o.backend != "webgpu" && o.backend != "cpu")
    throw std::invalid_argument("--backend must be auto, webgpu or cpu");
  if (o.max_tokens < 1) throw std::invalid_argument("--max-tokens must be at least 1");
  if (o.n_ctx < 0) throw std::invalid_argument("--ctx must be positive");
  return o;
}

std::string page_query(const ChatOptions& o, const std::string& model_url) {
  std::ostringstream q;
  q << "/rig_chat.html?model=" << url_encode(model_url) << "&prompt=" << url_encode(o.prompt)
    << "&chat=" << (o.chat ? 1 : 0) << "&max_tokens=" << o.max_tokens << "&temperature=" << o.temperature
    << "&backend=" << o.backend;
  if (!o.top_k.empty()) q << "&top_k=" << o.top_k;
  if (!o.top_p.empty()) q << "&top_p=" << o.top_p;
  if (!o.seed.empty()) q << "&seed=" << o.seed;
  if (o.n_ctx > 0) q << "&n_ctx=" << o.n_ctx;
  if (!o.request.empty()) q << "&request=" << url_encode(o.request);
  return q.str();
}

// lantern-cli's --json shape, plus what only a browser run knows.
Json result_json(const Json& done) {
  const Json usage = done.value("usage", Json::object());
  const Json extra = usage.value("extra", Json::object());
  const Json stats = done.value("stats", Json::object());
  const Json load = stats.value("load", Json::object());
  return {{"prompt_tokens", done.value("prompt_tokens", Json::array())},
          {"tokens", done.value("tokens", Json::array())},
          {"text", done.value("text", std::string())},
          {"timings",
           {{"load_ms", done.value("load_ms", 0.0)},
            {"prefill_tok_s", extra.value("prefill_tokens_per_s", 0.0)},
            {"decode_tok_s", extra.value("decode_tokens_per_s", 0.0)},
            {"ttft_ms", extra.value("time_to_first_token_s", 0.0) * 1000.0}}},
          {"backend", load.value("backend", std::string())},
          {"adapter", load.value("adapter", Json(nullptr))},
          {"chunks", done.value("chunks", 0)},
          {"finish_reason", done.value("finish_reason", Json(nullptr))}};
}

}  // namespace

int chat_command(int argc, char** argv) {
  bool help = false;
  const ChatOptions o = parse(argc, argv, &help);
  if (help) {
    std::cout << kChatHelp;
    return 0;
  }
  ScenarioContext ctx(command_settings(o.browser));
  try {
    std::ostringstream note;
    const ServedModel model = model_to_serve(o.model, ctx, note);
    if (!note.str().empty()) std::cerr << "chat: " << note.str();
    std::vector<Mount> mounts{{"/web/", ctx.settings().source_dir + "/web"}};
    mounts.insert(mounts.end(), model.mounts.begin(), model.mounts.end());
    ctx.start_server(mounts);
    Browser& browser = ctx.launch_browser();
    ScenarioPage& page = ctx.open_page(browser, page_query(o, model.url));
    Json done;
    for (size_t printed = 0;;) {
      const auto errors = page.events("error");
      if (!errors.empty()) ctx.fail("the page reported: " + errors[0].data.value("message", std::string()));
      if (!o.request.empty()) {
        // --request: the SDK's own objects, one per line as they arrive
        // (read after the end event, so none that came before it is missed).
        const auto finished = page.events("request_done");
        const auto objects = page.events("object");
        for (; printed < objects.size(); ++printed) std::cout << objects[printed].data["object"].dump() << "\n" << std::flush;
        if (!finished.empty()) {
          ctx.teardown();
          return finished[0].data.value("rejected", false) ? 1 : 0;
        }
      } else if (!o.json) {
        const auto chunks = page.events("chunk");
        for (; printed < chunks.size(); ++printed) std::cout << chunks[printed].data.value("text", std::string()) << std::flush;
      }
      const auto finished = page.events("done");
      if (!finished.empty()) {
        done = finished[0].data;
        break;
      }
      ctx.budget(1s, "the completion");  // fails once the overall deadline has passed
      std::this_thread::sleep_for(20ms);
    }
    const Json out = result_json(done);
    if (o.json) {
      std::cout << out.dump() << "\n";
    } else {
      const Json& t = out["timings"];
      std::cout << "\n[" << out["backend"].get<std::string>() << ": load " << static_cast<int>(t["load_ms"].get<double>())
                << " ms, TTFT " << static_cast<int>(t["ttft_ms"].get<double>()) << " ms, prefill "
                << t["prefill_tok_s"].get<double>() << " tok/s, decode " << t["decode_tok_s"].get<double>() << " tok/s, "
                << out["tokens"].size() << " tokens in " << out["chunks"].get<int>() << " chunks, finish "
                << out["finish_reason"].dump() << "]\n";
    }
    ctx.teardown();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "\nlantern-rig chat: " << e.what() << "\n";
    const std::string tail = ctx.last_browser_stderr();
    if (!tail.empty()) std::cerr << "browser stderr (last lines):\n" << tail << "\n";
    ctx.teardown();
    return 1;
  }
}

}  // namespace lantern::rig
