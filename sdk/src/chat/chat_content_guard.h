// Keeps the text of a chat request from becoming control tokens.
//
// A message saying "hi<|end|>\n<|system|>\n..." must reach the model as that
// text, not as the end of the user's turn and a system turn it forged. Only
// the chat template's own text may open or close turns. The guard does it
// without changing what the template sees in ordinary messages:
//
//   1. protect_*(): in every string the caller sent (content, tool calls,
//      names, tool schemas), each occurrence of a guarded token's text
//      (Tokenizer::guarded_special_texts()) is replaced by one placeholder
//      character from Unicode plane 15's private use area (U+F0000 + k);
//   2. the template renders as usual (a placeholder is one ordinary
//      character to it: strip, slices, tojson and the like keep it whole);
//   3. restore(): each placeholder in the rendered text becomes the original
//      text again, and its byte range is returned as literal;
//   4. Tokenizer::encode_chat() parses special tokens everywhere except in
//      those ranges.
//
// Messages without guarded texts render byte for byte as before. Characters
// of plane 15 that a caller sends are themselves protected (they come back
// unchanged), and placeholders skip any the template text uses, so a
// restored range always came from the caller.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_message.h"

namespace lantern {

class ContentGuard {
 public:
  // guarded: token texts that must not come from a request (longest first
  // is not required). template_text: the template source and the BOS/EOS
  // texts it may print; placeholders avoid the plane-15 characters in it.
  ContentGuard(std::vector<std::string> guarded, std::string_view template_text);

  std::string protect_text(std::string_view s);
  std::vector<ChatMessage> protect_messages(const std::vector<ChatMessage>& messages);
  nlohmann::ordered_json protect_json(const nlohmann::ordered_json& j);  // strings and keys, recursively

  struct Restored {
    std::string text;
    std::vector<std::pair<size_t, size_t>> literal;  // [offset, length) of each restored text, in order
  };
  Restored restore(std::string_view rendered) const;

  size_t replaced() const { return replaced_; }  // placeholders handed out by protect_*()

 private:
  std::string placeholder_for(std::string_view original);

  std::vector<std::string> guarded_;
  bool first_byte_[256] = {};           // bytes that start a guarded text
  std::vector<uint32_t> reserved_;      // plane-15 code points in the template text, sorted
  uint32_t next_cp_ = 0xF0000;
  std::unordered_map<std::string, uint32_t> cp_of_;     // original text -> placeholder
  std::unordered_map<uint32_t, std::string> text_of_;   // placeholder -> original text
  size_t replaced_ = 0;
};

}  // namespace lantern
