#include "tokenizer/detokenizer.h"

#include <cstdio>

#include "tokenizer/byte_unicode.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace lantern {

namespace {

const std::string kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

std::string replace_space_marks(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
      out.push_back(' ');
      i += kSpaceMark.size();
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "<0x0A>" -> "\n"; anything malformed gives "" rather than a guess.
std::string byte_token_piece(const std::string& text) {
  if (text.size() < 6 || text.compare(0, 3, "<0x") != 0) return {};
  const int hi = hex_digit(text[3]), lo = hex_digit(text[4]);
  if (hi < 0 || lo < 0) return {};
  return std::string(1, static_cast<char>(hi * 16 + lo));
}

// GPT-2 byte alphabet back to bytes. A character outside the alphabet is
// written as llama.cpp writes it: "[UNK_BYTE_0x<its utf-8 in hex><token>]".
std::string byte_level_piece(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t cpt = utf8::decode_lenient(text, pos);
    const int byte = byte_unicode::codepoint_to_byte(cpt);
    if (byte >= 0) {
      out.push_back(static_cast<char>(byte));
      continue;
    }
    out += "[UNK_BYTE_0x";
    for (const char c : utf8::encode(cpt)) {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%02x", static_cast<uint8_t>(c));
      out += hex;
    }
    out += text + "]";
  }
  return out;
}

}  // namespace

std::string token_piece(const Vocab& vocab, int32_t id, bool render_special) {
  if (!vocab.valid(id)) return {};
  const uint32_t attr = vocab.attr(id);
  if (!render_special && (attr & (token_attr::Unknown | token_attr::Control))) return {};
  const std::string& text = vocab.text(id);
  if (attr & (token_attr::Unknown | token_attr::Control | token_attr::UserDefined)) return text;
  if (attr & token_attr::Normal) {
    return vocab.model() == VocabModel::Spm ? replace_space_marks(text) : byte_level_piece(text);
  }
  if (attr & token_attr::Byte) return byte_token_piece(text);
  return {};  // unused and undefined tokens have no text
}

std::string detokenize(const Vocab& vocab, const std::vector<int32_t>& ids, bool remove_special,
                       bool render_special) {
  size_t begin = 0, end = ids.size();
  bool remove_space = vocab.add_space_prefix();
  if (remove_special && vocab.add_bos() && end > begin && ids[begin] == vocab.special().bos) {
    remove_space = false;
    ++begin;
  }
  if (remove_special && vocab.add_eos() && end > begin && ids[end - 1] == vocab.special().eos) --end;

  std::string text;
  for (size_t i = begin; i < end; ++i) {
    std::string piece = token_piece(vocab, ids[i], render_special);
    if (remove_space && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    remove_space = false;
    text += piece;
  }
  if (vocab.model() == VocabModel::Bpe && vocab.pre().clean_spaces) text = clean_up_spaces(text);
  return text;
}

std::string clean_up_spaces(const std::string& in) {
  if (in.empty()) return in;
  // 1: " ?" " !" " ." " ," lose the space.
  std::string a(1, in[0]);
  for (size_t i = 1; i < in.size(); ++i) {
    const char x = in[i];
    if (in[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) a.pop_back();
    a.push_back(x);
  }
  // 2: " ' " becomes "'". The space after is consumed, and the next check
  // sees a NUL in its place (so " ' ' " keeps its second pair), as in llama.cpp.
  std::string b(1, a[0]);
  for (size_t i = 1; i < a.size(); ++i) {
    const char x = a[i];
    if (x == '\'' && i + 1 < a.size() && a[i - 1] == ' ' && a[i + 1] == ' ') {
      b.pop_back();
      a[i + 1] = '\0';
      ++i;
    }
    b.push_back(x);
  }
  // 3: " 's" " 'm" " 're" " 've" lose the space (" 't" " 'd" " 'll" keep it).
  std::string c(1, b[0]);
  for (size_t i = 1; i < b.size(); ++i) {
    const char x = b[i];
    if (b[i - 1] == ' ' && x == '\'' && i + 1 < b.size()) {
      const char x1 = b[i + 1];
      if (x1 == 's' || x1 == 'm') {
        c.pop_back();
      } else if (x1 != 't' && x1 != 'd' && i + 2 < b.size()) {
        const char x2 = b[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) c.pop_back();
      }
    }
    c.push_back(x);
  }
  return c;
}

}  // namespace lantern
