// The drop folders' watcher on Windows (daemon/folder_watch.h): the portable poller of
// daemon/folder_watch_poll.h, looking every two seconds. ReadDirectoryChangesW would say sooner
// that something changed, but the SettleTracker waits settle_seconds (5 by default) anyway,
// and polling sees network shares and folders that appear later alike.
#include "daemon/folder_watch_poll.h"

namespace misync::daemon {

std::unique_ptr<FolderWatch> makeFolderWatch() {
    return std::make_unique<PollingFolderWatch>(std::chrono::seconds(2));
}

}  // namespace misync::daemon
