#include "chat/tool_call_parser.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace lantern {

namespace {


bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Keys a call object may have before it commits.
bool is_arguments_key(const std::string& k) { return k == "arguments" || k == "parameters"; }

std::string default_id(const ToolCallSyntax& s, size_t n) {
  std::string digits = std::to_string(n);
  if (s.id_length == 0) return "call_" + digits;
  const std::string head = "call";
  if (head.size() + digits.size() >= s.id_length) return digits.substr(0, s.id_length);
  return head + std::string(s.id_length - head.size() - digits.size(), '0') + digits;
}

}  // namespace

ToolCallStreamParser::ToolCallStreamParser(const ToolCallSyntax& syntax, ToolCallParserOptions options)
    : syntax_(syntax), opt_(std::move(options)) {
  if (!opt_.make_id) opt_.make_id = [s = &syntax_](size_t n) { return default_id(*s, n); };
  for (const std::string& o : syntax_.openers) longest_opener_ = std::max(longest_opener_, o.size());
}

std::vector<ToolCallEvent> ToolCallStreamParser::push(std::string_view text) {
  for (char c : text) byte(c);
  return std::move(out_);
}

std::vector<ToolCallEvent> ToolCallStreamParser::finish() {
  switch (state_) {
    case State::Content:
      emit_content(held_);
      held_.clear();
      break;
    case State::AfterOpener:
    case State::ListItem:
    case State::Object:
      // A call that never committed is text, as written.
      if (!committed_) emit_content(raw_);
      break;
    default:
      break;  // spaces, separators and a partial close marker are call syntax
  }
  state_ = State::AfterBlock;
  return std::move(out_);
}

void ToolCallStreamParser::emit_content(std::string_view s) {
  if (s.empty()) return;
  any_output_ = true;
  if (!out_.empty() && out_.back().kind == ToolCallEvent::Kind::Content) {
    out_.back().text += s;
    return;
  }
  ToolCallEvent e;
  e.kind = ToolCallEvent::Kind::Content;
  e.text = std::string(s);
  out_.push_back(std::move(e));
}

void ToolCallStreamParser::emit_args(std::string_view s) {
  if (s.empty() || dropping_) return;
  const int32_t index = static_cast<int32_t>(calls_ - 1);
  if (!out_.empty() && out_.back().kind == ToolCallEvent::Kind::Arguments && out_.back().index == index) {
    out_.back().text += s;
    return;
  }
  ToolCallEvent e;
  e.kind = ToolCallEvent::Kind::Arguments;
  e.index = index;
  e.text = std::string(s);
  out_.push_back(std::move(e));
}

bool ToolCallStreamParser::is_opener_prefix(std::string_view s) const {
  for (const std::string& o : syntax_.openers) {
    if (s.size() < o.size() && o.compare(0, s.size(), s) == 0) return true;
  }
  return false;
}

void ToolCallStreamParser::content_byte(char c) {
  // Llama 3: a reply that begins with "{" may be a call with no opener.
  if (syntax_.bare_json_at_start && !any_output_ && c == '{' &&
      std::all_of(held_.begin(), held_.end(), is_json_space)) {
    std::string raw = std::move(held_);
    held_.clear();
    start_block(raw + c, State::Object);
    begin_object();
    return;
  }
  held_.push_back(c);
  // Invariant: held_ is spaces and then a proper prefix of an opener, so
  // anything new is in its last max-opener-length bytes.
  for (const std::string& o : syntax_.openers) {
    if (!ends_with(held_, o)) continue;
    std::string before = held_.substr(0, held_.size() - o.size());
    size_t text_end = before.size();
    while (text_end > 0 && is_json_space(before[text_end - 1])) --text_end;
    emit_content(std::string_view(before).substr(0, text_end));
    held_.clear();
    start_block(before.substr(text_end) + o, State::AfterOpener);
    return;
  }
  size_t keep = 0;  // the longest suffix that may still grow into an opener
  for (size_t k = std::min(held_.size(), longest_opener_ > 0 ? longest_opener_ - 1 : 0); k > 0; --k) {
    if (is_opener_prefix(std::string_view(held_).substr(held_.size() - k))) {
      keep = k;
      break;
    }
  }
  const size_t rest = held_.size() - keep;
  size_t text_end = rest;
  while (text_end > 0 && is_json_space(held_[text_end - 1])) --text_end;
  if (text_end == 0) return;  // only spaces before what is kept: hold them too
  emit_content(std::string_view(held_).substr(0, text_end));
  held_.erase(0, text_end);
}

