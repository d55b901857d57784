// Writes the country as SIMS CommandReporter extracts (SPEC §6.1), one folder per school, and
// the misync configuration (SPEC §7) that points at them.
#pragma once

#include <cstdint>
#include <filesystem>

#include "bench/gen_sims/country.h"
#include "bench/gen_sims/names.h"

namespace misync::bench {

struct WriteTotals {
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    std::uint64_t learnerRecords = 0;  // on roll plus listed leavers
    std::uint64_t listedLeavers = 0;
    std::uint64_t staffRecords = 0;
    std::uint64_t groups = 0;
    std::uint64_t learnerMemberships = 0;
    std::uint64_t staffMemberships = 0;
    std::uint64_t groupRecords = 0;

    void add(const WriteTotals& other);
};

// Writes out/<dfes>/{students,staff,groups}.xml for every school as of `date` (days since
// 1970-01-01), spreading schools over `threads` threads. Throws on an I/O error.
WriteTotals writeSchools(const Country& country, const Names& names,
                         const std::filesystem::path& out, std::int32_t date, unsigned threads);

// Writes out/misync.toml; returns its size in bytes.
std::uint64_t writeConfig(const Country& country, const std::filesystem::path& out,
                          const std::string& header);

// YYYY-MM-DD of a day count.
std::string isoDate(std::int32_t days);

}  // namespace misync::bench
