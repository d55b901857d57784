#include <boost/json.hpp>

#include "storage/sql_directory.h"

namespace misync::storage {

namespace json = boost::json;

namespace {

// One row of accountColumnList() into `a`. The sealed password and the update stamp are read only
// when asked for (`row`): a school's view needs neither, and skipping them saves two strings a
// row on a national run (issue 8).
void readAccount(const Stmt& st, reconcile::Account& a, AccountRow* row) {
    int c = 0;
    a.id = st.columnInt(c++);
    a.username = st.columnView(c++);
    a.role = core::parseRole(st.columnView(c++)).value_or(core::Role::Learner);
    a.source = st.columnView(c++) == "manual" ? reconcile::AccountSource::Manual
                                              : reconcile::AccountSource::Mis;
    a.school = st.columnView(c++);
    for (const auto& f : reconcile::attributeFields()) {
        a.attrs.*f.member = st.columnView(c++);
    }
    a.displayName = st.columnView(c++);
    a.status = reconcile::parseAccountStatus(st.columnView(c++))
                   .value_or(reconcile::AccountStatus::Active);
    a.ownerOnRoll = st.columnInt(c++) != 0;
    a.consent = st.columnInt(c++) != 0;
    a.digitalChampion = st.columnInt(c++) != 0;
    a.nameLocked = st.columnInt(c++) != 0;
    const std::string_view sealed = st.columnView(c++);
    a.passwordAvailable = !sealed.empty();
    a.createdAt = st.columnView(c++);
    if (row != nullptr) {
        row->passwordSealed = sealed;
        row->updatedAt = st.columnView(c);
    }
    ++c;
    a.deactivatedAt = st.columnView(c++);
    a.adminDeactivated = st.columnInt(c++) != 0;
    a.passwordByAdmin = st.columnInt(c++) != 0;
    a.purgedAt = st.columnView(c++);
}

}  // namespace

std::vector<AccountRow> readAccountRows(Stmt& st) {
    std::vector<AccountRow> out;
    while (st.step()) {
        AccountRow& row = out.emplace_back();
        readAccount(st, row.account, &row);
    }
    st.reset();
    return out;
}

void appendAccounts(Stmt& st, std::vector<reconcile::Account>& out) {
    while (st.step()) {
        readAccount(st, out.emplace_back(), nullptr);
    }
    st.reset();
}

void AccountValues::load(const reconcile::Account& a, const std::string& sealed,
                         const std::string& updated) {
    id = a.id;
    std::size_t c = 0;
    text[c++] = a.username;
    text[c++] = core::toString(a.role);
    text[c++] = reconcile::toString(a.source);
    text[c++] = a.school;
    for (const auto& f : reconcile::attributeFields()) {
        text[c++] = a.attrs.*f.member;
    }
    text[c++] = a.displayName;
    text[c++] = reconcile::toString(a.status);
    ownerOnRoll = a.ownerOnRoll ? 1 : 0;
    consent = a.consent ? 1 : 0;
    digitalChampion = a.digitalChampion ? 1 : 0;
    nameLocked = a.nameLocked ? 1 : 0;
    passwordSealed = sealed;
    createdAt = a.createdAt;
    updatedAt = updated;
    deactivatedAt = a.deactivatedAt;
    adminDeactivated = a.adminDeactivated ? 1 : 0;
    passwordByAdmin = a.passwordByAdmin ? 1 : 0;
    purgedAt = a.purgedAt;
}

void AccountValues::bind(Stmt& st) const {
    int i = 1;
    st.integer(i++, id);
    for (const auto& t : text) {
        st.text(i++, t);
    }
    st.integer(i++, ownerOnRoll);
    st.integer(i++, consent);
    st.integer(i++, digitalChampion);
    st.integer(i++, nameLocked);
    st.text(i++, passwordSealed);
    st.text(i++, createdAt);
    st.text(i++, updatedAt);
    st.text(i++, deactivatedAt);
    st.integer(i++, adminDeactivated);
    st.integer(i++, passwordByAdmin);
    st.text(i++, purgedAt);
}

std::string encodeAttributes(const reconcile::Attributes& a) {
    json::object o;
    for (const auto& f : reconcile::attributeFields()) {
        if (!(a.*f.member).empty()) {
            o[f.name] = a.*f.member;
        }
    }
    return json::serialize(o);
}

std::string encodeGroupCodes(const std::vector<std::string>& codes) {
    json::array a;
    for (const auto& c : codes) {
        a.emplace_back(c);
    }
    return json::serialize(a);
}

void decodeClaim(const std::string& attrs, const std::string& codes, reconcile::Claim& out) {
    json::value v = json::parse(attrs);
    for (const auto& f : reconcile::attributeFields()) {
        if (auto* p = v.as_object().if_contains(f.name); p != nullptr && p->is_string()) {
            out.attrs.*f.member = std::string(p->as_string());
        }
    }
    json::value g = json::parse(codes);
    for (const auto& c : g.as_array()) {
        out.groupCodes.emplace_back(c.as_string());
    }
}

}  // namespace misync::storage
