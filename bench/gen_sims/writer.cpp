#include "bench/gen_sims/writer.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/gen_sims/timetable.h"
#include "core/upn.h"

namespace misync::bench {
namespace {

enum GroupKind : std::uint32_t { kRegistration = 0, kYear = 1, kClass = 2, kHouse = 3 };

// Memberships are sorted as 64-bit keys: group (kind, year slot, subject, set) in the high half,
// then staff before pupils, then the member's id, so one sort yields the report's order.
constexpr std::uint64_t groupKey(GroupKind kind, int slot, int subject, int index) {
    return (static_cast<std::uint64_t>(kind) << 28) | (static_cast<std::uint64_t>(slot) << 22) |
           (static_cast<std::uint64_t>(subject) << 16) | static_cast<std::uint64_t>(index);
}
constexpr std::uint32_t kPupilBit = 1U << 31;

class XmlBuffer {
  public:
    void clear() { buf_.clear(); }
    const std::string& str() const { return buf_; }

    void raw(std::string_view s) { buf_.append(s); }
    void text(std::string_view s) {
        if (s.find_first_of("&<>") == std::string_view::npos) {
            buf_.append(s);
            return;
        }
        for (const char c : s) {
            switch (c) {
                case '&':
                    buf_.append("&amp;");
                    break;
                case '<':
                    buf_.append("&lt;");
                    break;
                case '>':
                    buf_.append("&gt;");
                    break;
                default:
                    buf_.push_back(c);
            }
        }
    }
    void number(std::uint64_t n, int width = 0) {
        char tmp[24];
        const auto end = std::to_chars(tmp, tmp + sizeof tmp, n).ptr;
        for (auto len = static_cast<int>(end - tmp); len < width; ++len) {
            buf_.push_back('0');
        }
        buf_.append(tmp, end);
    }
    void date(std::int32_t days) {
        using namespace std::chrono;
        const year_month_day ymd{sys_days{std::chrono::days{days}}};
        number(static_cast<std::uint64_t>(static_cast<int>(ymd.year())), 4);
        buf_.push_back('-');
        number(static_cast<unsigned>(ymd.month()), 2);
        buf_.push_back('-');
        number(static_cast<unsigned>(ymd.day()), 2);
    }
    void open(std::string_view tag) {
        buf_.push_back('<');
        buf_.append(tag);
        buf_.push_back('>');
    }
    void close(std::string_view tag) {
        buf_.append("</");
        buf_.append(tag);
        buf_.push_back('>');
    }
    void field(std::string_view tag, std::string_view value) {
        open(tag);
        text(value);
        close(tag);
    }
    void numberField(std::string_view tag, std::uint64_t value, int width = 0) {
        open(tag);
        number(value, width);
        close(tag);
    }
    void dateField(std::string_view tag, std::int32_t days) {
        open(tag);
        date(days);
        close(tag);
    }
    void begin() { buf_.append("<?xml version=\"1.0\" standalone=\"yes\"?>\n<SuperStarReport>\n"); }
    void end() { buf_.append("</SuperStarReport>\n"); }

  private:
    std::string buf_;
};

void writeFile(const std::filesystem::path& path, const std::string& data) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        throw std::runtime_error("cannot create " + path.string());
    }
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    if (std::fclose(f) != 0 || !ok) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

// SIMS short year: N1, N2, R, 1..13 (the Year column of groups.xml and group codes).
void yearShort(XmlBuffer& out, int year) {
    if (year < 0) {
        out.raw(year == -2 ? "N1" : "N2");
    } else if (year == 0) {
        out.raw("R");
    } else {
        out.number(static_cast<std::uint64_t>(year));
    }
}

// The students report spells year groups out: "Nursery 2", "Reception", "Year  7", "Year 10".
void yearLong(XmlBuffer& out, int year) {
    if (year < 0) {
        out.raw(year == -2 ? "Nursery 1" : "Nursery 2");
    } else if (year == 0) {
        out.raw("Reception");
    } else {
        out.raw(year < 10 ? "Year  " : "Year ");
        out.number(static_cast<std::uint64_t>(year));
    }
}

void regCode(XmlBuffer& out, int year, int reg) {
    yearShort(out, year);
    out.raw(std::string_view(&"ABCDEFGHIJKLMNOPQRSTUVWXYZ"[reg % 26], 1));
    if (reg >= 26) {
        out.number(static_cast<std::uint64_t>(reg / 26));
    }
}

class SchoolWriter {
  public:
    SchoolWriter(const Country& country, const Names& names, std::int32_t date)
        : country_(country), names_(names), date_(date) {}

