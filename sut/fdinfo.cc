// The fdinfo oracle (sut/fdinfo.h).

#include "sut/fdinfo.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <tuple>

#include "model/outcome.h"

namespace epollcheck {
namespace {

// Skips spaces, then parses "name:" and a number in `base` from `text` at
// `at`; false if it is not there.
template <class T>
bool Field(std::string_view text, size_t& at, std::string_view name, int base,
           T& value) {
  while (at < text.size() && text[at] == ' ')
    ++at;
  if (text.substr(at, name.size()) != name)
    return false;
  at += name.size();
  while (at < text.size() && text[at] == ' ')
    ++at;
  const char* begin = text.data() + at;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value, base);
  if (ec != std::errc() || ptr == begin)
    return false;
  at += static_cast<size_t>(ptr - begin);
  return true;
}

// Orders items for reading: by descriptor number, then data, then mask.
template <class T> std::vector<T> Sorted(std::vector<T> items) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) {
    return std::tie(a.tfd, a.data, a.events) <
           std::tie(b.tfd, b.data, b.events);
  });
  return items;
}

std::string RawInode(const FdinfoInode& inode) {
  std::ostringstream os;
  os << "0x" << std::hex << inode.ino << ':' << inode.sdev;
  return os.str();
}

// The lowest descriptor of `world` whose file has inode `key`.
std::optional<int32_t> LowestDescriptor(const World& world,
                                        const InodeKey& key) {
  for (const auto& [fd, file] : world.fd_table) {
    if (InodeOfFile(world, file) == key)
      return fd;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<FdinfoLine>> ParseEpollFdinfo(std::string_view text) {
  std::vector<FdinfoLine> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text =
        nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.substr(0, 4) != "tfd:")
      continue;
    FdinfoLine item;
    size_t at = 0;
    int64_t pos = 0;
    if (!Field(line, at, "tfd:", 10, item.tfd) ||
        !Field(line, at, "events:", 16, item.events) ||
        !Field(line, at, "data:", 16, item.data) ||
        !Field(line, at, "pos:", 10, pos) ||
        !Field(line, at, "ino:", 16, item.inode.ino) ||
        !Field(line, at, "sdev:", 16, item.inode.sdev)) {
      return std::nullopt;
    }
    lines.push_back(item);
  }
  return lines;
}

LineDifference CompareLines(const std::vector<ExpectedLine>& want,
                            const FdinfoReading& got) {
  LineDifference d;
  if (got.error != 0) {
    d.part = "unreadable";
    d.missing = want;
    return d;
  }
  std::vector<FdinfoLine> left = got.lines;
  const auto take = [&](auto matches) {
    auto it = std::find_if(left.begin(), left.end(), matches);
    if (it == left.end())
      return false;
    left.erase(it);
    return true;
  };
  // Items with a known inode first, then the rest on their other fields.
  for (const ExpectedLine& w : want) {
    if (w.inode && !take([&](const FdinfoLine& g) {
          return g == FdinfoLine{w.tfd, w.events, w.data, *w.inode};
        })) {
      d.missing.push_back(w);
    }
  }
  for (const ExpectedLine& w : want) {
    if (!w.inode && !take([&](const FdinfoLine& g) {
          return g.tfd == w.tfd && g.events == w.events && g.data == w.data;
        })) {
      d.missing.push_back(w);
    }
  }
  d.extra = std::move(left);
  if (d.missing.empty() && d.extra.empty())
    return d;
  if (d.extra.empty()) {
    d.part = "items.missing";
  } else if (d.missing.empty()) {
    d.part = "items.extra";
  } else {
    // An item shown with other fields: the first missing one and the shown
    // one with its descriptor number (and inode, if any has it).
    const ExpectedLine& m = d.missing.front();
    const FdinfoLine* e = nullptr;
    for (const FdinfoLine& g : d.extra) {
      if (g.tfd != m.tfd)
        continue;
      if (e == nullptr || (m.inode && g.inode == *m.inode))
        e = &g;
    }
    if (e == nullptr) {
      d.part = "items";
    } else {
      std::string part;
      const auto add = [&](const char* p) {
        part += (part.empty() ? "" : "+") + std::string(p);
      };
      if (e->events != m.events)
        add("events");
      if (e->data != m.data)
        add("data");
      if (m.inode && e->inode != *m.inode)
        add("file");
      d.part = part.empty() ? "items" : part;
    }
  }
  return d;
}

std::string FormatItem(int32_t tfd, uint32_t events, uint64_t data,
                       std::string_view ino) {
  std::ostringstream os;
  os << '{' << tfd << ", " << EventMaskString(events) << ", 0x" << std::hex
     << data << std::dec << ", ino=" << ino << '}';
  return os.str();
}

std::string FdinfoDifference::Describe(std::string_view sut_name) const {
  const auto list = [](const std::vector<std::string>& items) {
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i)
      s += (i ? ", " : "") + items[i];
    return s + "]";
  };
  const std::string model = "model";
  const size_t width = std::max(model.size(), sut_name.size()) + 1;
  std::ostringstream os;
  os << "        fdinfo(" << epfd << ") " << std::left
     << std::setw(static_cast<int>(width)) << model + ":" << ' ' << list(want)
     << '\n'
     << "        fdinfo(" << epfd << ") " << std::setw(static_cast<int>(width))
     << std::string(sut_name) + ":" << ' '
     << (got_error != 0 ? "cannot be read: " + ErrnoName(got_error) : list(got))
     << '\n';
  return os.str();
}

