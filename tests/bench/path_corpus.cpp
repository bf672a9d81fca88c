#include "tests/bench/path_corpus.h"


namespace fbbench {
namespace {

// xorshift64*: tiny, deterministic on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed ? seed : 1) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) { return items[below(N)]; }

 private:
  uint64_t state_;
};

using S = std::u16string;

const char16_t* const kVolumes[] = {u"\\Device\\HarddiskVolume3", u"\\Device\\HarddiskVolume3",
                                    u"\\Device\\HarddiskVolume3", u"\\Device\\HarddiskVolume4",
                                    u"\\Device\\HarddiskVolume1"};
const char16_t* const kUsers[] = {u"alice", u"bob", u"carol.smith", u"dave", u"Administrator", u"j.müller",
                                  u"Élodie", u"Дмитрий", u"svc_backup", u"ken", u"lucia.garcia", u"PC-User"};
const char16_t* const kDocFolders[] = {u"Invoices", u"Taxes\\2023", u"Projects\\Apollo", u"Letters", u"Work\\Reports\\Q3",
                                       u"School", u"Recipes", u"Contracts\\Signed", u"Отчёты", u"Été 2024"};
const char16_t* const kPicFolders[] = {u"2019\\Holidays", u"2021\\Wedding", u"Screenshots", u"Camera Roll",
                                       u"2024\\06\\Paris", u"Saved Pictures", u"Family"};
const char16_t* const kDocExt[] = {u"docx", u"xlsx", u"pdf", u"txt", u"pptx", u"odt", u"csv", u"md", u"DOC", u"rtf"};
const char16_t* const kPicExt[] = {u"jpg", u"JPG", u"png", u"heic", u"raw", u"gif", u"jpeg"};
const char16_t* const kBinExt[] = {u"dll", u"exe", u"sys", u"mui", u"dat", u"json", u"xml", u"log", u"tmp", u"db",
                                   u"etl", u"pf", u"manifest", u"cat"};
const char16_t* const kAppData[] = {u"AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\X2Y7QZ1K",
                                    u"AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data",
                                    u"AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\k2j4h1.default-release\\cache2\\entries",
                                    u"AppData\\Local\\Temp", u"AppData\\Local\\Packages\\Microsoft.Windows.Photos_8wekyb3d8bbwe\\LocalState",
                                    u"AppData\\Roaming\\Microsoft\\Teams\\Service Worker\\CacheStorage",
                                    u"AppData\\Local\\Microsoft\\OneDrive\\logs\\Personal",
                                    u"AppData\\Roaming\\Code\\User\\workspaceStorage\\9f2c1e"};
const char16_t* const kProgramFiles[] = {u"Program Files\\Microsoft Office\\root\\Office16",
                                         u"Program Files\\Common Files\\microsoft shared\\ClickToRun",
                                         u"Program Files (x86)\\Google\\Chrome\\Application\\120.0.6099.130",
                                         u"Program Files\\WindowsApps\\Microsoft.WindowsTerminal_1.18.3181.0_x64__8wekyb3d8bbwe",
                                         u"Program Files\\Git\\usr\\bin", u"ProgramData\\Microsoft\\Windows Defender\\Scans\\History",
                                         u"ProgramData\\Package Cache\\{3A1F-22B9}"};
const char16_t* const kWindows[] = {u"Windows\\System32", u"Windows\\System32\\drivers", u"Windows\\SysWOW64",
                                    u"Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.2561_none_7b4b",
                                    u"Windows\\Prefetch", u"Windows\\Logs\\CBS", u"Windows\\System32\\winevt\\Logs",
                                    u"Windows\\SoftwareDistribution\\Download\\a1b2c3"};
const char16_t* const kSourceTrees[] = {u"source\\repos\\webapp\\src\\components", u"source\\repos\\engine\\build\\obj\\x64\\Release",
                                        u"go\\pkg\\mod\\github.com\\pkg\\errors@v0.9.1", u"node_modules\\.cache\\babel-loader"};
const char16_t* const kLookAlikes[] = {u"MyDocuments", u"Documents and Settings Backup", u"pictures-old", u"OldPictures",
                                       u"documents.bak"};
const char16_t* const kStreams[] = {u":Zone.Identifier", u":backup", u"::$DATA", u":Zone.Identifier:$DATA",
                                    u":backup.2.meta", u":SummaryInformation"};

S hex_name(Rng& rng, int digits) {
  static const char16_t kHex[] = u"0123456789ABCDEF";
  S name;
  for (int i = 0; i < digits; ++i) name += kHex[rng.below(16)];
  return name;
}

S file_name(Rng& rng, const char16_t* stem, const char16_t* ext) {
  S name = stem;
  name += u'_';
  name += hex_name(rng, 1 + static_cast<int>(rng.below(6)));
  name += u'.';
  name += ext;
  return name;
}

S user_root(Rng& rng, const S& volume) { return volume + u"\\Users\\" + rng.pick(kUsers); }

// One path from a weighted mix of places, roughly as a busy workstation's creates look.
S one_path(Rng& rng) {
  const S volume = rng.pick(kVolumes);
  const size_t kind = rng.below(100);
  S path;
  if (kind < 16) {
    path = user_root(rng, volume) + u"\\Documents\\" + rng.pick(kDocFolders) + u"\\" +
           file_name(rng, u"report", rng.pick(kDocExt));
  } else if (kind < 24) {
    path = user_root(rng, volume) + u"\\Pictures\\" + rng.pick(kPicFolders) + u"\\" +
           file_name(rng, u"IMG", rng.pick(kPicExt));
  } else if (kind < 28) {
    path = user_root(rng, volume) + (rng.below(2) ? u"\\Desktop\\" : u"\\Downloads\\") +
           file_name(rng, u"setup", rng.pick(kBinExt));
  } else if (kind < 30) {
    path = user_root(rng, volume) + u"\\" + rng.pick(kLookAlikes) + u"\\" + file_name(rng, u"notes", rng.pick(kDocExt));
  } else if (kind < 31) {
    path = user_root(rng, volume) + u"\\Desktop\\documents";  // a file named like a protected folder
  } else if (kind < 50) {
    path = user_root(rng, volume) + u"\\" + rng.pick(kAppData) + u"\\" + hex_name(rng, 16);
  } else if (kind < 58) {
    path = user_root(rng, volume) + u"\\" + rng.pick(kSourceTrees) + u"\\" + file_name(rng, u"module", u"js");
  } else if (kind < 74) {
    path = volume + u"\\" + rng.pick(kProgramFiles) + u"\\" + file_name(rng, u"lib", rng.pick(kBinExt));
  } else {
    path = volume + u"\\" + rng.pick(kWindows) + u"\\" + file_name(rng, u"ntos", rng.pick(kBinExt));
  }
  if (rng.below(100) < 4) path += rng.pick(kStreams);
  return path;
}

}  // namespace

std::vector<std::u16string> make_nt_path_corpus(size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::u16string> corpus;
  corpus.reserve(count);
  for (size_t i = 0; i < count; ++i) corpus.push_back(one_path(rng));
  return corpus;
}

namespace {

struct PackedCorpus {
  std::u16string arena;
  std::vector<std::u16string_view> paths;

  explicit PackedCorpus(const std::vector<std::u16string>& source) {
    for (const std::u16string& path : source) arena += path;
    size_t offset = 0;
    for (const std::u16string& path : source) {
      paths.emplace_back(arena.data() + offset, path.size());
      offset += path.size();
    }
  }
};

}  // namespace

const std::vector<std::u16string_view>& nt_path_corpus() {
  static const PackedCorpus corpus(make_nt_path_corpus(12000, 0x5EED2026));
  return corpus.paths;
}

}  // namespace fbbench
