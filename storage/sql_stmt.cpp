#include "storage/sql_stmt.h"

namespace misync::storage {

std::unique_ptr<SqlCursor> StatementCache::take(std::string_view sql) {
    if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
        std::unique_ptr<SqlCursor> c = std::move(it->second.back());
        it->second.pop_back();
        return c;
    }
    ++prepares_;
    return connection_.prepare(sql);
}

void StatementCache::give(std::unique_ptr<SqlCursor> cursor) {
    if (!cursor) {
        return;
    }
    cursor->reset();
    auto it = idle_.find(std::string_view(cursor->sql()));
    if (it == idle_.end()) {
        if (idle_.size() >= kMaxTexts) {
            return;  // dropped: finalized by its destructor
        }
        it = idle_.emplace(cursor->sql(), std::vector<std::unique_ptr<SqlCursor>>{}).first;
    }
    it->second.push_back(std::move(cursor));
}

std::size_t StatementCache::idle() const {
    std::size_t n = 0;
    for (const auto& [sql, cursors] : idle_) {
        n += cursors.size();
    }
    return n;
}

}  // namespace misync::storage