    void write(std::size_t schoolIndex, std::span<const std::uint32_t> learners,
               const std::filesystem::path& dir, WriteTotals& totals) {
        std::filesystem::create_directories(dir);
        const School& school = country_.schools()[schoolIndex];
        writeStudents(school, learners, totals);
        finish(dir / "students.xml", totals);
        writeStaff(school, totals);
        finish(dir / "staff.xml", totals);
        writeGroups(schoolIndex, learners, totals);
        finish(dir / "groups.xml", totals);
    }

  private:
    bool onRoll(const Learner& l) const { return l.leaving == kNoDate || l.leaving > date_; }
    bool listed(const Learner& l) const {
        return onRoll(l) || (l.listedAfterLeaving && date_ - l.leaving <= kListLeaverDays);
    }

    void finish(const std::filesystem::path& path, WriteTotals& totals) {
        out_.end();
        writeFile(path, out_.str());
        totals.bytes += out_.str().size();
        ++totals.files;
    }

    void upn(const Learner& l) {
        char body[12];
        const std::string& issuer = country_.schools()[l.upnSchool].dfes;
        std::copy(issuer.begin(), issuer.end(), body);
        body[7] = static_cast<char>('0' + l.upnYear / 10);
        body[8] = static_cast<char>('0' + l.upnYear % 10);
        body[9] = static_cast<char>('0' + l.upnSerial / 100);
        body[10] = static_cast<char>('0' + l.upnSerial / 10 % 10);
        body[11] = static_cast<char>('0' + l.upnSerial % 10);
        const std::string_view bodyView(body, sizeof body);
        const char check = core::upnCheckLetter(bodyView).value_or('?');
        out_.open("UPN");
        out_.raw(std::string_view(&check, 1));
        out_.raw(bodyView);
        out_.close("UPN");
    }

    void writeStudents(const School& school, std::span<const std::uint32_t> learners,
                       WriteTotals& totals) {
        out_.clear();
        out_.begin();
        const auto& all = country_.learners();
        for (const auto index : learners) {
            const Learner& l = all[index];
            if (!listed(l)) {
                continue;
            }
            out_.raw("<Record>");
            out_.numberField("ID", l.misId);
            upn(l);
            out_.numberField("Adno", l.adno, 6);
            out_.field("Legal_x0020_Forename", names_.forename(l.forename));
            out_.field("Legal_x0020_Surname", names_.surname(l.surname));
            if (l.preferredForename != kNoName) {
                out_.field("Preferred_x0020_Forename", names_.forename(l.preferredForename));
            }
            if (l.preferredSurname != kNoName) {
                out_.field("Preferred_x0020_Surname", names_.surname(l.preferredSurname));
            }
            out_.dateField("DOB", l.dob);
            out_.field("Gender", l.gender == Gender::Female ? "F" : "M");
            out_.open("Year");
            yearLong(out_, l.year);
            out_.close("Year");
            out_.open("Reg");
            regCode(out_, l.year, l.reg);
            out_.close("Reg");
            out_.dateField("Admission_x0020_Date", l.admission);
            if (!onRoll(l)) {
                out_.dateField("Leaving_x0020_Date", l.leaving);
                ++totals.listedLeavers;
            }
            out_.field("Enrolment_x0020_Status", "C");
            out_.raw("</Record>\n");
            ++totals.learnerRecords;
        }
        (void)school;
    }

    void writeStaff(const School& school, WriteTotals& totals) {
        out_.clear();
        out_.begin();
        const auto& all = country_.staff();
        for (std::uint32_t k = 0; k < school.staffCount; ++k) {
            const StaffMember& s = all[school.firstStaff + k];
            out_.raw("<Record>");
            out_.numberField("ID", s.misId);
            out_.field("Staff_x0020_Code", s.code);
            out_.field("Title", names_.title(s.title));
            out_.field("Legal_x0020_Forename", names_.forename(s.forename));
            out_.field("Legal_x0020_Surname", names_.surname(s.surname));
            if (s.preferredForename != kNoName) {
                out_.field("Preferred_x0020_Forename", names_.forename(s.preferredForename));
            }
            out_.dateField("Start_x0020_Date", s.start);
            out_.field("Role", toString(s.role));
            if (s.ewc != 0) {
                out_.numberField("EWC_x0020_Number", s.ewc);
            }
            out_.raw("</Record>\n");
            ++totals.staffRecords;
        }
    }