void ToolCallStreamParser::start_block(std::string raw, State next) {
  raw_ = std::move(raw);
  in_array_ = false;
  state_ = next;
}

void ToolCallStreamParser::begin_object() {
  obj_ = Obj::KeyOrEnd;
  key_raw_.clear();
  key_.clear();
  key_escape_ = false;
  name_.clear();
  pending_args_.clear();
  have_name_ = have_args_ = committed_ = dropping_ = false;
  state_ = State::Object;
}

void ToolCallStreamParser::commit() {
  committed_ = true;
  any_output_ = true;
  if (calls_ >= opt_.max_calls) {
    dropping_ = true;
    return;
  }
  ToolCallEvent e;
  e.kind = ToolCallEvent::Kind::CallStart;
  e.index = static_cast<int32_t>(calls_);
  e.id = opt_.make_id(calls_);
  e.name = name_;
  out_.push_back(std::move(e));
  ++calls_;
}

void ToolCallStreamParser::fail() {
  if (committed_) {
    // The call stands with what it has; the rest of its block is dropped
    // (this byte may begin the closing marker).
    state_ = State::Recover;
    close_pos_ = 0;
    return recover_byte(raw_.back());
  }
  // raw_ ends with the byte that failed: it is looked at again as content.
  const char c = raw_.back();
  raw_.pop_back();
  emit_content(raw_);
  raw_.clear();
  state_ = State::Content;
  content_byte(c);
}

void ToolCallStreamParser::end_key() {
  const nlohmann::json k = nlohmann::json::parse("\"" + key_raw_ + "\"", nullptr, false);
  if (k.is_discarded() || !k.is_string()) return fail();
  key_ = k.get<std::string>();
  if (!committed_ && key_ != syntax_.name_key && !is_arguments_key(key_) && key_ != "type" && key_ != "id")
    return fail();  // some other JSON object, not a call
  obj_ = Obj::Colon;
}

void ToolCallStreamParser::end_value() {
  if (key_ == syntax_.name_key && !have_name_ && !committed_) {
    const nlohmann::json v = nlohmann::json::parse(value_raw_, nullptr, false);
    if (v.is_discarded() || !v.is_string()) return fail();
    name_ = v.get<std::string>();
    have_name_ = true;
    if (have_args_) {  // the arguments came first: everything at once
      commit();
      emit_args(pending_args_);
    }
  } else if (value_is_args_) {
    have_args_ = true;
  }
  value_is_args_ = false;
  value_raw_.clear();
  obj_ = Obj::CommaOrEnd;
}

void ToolCallStreamParser::end_object() {
  if (!have_name_) return fail();
  if (!committed_) {  // {"name": "f"}: a call without arguments
    commit();
    emit_args("{}");
  }
  committed_ = false;  // what follows is between calls
  raw_.clear();
  state_ = State::AfterObject;
}

void ToolCallStreamParser::object_step(char c) {
  switch (obj_) {
    case Obj::KeyOrEnd:
    case Obj::Key:
      if (is_json_space(c)) return;
      if (c == '"') {
        key_raw_.clear();
        key_escape_ = false;
        obj_ = Obj::KeyString;
        return;
      }
      if (c == '}' && obj_ == Obj::KeyOrEnd) return end_object();
      return fail();
    case Obj::KeyString:
      if (key_escape_) {
        key_escape_ = false;
      } else if (c == '\\') {
        key_escape_ = true;
      } else if (c == '"') {
        return end_key();
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return fail();
      }
      key_raw_.push_back(c);
      return;
    case Obj::Colon:
      if (is_json_space(c)) return;
      if (c != ':') return fail();
      obj_ = Obj::Value;
      value_ = JsonValueScanner();
      value_raw_.clear();
      value_is_args_ = is_arguments_key(key_) && !have_args_ && !committed_;
      return;
    case Obj::Value: {
      if (!value_.started()) {
        if (is_json_space(c)) return;
        if (value_is_args_ && c != '{') return fail();  // arguments are an object
        if (key_ == syntax_.name_key && !have_name_ && !committed_ && c != '"') return fail();
        if (value_is_args_ && have_name_) commit();  // from here on the call streams
      }
      const JsonValueScanner::Result r = value_.push(c);
      if (r == JsonValueScanner::Result::Error) return fail();
      if (r == JsonValueScanner::Result::DoneBefore) {
        end_value();
        return object_step(c);
      }
      if (!value_is_args_) value_raw_.push_back(c);
      else if (committed_) emit_args(std::string_view(&c, 1));
      else pending_args_.push_back(c);
      if (r == JsonValueScanner::Result::Done) end_value();
      return;
    }
    case Obj::CommaOrEnd:
      if (is_json_space(c)) return;
      if (c == ',') {
        obj_ = Obj::Key;
        return;
      }
      if (c == '}') return end_object();
      return fail();
  }
}

