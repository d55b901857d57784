// Throughput of the odbc connector (SPEC §6.5, docs/formats-odbc.md): reads every school of a
// national-scale SQLite database through the SQLite ODBC driver, as `misync run` would, and
// prints rows per second and the snapshot's size. Make the database with bench/odbc_bench.sh.
//
//   misync-bench-odbc_read --db FILE [--schools N] [--repeat K]
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "connectors/odbc/odbc.h"

int main(int argc, char** argv) {
    CLI::App app{"odbc connector read throughput"};
    std::string db;
    int schools = 1500;
    int repeat = 1;
    app.add_option("--db", db, "SQLite database made by bench/odbc_bench.sh")->required();
    app.add_option("--schools", schools, "schools to read (DfES 6600000 + 1 … N)");
    app.add_option("--repeat", repeat, "times to read them all");
    CLI11_PARSE(app, argc, argv);

    misync::connectors::SchoolSource src;
    src.source = "Driver=SQLite3;Database=" + db;
    src.queries = {
        {"learners",
         "SELECT id AS mis_id, upn, forename AS legal_forename, surname AS legal_surname, year AS "
         "year_group, form AS reg_group, start AS admission_date FROM pupils WHERE dfes = ?"},
        {"staff",
         "SELECT id AS mis_id, forename AS legal_forename, surname AS legal_surname FROM staff "
         "WHERE dfes = ?"},
        {"memberships",
         "SELECT code AS group_code, kind AS group_type, year AS year_group, member AS member_id, "
         "member_kind AS member_type FROM memberships WHERE dfes = ?"}};
    for (int r = 0; r < repeat; ++r) {
        std::size_t persons = 0, memberships = 0, rejected = 0, rows = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 1; i <= schools; ++i) {
            src.dfes = std::to_string(6600000 + i);
            misync::connectors::OdbcConnector c;
            auto s = c.read(src);
            persons += s.persons.size();
            memberships += s.memberships.size();
            rejected += s.rejected.size();
            for (const auto& f : s.files) {
                rows += f.records;
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf(
            "odbc_read: %d schools, %zu rows (%zu persons, %zu memberships, %zu rejected) in "
            "%.2f s: %.0f rows/s\n",
            schools, rows, persons, memberships, rejected, seconds, rows / seconds);
    }
    return 0;
}