    void collectMemberships(std::size_t schoolIndex, std::span<const std::uint32_t> learners) {
        const School& school = country_.schools()[schoolIndex];
        const double load = classLoad(country_.teaching(), school.phase);
        const auto& all = country_.learners();
        keys_.clear();
        for (const auto index : learners) {
            const Learner& l = all[index];
            if (!onRoll(l)) {
                continue;
            }
            const int slot = yearSlot(l.year);
            const std::uint64_t member = kPupilBit | l.misId;
            keys_.push_back(groupKey(kRegistration, slot, 0, l.reg) << 32 | member);
            keys_.push_back(groupKey(kYear, slot, 0, 0) << 32 | member);
            const int classes = takesClasses(school.phase, l.year)
                                    ? std::min(classCount(load, index), subjectCount(school.phase))
                                    : 0;
            for (int i = 0; i < classes; ++i) {
                const int subject = subjectAt(school.phase, i, index);
                const int sets = setCount(school.phase, school.yearSize0[slot],
                                          takeRate(school.phase, subject, load));
                if (sets > 0) {
                    keys_.push_back(groupKey(kClass, slot, subject, setOf(index, subject, sets))
                                        << 32 |
                                    member);
                }
            }
            if (school.houses) {
                keys_.push_back(groupKey(kHouse, 0, 0, houseOf(index)) << 32 | member);
            }
        }
        std::sort(keys_.begin(), keys_.end());
        if (school.teacherCount == 0) {
            return;
        }
        // A tutor for each registration group and a teacher for each class.
        const std::size_t pupils = keys_.size();
        std::uint64_t previous = ~0ULL;
        for (std::size_t i = 0; i < pupils; ++i) {
            const std::uint64_t group = keys_[i] >> 32;
            const auto kind = static_cast<GroupKind>(group >> 28);
            if (group == previous || (kind != kRegistration && kind != kClass)) {
                continue;
            }
            previous = group;
            const auto teacher = school.firstStaff + mix(schoolIndex, group) % school.teacherCount;
            keys_.push_back(group << 32 | country_.staff()[teacher].misId);
        }
        std::sort(keys_.begin(), keys_.end());
    }

    void groupCode(const School& school, std::uint64_t group) {
        const auto kind = static_cast<GroupKind>(group >> 28);
        const int slot = static_cast<int>(group >> 22 & 0x3f);
        const int year = slot + kFirstYear;
        const int subject = static_cast<int>(group >> 16 & 0x3f);
        const int index = static_cast<int>(group & 0xffff);
        switch (kind) {
            case kRegistration:
                regCode(out_, year, index);
                break;
            case kYear:
                out_.raw("Y");
                yearShort(out_, year);
                break;
            case kClass: {
                yearShort(out_, year);
                if (school.phase == Phase::Secondary) {
                    const double load = classLoad(country_.teaching(), school.phase);
                    const int sets = setCount(school.phase, school.yearSize0[slot],
                                              takeRate(school.phase, subject, load));
                    out_.raw(index < (sets + 1) / 2 ? "A" : "B");
                }
                out_.raw("/");
                out_.raw(subjectCode(school.phase, subject));
                out_.number(static_cast<std::uint64_t>(index + 1));
                break;
            }
            case kHouse:
                out_.text(kHouses[static_cast<std::size_t>(index)]);
                break;
        }
    }

