// The RFC 4180 reader over libcsv (SPEC §6 CSV rules): quoting, line endings, BOM, final
// newline, trailing empty header columns, header lookup, and the errors that fail a file (R15).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/csv/csv_reader.h"
#include "core/errors.h"

namespace misync::connectors::csv {
namespace {

struct Read {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::uint32_t> numbers;
    std::vector<std::uint64_t> lines;
};

Read read(std::string_view bytes) {
    Read out;
    readCsv(
        bytes, "test.csv", [&](const CsvHeader& h) { out.header = h.names(); },
        [&](const CsvRecord& r) {
            out.rows.emplace_back(r.fields.begin(), r.fields.end());
            out.numbers.push_back(r.number);
            out.lines.push_back(r.line);
        });
    return out;
}

std::string errorOf(std::string_view bytes) {
    try {
        read(bytes);
    } catch (const core::ConnectorError& e) {
        EXPECT_EQ(e.file(), "test.csv");
        return e.what();
    }
    ADD_FAILURE() << "no ConnectorError";
    return {};
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReader, ReadsHeaderAndRows) {
    Read r = read("a,b,c\n1,2,3\n4,5,6\n");
    EXPECT_EQ(r.header, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(r.rows, (Rows{{"1", "2", "3"}, {"4", "5", "6"}}));
    EXPECT_EQ(r.numbers, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 3}));
}

TEST(CsvReader, QuotedFieldsKeepCommasDoubledQuotesAndLineBreaks) {
    Read r = read("a,b,c\n\"Jones, Ann\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,y,z\n");
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_EQ(r.rows[0], (std::vector<std::string>{"Jones, Ann", "say \"hi\"", "two\nlines"}));
    EXPECT_EQ(r.rows[1], (std::vector<std::string>{"x", "y", "z"}));
    EXPECT_EQ(r.numbers[1], 2u);  // a record number counts rows, not lines
    EXPECT_EQ(r.lines[1], 4u);
}

TEST(CsvReader, EveryFieldQuoted) {
    Read r = read("\"a\",\"b\"\n\"1\",\"\"\n");
    EXPECT_EQ(r.header, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r.rows, (Rows{{"1", ""}}));
}

TEST(CsvReader, CrlfBomAndNoFinalNewline) {
    Read r = read("\xEF\xBB\xBFID,Name\r\n1,\"A\r\nB\"\r\n2,C");
    EXPECT_EQ(r.header, (std::vector<std::string>{"ID", "Name"}));
    EXPECT_EQ(r.rows, (Rows{{"1", "A\r\nB"}, {"2", "C"}}));
    EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 4}));
}

TEST(CsvReader, TrailingEmptyHeaderColumnsAreIgnored) {
    Read r = read("a,b,,\n1,2,,\n");
    EXPECT_EQ(r.header, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r.rows.size(), 1u);
}

TEST(CsvReader, BlankAndEmptyRowsAreSkipped) {
    Read r = read("a,b\n\n1,2\n,\n\r\n3,4\n,,\n");
    EXPECT_EQ(r.rows, (Rows{{"1", "2"}, {"3", "4"}}));
    EXPECT_EQ(r.numbers, (std::vector<std::uint32_t>{1, 2}));
}

TEST(CsvReader, ShortRowsReadAsEmptyFields) {
    CsvRecord record;
    record.fields = {"x"};
    EXPECT_EQ(record[0], "x");
    EXPECT_EQ(record[3], "");
    EXPECT_EQ(record.at(std::nullopt), "");
}

TEST(CsvReader, HeaderOnlyHasNoRows) {
    Read r = read("a,b\r\n");
    EXPECT_EQ(r.header.size(), 2u);
    EXPECT_TRUE(r.rows.empty());
}

TEST(CsvHeader, FindsColumnsIgnoringCaseSpacesAndUnderscores) {
    CsvHeader h({"Pupil ID", " Legal_Forename ", "UPN", "", "upn"});
    EXPECT_EQ(h.find("pupil_id"), 0u);
    EXPECT_EQ(h.find("LEGAL FORENAME"), 1u);
    EXPECT_EQ(h.find("Upn"), 2u);  // the first of two columns with one name
    EXPECT_EQ(h.find("Surname"), std::nullopt);
    EXPECT_EQ(h.find(""), std::nullopt);
}

TEST(CsvReader, EmptyFileHasNoHeader) {
    EXPECT_NE(errorOf("").find("no header row"), std::string::npos);
    EXPECT_NE(errorOf("\xEF\xBB\xBF\r\n\r\n").find("no header row"), std::string::npos);
}

TEST(CsvReader, UnterminatedQuoteFailsNamingTheLine) {
    std::string e = errorOf("a,b\n1,2\n3,\"open\n4,5\n");
    EXPECT_NE(e.find("test.csv"), std::string::npos) << e;
    EXPECT_NE(e.find("no closing quote"), std::string::npos) << e;
    EXPECT_NE(e.find("line 3"), std::string::npos) << e;
}

TEST(CsvReader, StrayQuotesFailNamingTheLine) {
    std::string e = errorOf("a,b\n1,2\n3,ab\"c\n");
    EXPECT_NE(e.find("not valid CSV"), std::string::npos) << e;
    EXPECT_NE(e.find("line 3"), std::string::npos) << e;
    EXPECT_NE(errorOf("a,b\n\"x\"y,2\n").find("line 2"), std::string::npos);
}

TEST(CsvReader, BinaryAndUtf16AreNotCsv) {
    EXPECT_NE(errorOf(std::string("a,b\n1,\0\n", 8)).find("NUL byte on line 2"), std::string::npos);
    EXPECT_NE(errorOf("\xFF\xFE"
                      "a\0,\0")
                  .find("UTF-16"),
              std::string::npos);
}

TEST(CsvReader, TooManyFieldsInARowFails) {
    std::string wide = "a\n" + std::string(kMaxFieldsPerRow, ',') + "\n";
    EXPECT_NE(errorOf(wide).find("more than"), std::string::npos);
}

TEST(CsvReader, HandlerExceptionsPassThrough) {
    EXPECT_THROW(readCsv(
                     "a\n1\n", "t.csv", [](const CsvHeader&) {},
                     [](const CsvRecord&) { throw core::ConfigError("stop"); }),
                 core::ConfigError);
}

TEST(CsvReader, LargeInputAcrossChunks) {
    std::string bytes = "id,name\n";
    for (int i = 0; i < 200000; ++i) {
        bytes += std::to_string(i) + ",\"Name, " + std::to_string(i) + "\"\n";
    }
    std::uint32_t count = 0;
    readCsv(
        bytes, "big.csv", [](const CsvHeader&) {},
        [&](const CsvRecord& r) {
            ++count;
            ASSERT_EQ(r.fields[0], std::to_string(r.number - 1));
        });
    EXPECT_EQ(count, 200000u);
}

}  // namespace
}  // namespace misync::connectors::csv
