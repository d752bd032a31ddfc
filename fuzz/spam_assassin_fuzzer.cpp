// Fuzzes the SpamAssassin loader and the email reader. The first byte chooses: the rest is a raw email
// for email_body_text (MIME parts, quoted-printable, base64, HTML), the package's data/file_list.json
// (beside one valid email), or the JSON form of the one listed email.
#include <string>

#include "fuzz_support.h"
#include "loom/runtime/spam_assassin.h"

namespace {

constexpr std::string_view kListedEmail = "easy-ham-1/00001.7c53336b37003a9286aba55d2945844c.txt";
constexpr std::string_view kEmailJson =
    R"({"id": "00001", "group": "easy-ham-1", "checksum": {"type": "md5", "value": "7c53"}, )"
    R"("text": "Subject: hello\n\nHi there, <b>friend</b>.\n"})";

void load_package(std::string_view list, std::string_view email) {
  using namespace loom;
  const auto package = fuzz::empty_directory("spam-assassin");
  fuzz::write_file(package / "data" / "file_list.json", list);
  fuzz::write_file(package / "data" / "easy-ham-1" / "00001.7c53336b37003a9286aba55d2945844c.json", email);
  for (const Email& loaded : load_spam_assassin(package.string())) {
    if (loaded.spam != loaded.group.starts_with("spam")) fuzz::fail("an email's spam flag contradicts its group");
    email_body_text(loaded.text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loom;
  if (size == 0) return 0;
  const std::string_view input = fuzz::bytes_of(data + 1, size - 1);
  fuzz::refusals_are_loom_errors([&] {
    switch (data[0] % 3) {
      case 0:
        email_body_text(input);
        break;
      case 1:
        load_package(input, kEmailJson);
        break;
      default:
        load_package("[\"" + std::string(kListedEmail) + "\"]", input);
        break;
    }
  });
  return 0;
}