void ToolCallStreamParser::recover_byte(char c) {
  // Drop up to the block's closing marker; formats without one drop the rest.
  const std::string& close = syntax_.block_close;
  if (close.empty()) return;
  if (c == close[close_pos_]) {
    if (++close_pos_ == close.size()) state_ = State::AfterBlock;
  } else {
    close_pos_ = c == close[0] ? 1 : 0;
  }
}

void ToolCallStreamParser::byte(char c) {
  switch (state_) {
    case State::Content:
      content_byte(c);
      return;
    case State::AfterBlock:
      if (is_json_space(c)) return;
      state_ = State::Content;
      content_byte(c);
      return;
    case State::Recover:
      return recover_byte(c);
    default:
      break;
  }
  raw_.push_back(c);
  switch (state_) {
    case State::AfterOpener:
      if (is_json_space(c)) return;
      if (c == '[' && syntax_.array_block) {
        in_array_ = true;
        state_ = State::ListItem;
        return;
      }
      if (c == '{') return begin_object();
      return fail();
    case State::ListItem:
      if (is_json_space(c)) return;
      if (c == '{') return begin_object();
      return fail();
    case State::Object:
      return object_step(c);
    case State::AfterObject:
      if (is_json_space(c)) return;
      if (in_array_) {
        if (c == ',') {
          state_ = State::ListItem;
          return;
        }
        if (c == ']') {
          state_ = syntax_.block_close.empty() ? State::AfterBlock : State::BlockClose;
          close_pos_ = 0;
          return;
        }
      } else if (!syntax_.block_close.empty()) {
        if (c == syntax_.block_close[0]) {
          state_ = State::BlockClose;
          close_pos_ = 1;
          if (close_pos_ == syntax_.block_close.size()) state_ = State::AfterBlock;
          return;
        }
      } else if (syntax_.bare_json_at_start) {
        if (c == ';') return;
        if (c == '{') {
          raw_ = "{";
          return begin_object();
        }
      }
      // Not the block's continuation: text again.
      raw_.clear();
      state_ = State::Content;
      return content_byte(c);
    case State::BlockClose:
      if (close_pos_ == 0 && is_json_space(c)) return;
      if (c == syntax_.block_close[close_pos_]) {
        if (++close_pos_ == syntax_.block_close.size()) state_ = State::AfterBlock;
        return;
      }
      {
        // A partial marker and this byte are text again (perhaps the next opener).
        const std::string again = syntax_.block_close.substr(0, close_pos_) + c;
        raw_.clear();
        state_ = State::Content;
        for (char a : again) byte(a);
      }
      return;
    default:
      return;
  }
}

void apply_tool_call_events(const std::vector<ToolCallEvent>& events, ParsedToolCalls& into) {
  for (const ToolCallEvent& e : events) {
    switch (e.kind) {
      case ToolCallEvent::Kind::Content: into.content += e.text; break;
      case ToolCallEvent::Kind::CallStart:
        if (into.calls.size() <= static_cast<size_t>(e.index)) into.calls.resize(e.index + 1);
        into.calls[e.index].id = e.id;
        into.calls[e.index].name = e.name;
        break;
      case ToolCallEvent::Kind::Arguments:
        if (into.calls.size() <= static_cast<size_t>(e.index)) into.calls.resize(e.index + 1);
        into.calls[e.index].arguments += e.text;
        break;
    }
  }
}

ParsedToolCalls parse_tool_calls(const ToolCallSyntax& syntax, std::string_view text,
                                 const ToolCallParserOptions& options) {
  ToolCallStreamParser p(syntax, options);
  ParsedToolCalls out;
  apply_tool_call_events(p.push(text), out);
  apply_tool_call_events(p.finish(), out);
  return out;
}

}  // namespace lantern
