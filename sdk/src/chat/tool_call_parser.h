// Finds function calls in generated text, as it streams, in one
// ToolCallSyntax (tool_call_format.h). Text is pushed as it is generated
// and comes back as events in OpenAI's streaming order: content pieces, and
// for each call first its id and name, then pieces of its arguments.
//
// Like stop strings (sampling/stop_matcher.h), text that could still be the
// start of a call opener ("<tool_c") is held back, so call syntax never
// reaches the content, not even in part. Spaces next to a call block are not
// content either (they are held until text other than a call follows).
//
// When a call counts (the "commit"): once its object has a "name" string and
// the arguments value has begun with "{" (or the object closed with a name
// and no arguments, which gives "{}"). Keys before the commit may only be
// the name, "arguments"/"parameters" (either is accepted in every format),
// "type" and "id"; any other key means the JSON is not a call.
//
// Malformed calls:
//  - Before the commit (bad JSON, no name, arguments not an object, another
//    key, the output ending mid-header), everything since the opener is
//    content, as llama.cpp leaves an unparsable call in the content.
//  - After the commit the call stands: its id, name and argument pieces have
//    already been streamed. If the arguments turn out not to be JSON, or the
//    output ends inside them (finish_reason "length"), the call keeps the
//    arguments text written so far (OpenAI warns that arguments may not be
//    valid JSON), and the rest of that block is dropped, up to its closing
//    marker (block_close) or, for formats without one, to the end.
//  - Text after a complete call that is not the block's continuation (no
//    "</tool_call>", no "," or "]" in a list) is content again.
// Because the batch parser is this one run over the whole text, a text
// gives the same content and calls however it is split into pushes.
//
// Not recognised (stays content): Llama 3's bare JSON call after other text
// (only at the start of the reply, or after <|python_tag|>), its built-in
// tools' `<|python_tag|>name.call(...)` form, and calls wrapped as
// {"type": "function", "function": {...}}.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/json_value_scanner.h"
#include "chat/tool_call_format.h"

namespace lantern {

struct ToolCallEvent {
  enum class Kind { Content, CallStart, Arguments };
  Kind kind = Kind::Content;
  int32_t index = 0;     // the call's index in the message (CallStart, Arguments)
  std::string text;      // Content or Arguments text
  std::string id, name;  // CallStart
  bool operator==(const ToolCallEvent&) const = default;
};

struct ToolCallParserOptions {
  // Calls after this many are parsed and dropped (parallel_tool_calls: false).
  size_t max_calls = SIZE_MAX;
  // Makes the id of call n (0-based). Default: "call_<n>" ("call0000<n>"
  // when the syntax wants 9-character ids): deterministic, for tests.
  std::function<std::string(size_t)> make_id;
};

class ToolCallStreamParser {
 public:
  explicit ToolCallStreamParser(const ToolCallSyntax& syntax, ToolCallParserOptions options = {});

  // Events for `text`, adjacent events of one kind and call merged.
  std::vector<ToolCallEvent> push(std::string_view text);
  // End of the output: what was held back, as the rules above say.
  std::vector<ToolCallEvent> finish();

  size_t calls() const { return calls_; }  // calls started so far

 private:
  enum class State {
    Content,        // plain text; held_ may hold spaces and an opener prefix
    AfterOpener,    // spaces, then "[" (array blocks) or "{"
    ListItem,       // in an array block: spaces, then "{"
    Object,         // inside a call object (obj_ below)
    AfterObject,    // spaces, then "," / "]" (array), block_close, or the next call (bare)
    BlockClose,     // matching block_close (close_pos_ bytes so far)
    AfterBlock,     // spaces after a block are dropped
    Recover,        // a committed call broke: drop up to block_close
  };
  // Where the call object's scanner is.
  enum class Obj { KeyOrEnd, Key, KeyString, Colon, Value, CommaOrEnd };

  void byte(char c);
  void content_byte(char c);
  void recover_byte(char c);
  void start_block(std::string raw, State next);
  void begin_object();
  void object_step(char c);
  void end_key();
  void end_value();
  void end_object();
  void commit();
  void fail();  // the byte just taken broke the call: see the rules above
  void emit_content(std::string_view s);
  void emit_args(std::string_view s);
  bool is_opener_prefix(std::string_view s) const;

  const ToolCallSyntax& syntax_;
  ToolCallParserOptions opt_;
  size_t longest_opener_ = 0;
  std::vector<ToolCallEvent> out_;
  State state_ = State::Content;
  std::string held_;        // Content: spaces then an opener prefix, not yet shown
  bool any_output_ = false; // content or a call came before (bare Llama 3 JSON only at the start)
  std::string raw_;         // text since the block (or its current call) began: content on failure
  bool in_array_ = false;
  size_t close_pos_ = 0;    // bytes of block_close matched

  // The call object being scanned.
  Obj obj_ = Obj::KeyOrEnd;
  std::string key_raw_;     // the current key, as written (escapes kept)
  std::string key_;         // decoded
  bool key_escape_ = false;
  JsonValueScanner value_;  // the current value
  std::string value_raw_;   // its text (except arguments, which stream or wait in pending_args_)
  bool value_is_args_ = false;
  std::string name_;
  bool have_name_ = false, have_args_ = false;
  std::string pending_args_;  // arguments written before the name
  bool committed_ = false;    // this call
  bool dropping_ = false;     // this call is past max_calls
  size_t calls_ = 0;          // calls started (and not dropped)
};

struct ParsedToolCalls {
  std::string content;
  std::vector<ToolCall> calls;
};

// The whole output at once: the stream parser's events, gathered.
ParsedToolCalls parse_tool_calls(const ToolCallSyntax& syntax, std::string_view text,
                                 const ToolCallParserOptions& options = {});
// Gathers events into content and calls (what a client does with the deltas).
void apply_tool_call_events(const std::vector<ToolCallEvent>& events, ParsedToolCalls& into);

}  // namespace lantern
