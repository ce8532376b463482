#include "chat/chat_content_guard.h"

#include <algorithm>

namespace lantern {

namespace {

constexpr uint32_t kFirst = 0xF0000;  // plane 15, Supplementary Private Use Area-A
constexpr uint32_t kLast = 0xFFFFD;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// A plane-15 character (F3 B0..BF xx xx) starting at s[i]: its code point, else 0.
uint32_t plane15_at(std::string_view s, size_t i) {
  if (i + 4 > s.size() || static_cast<unsigned char>(s[i]) != 0xF3) return 0;
  const unsigned char b1 = static_cast<unsigned char>(s[i + 1]);
  if ((b1 & 0xF0) != 0xB0 || !continuation(s[i + 2]) || !continuation(s[i + 3])) return 0;
  return 0xF0000 | ((b1 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
         (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
}

void append_cp(std::string& out, uint32_t cp) {  // cp in plane 15 or 16: four bytes
  out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
  out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
  out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
  out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
}

}  // namespace

ContentGuard::ContentGuard(std::vector<std::string> guarded, std::string_view template_text)
    : guarded_(std::move(guarded)) {
  guarded_.erase(std::remove_if(guarded_.begin(), guarded_.end(), [](const std::string& g) { return g.empty(); }),
                 guarded_.end());
  std::stable_sort(guarded_.begin(), guarded_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& g : guarded_) first_byte_[static_cast<unsigned char>(g[0])] = true;
  for (size_t i = 0; i < template_text.size(); ++i) {
    if (uint32_t cp = plane15_at(template_text, i)) reserved_.push_back(cp);
  }
  std::sort(reserved_.begin(), reserved_.end());
  reserved_.erase(std::unique(reserved_.begin(), reserved_.end()), reserved_.end());
}

std::string ContentGuard::placeholder_for(std::string_view original) {
  auto it = cp_of_.find(std::string(original));
  uint32_t cp = 0;
  if (it != cp_of_.end()) {
    cp = it->second;
  } else {
    // Plane-15 characters a caller sent may use the area only up to the
    // point where every guarded text could still get its own placeholder.
    const bool is_guarded_text = plane15_at(original, 0) == 0 || original.size() != 4;
    const uint32_t limit = is_guarded_text ? kLast : kLast - static_cast<uint32_t>(guarded_.size());
    while (next_cp_ <= limit && std::binary_search(reserved_.begin(), reserved_.end(), next_cp_)) ++next_cp_;
    if (next_cp_ > limit) return "\xEF\xBF\xBD";  // U+FFFD: only a caller's flood of distinct plane-15 characters
    cp = next_cp_++;
    cp_of_.emplace(std::string(original), cp);
    text_of_.emplace(cp, std::string(original));
  }
  ++replaced_;
  std::string out;
  append_cp(out, cp);
  return out;
}

std::string ContentGuard::protect_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (plane15_at(s, i)) {
      out += placeholder_for(s.substr(i, 4));
      i += 4;
      continue;
    }
    if (first_byte_[static_cast<unsigned char>(s[i])]) {
      const std::string* hit = nullptr;
      for (const std::string& g : guarded_) {  // longest first
        if (s.compare(i, g.size(), g) == 0) {
          hit = &g;
          break;
        }
      }
      if (hit) {
        out += placeholder_for(*hit);
        i += hit->size();
        continue;
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

std::vector<ChatMessage> ContentGuard::protect_messages(const std::vector<ChatMessage>& messages) {
  std::vector<ChatMessage> out;
  out.reserve(messages.size());
  for (const ChatMessage& m : messages) {
    out.push_back(ChatMessage{m.role, protect_text(m.content), m.extra.is_null() ? m.extra : protect_json(m.extra)});
  }
  return out;
}

nlohmann::ordered_json ContentGuard::protect_json(const nlohmann::ordered_json& j) {
  if (j.is_string()) return protect_text(j.get_ref<const std::string&>());
  if (j.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& x : j) out.push_back(protect_json(x));
    return out;
  }
  if (j.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[protect_text(it.key())] = protect_json(it.value());
    return out;
  }
  return j;
}

ContentGuard::Restored ContentGuard::restore(std::string_view rendered) const {
  Restored r;
  if (text_of_.empty()) {
    r.text = std::string(rendered);
    return r;
  }
  r.text.reserve(rendered.size());
  for (size_t i = 0; i < rendered.size();) {
    if (uint32_t cp = plane15_at(rendered, i)) {
      auto it = text_of_.find(cp);
      if (it != text_of_.end()) {
        r.literal.emplace_back(r.text.size(), it->second.size());
        r.text += it->second;
        i += 4;
        continue;
      }
    }
    r.text.push_back(rendered[i]);
    ++i;
  }
  return r;
}

}  // namespace lantern