    void writeGroups(std::size_t schoolIndex, std::span<const std::uint32_t> learners,
                     WriteTotals& totals) {
        const School& school = country_.schools()[schoolIndex];
        collectMemberships(schoolIndex, learners);
        out_.clear();
        out_.begin();
        static constexpr std::array<std::string_view, 4> kTypes = {"Registration", "Year", "Class",
                                                                   "House"};
        std::uint64_t previous = ~0ULL;
        for (const auto key : keys_) {
            const std::uint64_t group = key >> 32;
            const auto kind = static_cast<GroupKind>(group >> 28);
            const auto member = static_cast<std::uint32_t>(key);
            if (group != previous) {
                ++totals.groups;
                previous = group;
            }
            out_.raw("<Record><Group>");
            groupCode(school, group);
            out_.raw("</Group>");
            out_.field("Group_x0020_Type", kTypes[kind]);
            if (kind == kClass) {
                out_.field("Subject",
                           subjectCode(school.phase, static_cast<int>(group >> 16 & 0x3f)));
            }
            if (kind != kHouse) {
                out_.open("Year");
                yearShort(out_, static_cast<int>(group >> 22 & 0x3f) + kFirstYear);
                out_.close("Year");
            }
            out_.numberField("ID", member & ~kPupilBit);
            out_.field("Member_x0020_Type", (member & kPupilBit) != 0 ? "Pupil" : "Staff");
            out_.raw("</Record>\n");
            if ((member & kPupilBit) != 0) {
                ++totals.learnerMemberships;
            } else {
                ++totals.staffMemberships;
            }
            ++totals.groupRecords;
        }
        // A group without members is listed as a record without ID (SPEC §6.1).
        out_.raw(
            "<Record><Group>Clwb Codio</Group><Group_x0020_Type>Class</Group_x0020_Type>"
            "<Subject>Co</Subject></Record>\n");
        ++totals.groups;
        ++totals.groupRecords;
    }

    const Country& country_;
    const Names& names_;
    std::int32_t date_;
    XmlBuffer out_;
    std::vector<std::uint64_t> keys_;
};

}  // namespace

void WriteTotals::add(const WriteTotals& o) {
    files += o.files;
    bytes += o.bytes;
    learnerRecords += o.learnerRecords;
    listedLeavers += o.listedLeavers;
    staffRecords += o.staffRecords;
    groups += o.groups;
    learnerMemberships += o.learnerMemberships;
    staffMemberships += o.staffMemberships;
    groupRecords += o.groupRecords;
}

std::string isoDate(std::int32_t days) {
    XmlBuffer b;
    b.date(days);
    return b.str();
}

WriteTotals writeSchools(const Country& country, const Names& names,
                         const std::filesystem::path& out, std::int32_t date, unsigned threads) {
    // Learners grouped by school, each school's in creation order (a counting sort).
    const auto& schools = country.schools();
    const auto& learners = country.learners();
    std::vector<std::uint32_t> start(schools.size() + 1, 0);
    for (const auto& l : learners) {
        ++start[l.school + 1U];
    }
    for (std::size_t s = 0; s < schools.size(); ++s) {
        start[s + 1] += start[s];
    }
    std::vector<std::uint32_t> order(learners.size());
    {
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        for (std::uint32_t i = 0; i < learners.size(); ++i) {
            order[fill[learners[i].school]++] = i;
        }
    }

    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    WriteTotals totals;
    std::exception_ptr failure;
    auto work = [&] {
        SchoolWriter writer(country, names, date);
        WriteTotals mine;
        try {
            for (std::size_t s = next++; s < schools.size(); s = next++) {
                const std::span<const std::uint32_t> list(order.data() + start[s],
                                                          start[s + 1] - start[s]);
                writer.write(s, list, out / schools[s].dfes, mine);
            }
        } catch (...) {
            const std::lock_guard lock(mutex);
            failure = std::current_exception();
            next = schools.size();
        }
        const std::lock_guard lock(mutex);
        totals.add(mine);
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < std::max(threads, 1U); ++t) {
            pool.emplace_back(work);
        }
        work();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return totals;
}

std::uint64_t writeConfig(const Country& country, const std::filesystem::path& out,
                          const std::string& header) {
    auto quoted = [](std::string_view s) {
        std::string q = "\"";
        for (const char c : s) {
            if (c == '"' || c == '\\') {
                q.push_back('\\');
            }
            q.push_back(c);
        }
        q.push_back('"');
        return q;
    };
    std::string toml = header;
    toml +=
        "[directory]\n"
        "backend = \"sqlite\"\n"
        "path = \"directory.db\"\n"
        "\n"
        "[secrets]\n"
        "key_file = \"secret.key\"\n";
    for (const auto& school : country.schools()) {
        toml += "\n[[school]]\ndfes = " + quoted(school.dfes) + "\nname = " + quoted(school.name) +
                "\nconnector = \"sims-xml\"\nsource = " + quoted(school.dfes) + "\n";
    }
    writeFile(out / "misync.toml", toml);
    return toml.size();
}

}  // namespace misync::bench