std::optional<FdinfoInode> FdinfoOracle::Anchor(const World& world,
                                                const InodeKey& key, Sut& sut) {
  const auto it = anchors_.find(key);
  if (it != anchors_.end())
    return it->second;
  const std::optional<int32_t> fd = LowestDescriptor(world, key);
  if (!fd)
    return std::nullopt;
  std::optional<FdinfoInode> inode = sut.InodeOf(*fd);
  if (inode)
    anchors_.emplace(key, *inode);
  return inode;
}

std::vector<ExpectedLine> FdinfoOracle::Expected(const World& world,
                                                 FileId epoll, Sut& sut) {
  std::vector<ExpectedLine> want;
  const File& ep = world.files.at(epoll);
  if (!ep.epoll)
    return want;
  want.reserve(ep.epoll->items.size());
  for (const auto& [key, item] : ep.epoll->items) {
    want.push_back(
        ExpectedLine{.tfd = key.fd,
                     .events = item.events,
                     .data = item.data,
                     .inode = Anchor(world, InodeOfFile(world, key.file), sut),
                     .file = key.file});
  }
  return want;
}

std::optional<FdinfoDifference> FdinfoOracle::Check(const World& after,
                                                    Sut& sut) {
  return Check(after, sut, FdinfoScope{.all = true, .instances = {}});
}

std::optional<FdinfoDifference>
FdinfoOracle::Check(const World& after, Sut& sut, const FdinfoScope& scope) {
  ++checks_;
  if (!scope.all && scope.instances.empty())
    return std::nullopt;
  const auto in_scope = [&](FileId file) {
    return scope.all ||
           std::find(scope.instances.begin(), scope.instances.end(), file) !=
               scope.instances.end();
  };
  std::vector<FileId> seen;
  for (const auto& [fd, file] : after.fd_table) {
    if (!in_scope(file) || after.files.at(file).kind != FileKind::kEpoll ||
        std::find(seen.begin(), seen.end(), file) != seen.end()) {
      continue;
    }
    seen.push_back(file);
    ++reads_;
    const std::vector<ExpectedLine> want = Expected(after, file, sut);
    const FdinfoReading got = sut.ReadFdinfo(fd);
    const LineDifference diff = CompareLines(want, got);
    if (!diff.part.empty())
      return Explain(after, fd, want, got, diff, sut);
  }
  return std::nullopt;
}

FdinfoDifference FdinfoOracle::Explain(const World& world, int32_t epfd,
                                       const std::vector<ExpectedLine>& want,
                                       const FdinfoReading& got,
                                       const LineDifference& diff, Sut& sut) {
  FdinfoDifference d;
  d.epfd = epfd;
  d.part = diff.part;
  d.got_error = got.error;
  // Tie every inode the table has to the SUT's, to name the shown ones.
  for (const auto& [fd, file] : world.fd_table)
    (void)Anchor(world, InodeOfFile(world, file), sut);
  const auto name_key = [&](const InodeKey& key) {
    const std::optional<int32_t> fd = LowestDescriptor(world, key);
    std::ostringstream os;
    if (fd)
      os << "fd" << *fd;
    else
      os << key;
    return os.str();
  };
  // The live model file whose inode the SUT shows as `inode`, preferring
  // the one at descriptor `tfd`.
  const auto file_of = [&](const FdinfoInode& inode,
                           int32_t tfd) -> std::optional<FileId> {
    const std::optional<FileId> at = world.FileIdAt(tfd);
    if (at) {
      const auto it = anchors_.find(InodeOfFile(world, *at));
      if (it != anchors_.end() && it->second == inode)
        return at;
    }
    for (const auto& [id, file] : world.files) {
      const auto it = anchors_.find(InodeOfFile(world, id));
      if (it != anchors_.end() && it->second == inode)
        return id;
    }
    return std::nullopt;
  };
  for (const ExpectedLine& w : Sorted(want)) {
    d.want.push_back(FormatItem(w.tfd, w.events, w.data,
                                name_key(InodeOfFile(world, w.file))));
  }
  for (const FdinfoLine& g : Sorted(got.lines)) {
    const std::optional<FileId> file = file_of(g.inode, g.tfd);
    d.got.push_back(FormatItem(g.tfd, g.events, g.data,
                               file ? name_key(InodeOfFile(world, *file))
                                    : RawInode(g.inode)));
  }
  for (const ExpectedLine& m : diff.missing) {
    if (std::find(d.files.begin(), d.files.end(), m.file) == d.files.end())
      d.files.push_back(m.file);
  }
  for (const FdinfoLine& e : diff.extra) {
    const std::optional<FileId> file = file_of(e.inode, e.tfd);
    if (!file) {
      d.unknown_file = true;
    } else if (std::find(d.files.begin(), d.files.end(), *file) ==
               d.files.end()) {
      d.files.push_back(*file);
    }
  }
  return d;
}

}  // namespace epollcheck
